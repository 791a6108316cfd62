"""Does the context support each output sentence? A proxy, measured (docs/grounding.md).

`whole` compares a sentence with the whole context embedding (the popular write-ups'
proxy); a verbatim copy of one sentence from a three-sentence context scores only ~0.67
that way, so it flags grounded answers. `chunked` (the default) takes the sentence's
best-supporting unit (each context sentence, each `;` part of one, the whole context) and
its cosine, then
checks what embeddings miss, each with a reason a reviewer can read:

- fact: every number, date, time, amount, version, percentage and duration must be in
  the context, compared by meaning (`2:30 pm` = `14:30`; score/facts.py);
- name: every name must be in the context (score/claims.py);
- polarity: no clause may negate or invert its context clause (score/polarity.py);
- cause: a "because ..." must use the context's words;
- role: no two names may trade places between clauses (score/polarity.py);
- support: the cosine, less DISPLACED_WEIGHT × the share of the sentence's context words
  its best unit lacks (words joined from elsewhere in the context), must reach
  `grounding_threshold`, scaled down for sentences of fewer than 4 content words (a
  two-word sentence embeds as noise).

Wording is free: a word the context never uses costs nothing (it used to cost 0.10 and
flagged half the faithful answers). A sentence quoted word for word is supported (1.0).
The answer's support is the product of its sentences' supports (a flagged sentence counts
0, novel words discount it for ranking only), so three shaky sentences rank riskier than
one; the lowest support stays in `score`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from driftgate.redact import clipped
from driftgate.results import SentenceScore
from driftgate.score.claims import check_claims, displaced_words, missing_names
from driftgate.score.embedder import Embedder
from driftgate.score.facts import missing_facts, month_in_context
from driftgate.score.polarity import check_cause, check_polarity, check_roles
from driftgate.score.sentences import split_sentences

SHORT = 4  # content words under which a sentence's cosine is mostly noise
DISPLACED_WEIGHT = 0.30  # support lost when every known word sits outside the best match
RANK_NOVEL_PENALTY, RANK_NOVEL_CAP = 0.10, 3  # answer_support only: see answer_support()


@dataclass(frozen=True)
class Grounding:
    ratio: float
    score: float  # the lowest sentence support
    sentences: list[SentenceScore]
    answer_support: float  # the product of sentence supports in [0, 1]; 0 on a flagged one


def grounding_texts(output: str, context: str, mode: str) -> list[str]:
    """Every text grounding will embed, so the scorer can batch them with the rest."""
    sentences = split_sentences(output) or (output.strip(),)
    texts = [context, *sentences]
    if mode == "chunked":
        texts.extend(context_units(context)[:-1])
    return texts


def ground(output: str, context: str, mode: str, threshold: float, embed: Embedder) -> Grounding:
    sentences = split_sentences(output) or (output.strip(),)
    units = [context] if mode == "whole" else context_units(context)
    scores = []
    for sentence in sentences:
        cosine, index = embed.best_support(sentence, units)
        # By position, not identity: a one-sentence context is its own only unit.
        best_unit = "(whole context)" if index == len(units) - 1 else units[index]
        if mode == "whole":
            grounded = cosine >= threshold
            scores.append(
                SentenceScore(
                    text=sentence,
                    support=round(cosine, 6),
                    grounded=grounded,
                    best_unit=best_unit,
                    reason=None if grounded else _weak(cosine, threshold),
                    flag=None if grounded else "support",
                )
            )
            continue
        scores.append(_chunked(sentence, context, units, cosine, index, threshold))
    grounded = sum(s.grounded for s in scores)
    return Grounding(
        ratio=grounded / len(scores),
        score=min(s.support for s in scores),
        sentences=scores,
        answer_support=answer_support(scores),
    )


def context_units(context: str) -> list[str]:
    """Each context sentence, each `;`-separated part of one (a log line's fields), and
    the whole context last."""
    units = []
    for sentence in split_sentences(context):
        units.append(sentence)
        parts = [p.strip() for p in sentence.split(";")]
        if len(parts) > 1:
            units.extend(p for p in parts if any(ch.isalnum() for ch in p))
    return [*dict.fromkeys(units), context]


def answer_support(sentences: list[SentenceScore]) -> float:
    """Every sentence must hold: multiply their supports (each clipped to [0, 1]).

    For ranking only, each sentence also loses RANK_NOVEL_PENALTY per word the context never
    uses (at most RANK_NOVEL_CAP words): invented content ranks riskier (QAGS AUC 0.76 →
    0.78), while the flag, which decides pass/fail, never charges for wording. Ranking
    starts from the raw cosine, not the displacement-discounted support the flag uses:
    measured, the discount helps the flag but not the ranking (AUC 0.788 → 0.780)."""
    product = 1.0
    for sentence in sentences:
        failed = sentence.missing or (sentence.flag not in (None, "support"))
        raw = sentence.cosine is not None and not sentence.verbatim
        support = sentence.cosine if raw else sentence.support
        if not sentence.verbatim:
            support -= RANK_NOVEL_PENALTY * min(len(sentence.novel_words), RANK_NOVEL_CAP)
        product *= 0.0 if failed else min(1.0, max(0.0, support))
    return round(product, 6)


def _chunked(sentence, context, units, cosine, index, threshold) -> SentenceScore:
    claims = check_claims(sentence, context)
    near = units[index] if index < len(units) - 1 else None
    displaced = () if claims.verbatim else displaced_words(claims.content, context, near)
    support = 1.0 if claims.verbatim else cosine - DISPLACED_WEIGHT * _share(displaced, claims)
    facts = missing_facts(sentence, context, near)
    names = [n for n in missing_names(sentence, context) if not month_in_context(n, context)]
    flag, reason = None, None
    if facts:
        first = facts[0]
        flag = "fact"
        reason = f"`{first.fact.text}` is not in the context" + (
            f" (it says `{first.instead}`)" if first.instead else ""
        )
    elif names:
        flag, reason = "name", f"`{names[0]}` is not in the context"
    elif not claims.verbatim:
        flag, reason = _clause_checks(sentence, context)
    # A two-word sentence ("No incidents.") embeds as noise: its bar drops with its length.
    bar = threshold * min(1.0, len(claims.content) / SHORT)
    if flag is None and support < bar:
        flag, reason = "support", _weak(support, bar, displaced)
    return SentenceScore(
        text=sentence,
        support=round(support, 6),
        grounded=flag is None,
        best_unit="(whole context)" if near is None else near,
        reason=reason,
        cosine=round(cosine, 6),
        missing=[m.fact.text for m in facts] + names,
        novel_words=list(claims.novel_words),
        verbatim=claims.verbatim,
        flag=flag,
        bar=round(bar, 6),
        displaced=list(dict.fromkeys(displaced)),
    )


def _share(displaced: tuple[str, ...], claims) -> float:
    """Of the sentence's content words the context uses, the share its best match lacks."""
    known = len(claims.content) - sum(1 for t in claims.content if t in claims.novel_words)
    return min(1.0, len(displaced) / known) if known else 0.0


def _clause_checks(sentence: str, context: str) -> tuple[str | None, str | None]:
    clash = check_polarity(sentence, context)
    if clash:
        return "polarity", clash.reason
    cause = check_cause(sentence, context)
    if cause:
        return "cause", cause
    swap = check_roles(sentence, context)
    if swap:
        return "role", swap
    return None, None


def _weak(support: float, threshold: float, displaced: tuple[str, ...] = ()) -> str:
    """Support shown rounded down, so 0.5996 never reads as "0.60 < 0.60"."""
    shown = math.floor(support * 100 + 1e-9) / 100
    if displaced:
        words = ", ".join(f"`{w}`" for w in list(dict.fromkeys(displaced))[:2])
        return (
            f"joins parts of the context that don't go together: {words} come from "
            f"elsewhere than its best match (support {shown:.2f} < {threshold:.2f})"
        )
    return f"nothing in the context says this (best match {shown:.2f} < {threshold:.2f})"


def unsupported_detail(sentences: list[SentenceScore], limit: int = 2) -> str:
    """`: "John Smith approved it." — `John` is not in the context` for the report: one
    short reason per sentence, no nested parentheses."""
    parts = []
    for sentence in [s for s in sentences if not s.grounded][:limit]:
        text = clipped(sentence.text, 80)
        parts.append(f'"{text}" — {sentence.reason}')
    return (": " + "; ".join(parts)) if parts else ""
