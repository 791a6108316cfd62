"""Sentence splitting that survives "v1.2", "e.g.", "14:30 UTC." and "$3.5M".

A naive split on "." cuts those apart and then scores fragments. blingfire's
finite-state splitter gets them right and is ~70x faster than pysbd (measured on the
scoring benchmark's texts), which matters because splitting sits on the scoring path.
Blank lines and bullets start a new block (a bullet never runs into the next one);
hard-wrapped lines inside a paragraph are joined first.
"""

from __future__ import annotations

import re
from functools import lru_cache

BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[str, ...]:
    import blingfire

    sentences: list[str] = []
    for block in _blocks(text):
        for sentence in blingfire.text_to_sentences(block).split("\n"):
            sentence = sentence.strip()
            if sentence and any(ch.isalnum() for ch in sentence):
                sentences.append(sentence)
    return tuple(sentences)


def _blocks(text: str) -> list[str]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        bullet = BULLET.match(line)
        if bullet or not line.strip():
            if current:
                blocks.append(current)
            current = []
        stripped = BULLET.sub("", line).strip()
        if stripped:
            current.append(stripped)
    if current:
        blocks.append(current)
    return [" ".join(lines) for lines in blocks]
