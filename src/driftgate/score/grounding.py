"""Does the context support each output sentence? A proxy, measured (see README).

`whole` compares a sentence with the whole context embedding (the popular write-ups'
proxy); a verbatim copy of one sentence from a three-sentence context scores only ~0.67
that way, so it flags grounded answers. `chunked` takes the best-supporting unit (each
context sentence, and the whole context) and is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftgate.results import SentenceScore
from driftgate.score.embedder import Embedder
from driftgate.score.sentences import split_sentences


@dataclass(frozen=True)
class Grounding:
    ratio: float
    score: float
    sentences: list[SentenceScore]


def grounding_texts(output: str, context: str, mode: str) -> list[str]:
    """Every text grounding will embed, so the scorer can batch them with the rest."""
    texts = [context, *split_sentences(output)]
    if mode == "chunked":
        texts.extend(split_sentences(context))
    return texts


def ground(output: str, context: str, mode: str, threshold: float, embed: Embedder) -> Grounding:
    sentences = split_sentences(output) or (output.strip(),)
    units = [context] if mode == "whole" else [*split_sentences(context), context]
    scores = []
    for sentence in sentences:
        support, index = embed.best_support(sentence, units)
        grounded = support >= threshold
        best = units[index]
        scores.append(
            SentenceScore(
                text=sentence,
                support=round(support, 6),
                grounded=grounded,
                best_unit="(whole context)" if best is context else best,
                reason=None if grounded else f"best support {support:.2f} < {threshold:.2f}",
            )
        )
    grounded = sum(s.grounded for s in scores)
    return Grounding(
        ratio=grounded / len(scores),
        score=min(s.support for s in scores),
        sentences=scores,
    )
