"""Sentence splitting that survives "v1.2", "e.g.", "14:30 UTC." and "$3.5M".

A naive split on "." cuts those apart and then scores fragments; pysbd's rules don't.
Lines are split first so bullet lists become one sentence per bullet.
"""

from __future__ import annotations

import re
from functools import lru_cache

BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[str, ...]:
    sentences: list[str] = []
    for line in text.splitlines():
        line = BULLET.sub("", line).strip()
        if not line:
            continue
        for sentence in _segmenter().segment(line):
            sentence = sentence.strip()
            if sentence and any(ch.isalnum() for ch in sentence):
                sentences.append(sentence)
    return tuple(sentences)
