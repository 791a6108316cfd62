"""Does the context support each output sentence? A proxy, measured (see README).

`whole` compares a sentence with the whole context embedding (the popular write-ups'
proxy); a verbatim copy of one sentence from a three-sentence context scores only ~0.67
that way, so it flags grounded answers. `chunked` (the default) takes the best-supporting
unit (each context sentence, and the whole context), subtracts 0.10 per content word the
context never uses, and fails any sentence whose numbers or names the context lacks
(score/claims.py): cosine alone scores "14:45" for "14:30" as supported. A sentence quoted
word for word from the context is supported (1.0) whatever its cosine.

The answer's support is the product of its sentences' supports (a sentence naming a fact
the context lacks counts 0): the answer is faithful only if every sentence is, so three
shaky sentences rank as riskier than one. The lowest support stays in `score`.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftgate.results import SentenceScore
from driftgate.score.claims import check_claims
from driftgate.score.embedder import Embedder
from driftgate.score.sentences import split_sentences


@dataclass(frozen=True)
class Grounding:
    ratio: float
    score: float  # the lowest sentence support
    sentences: list[SentenceScore]
    answer_support: float  # the product of sentence supports in [0, 1]; 0 on a missing fact


def grounding_texts(output: str, context: str, mode: str) -> list[str]:
    """Every text grounding will embed, so the scorer can batch them with the rest."""
    texts = [context, *split_sentences(output)]
    if mode == "chunked":
        texts.extend(split_sentences(context))
    return texts


NOVEL_WORD_PENALTY = 0.10  # support lost per content word found nowhere in the context


def ground(output: str, context: str, mode: str, threshold: float, embed: Embedder) -> Grounding:
    sentences = split_sentences(output) or (output.strip(),)
    units = [context] if mode == "whole" else [*split_sentences(context), context]
    scores = []
    for sentence in sentences:
        cosine, index = embed.best_support(sentence, units)
        best = units[index]
        # By position, not identity: a one-sentence context is its own only unit.
        best_unit = "(whole context)" if index == len(units) - 1 else best
        if mode == "whole":
            grounded = cosine >= threshold
            reason = None if grounded else f"best support {cosine:.2f} < {threshold:.2f}"
            scores.append(
                SentenceScore(
                    text=sentence,
                    support=round(cosine, 6),
                    grounded=grounded,
                    best_unit=best_unit,
                    reason=reason,
                )
            )
            continue
        scores.append(_chunked(sentence, context, cosine, best_unit, threshold))
    grounded = sum(s.grounded for s in scores)
    return Grounding(
        ratio=grounded / len(scores),
        score=min(s.support for s in scores),
        sentences=scores,
        answer_support=answer_support(scores),
    )


def answer_support(sentences: list[SentenceScore]) -> float:
    """Every sentence must hold: multiply their supports (each clipped to [0, 1])."""
    product = 1.0
    for sentence in sentences:
        product *= 0.0 if sentence.missing else min(1.0, max(0.0, sentence.support))
    return round(product, 6)


def _chunked(sentence: str, context: str, cosine: float, best_unit: str, threshold: float):
    """Best-unit cosine, less a penalty per novel word; any missing number or name fails it."""
    claims = check_claims(sentence, context)
    # A verbatim quote has no novel words or missing facts; only its cosine can be low.
    support = 1.0 if claims.verbatim else cosine - NOVEL_WORD_PENALTY * len(claims.novel_words)
    reasons = []
    if claims.missing:
        listed = ", ".join(f"'{m}'" for m in claims.missing[:5])
        reasons.append(f"{listed} not in the context")
    if support < threshold:
        why = f"best support {support:.2f} < {threshold:.2f}"
        if claims.novel_words:
            words = ", ".join(f"'{w}'" for w in claims.novel_words[:5])
            why += (
                f" (cosine {cosine:.2f} − {NOVEL_WORD_PENALTY:.2f} × "
                f"{len(claims.novel_words)} word(s) not in the context: {words})"
            )
        reasons.append(why)
    return SentenceScore(
        text=sentence,
        support=round(support, 6),
        grounded=not reasons,
        best_unit=best_unit,
        reason="; ".join(reasons) or None,
        cosine=round(cosine, 6),
        missing=list(claims.missing),
        novel_words=list(claims.novel_words),
        verbatim=claims.verbatim,
    )


def unsupported_detail(sentences: list[SentenceScore], limit: int = 2) -> str:
    """`: "John Smith approved it." ('John', 'Smith' not in the context)` for the report."""
    parts = []
    for sentence in [s for s in sentences if not s.grounded][:limit]:
        text = sentence.text if len(sentence.text) <= 80 else sentence.text[:79] + "…"
        parts.append(f'"{text}" ({sentence.reason})')
    return (": " + "; ".join(parts)) if parts else ""
