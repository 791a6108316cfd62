"""Turn generations into scored samples.

Two passes: `texts_to_embed` lists every text the run will compare so the embedder
encodes them in one batched call; `score_sample` then only looks vectors up, asks each
scorer (scorers.py) for its score, and the reducers (reduce.py) make the case.
"""

from __future__ import annotations

from driftgate.config import CaseSpec
from driftgate.generate import Generation
from driftgate.results import SampleResult
from driftgate.score import scorers
from driftgate.score.embedder import Embedder
from driftgate.score.grounding import Grounding, grounding_texts
from driftgate.score.reduce import round_latency
from driftgate.score.scorers import wants_grounding


def embeds_grounding(case: CaseSpec) -> bool:
    """Grounding by embeddings here; `grounding_method: judge` is verified after scoring."""
    return wants_grounding(case) and case.grounding_method != "judge"


def texts_to_embed(case: CaseSpec, generations: list[Generation]) -> list[str]:
    texts: list[str] = []
    for generation in generations:
        if generation.output is None:
            continue
        texts += [case.expected, generation.output]
        if embeds_grounding(case):
            texts += grounding_texts(generation.output, case.context, case.grounding_mode)
    return texts


def score_sample(case: CaseSpec, index: int, generation: Generation, embed: Embedder):
    """One generation scored: each scorer's value on the sample, each failing one's reason."""
    sample = SampleResult(
        index=index,
        output=generation.output,
        latency_s=round_latency(generation.latency_s),
        tokens=generation.tokens,
        cached=generation.cached,
    )
    if generation.output is None:
        return errored(sample, generation.error or "no output")
    similar = scorers.similarity(case, generation.output, embed)
    if similar.error is not None:
        return errored(sample, similar.error)
    sample.similarity = similar.value
    scores: list[scorers.Score] = [similar]
    if embeds_grounding(case):
        grounding = scorers.grounding(case, generation.output, embed)
        put_grounding(sample, grounding.value)
        scores.append(grounding)
    checks = scorers.checks(case.checks, generation.output, generation.latency_s)
    sample.checks = [check.value for check in checks]
    scores += checks
    sample.reasons = [score.reason for score in scores if score.reason is not None]
    sample.status = "failed" if sample.reasons else "passed"
    return sample


def put_grounding(sample: SampleResult, grounding: Grounding) -> None:
    """A grounding, by embeddings or by the judge, onto its sample."""
    sample.grounding_ratio = round(grounding.ratio, 6)
    sample.grounding_score = grounding.score
    sample.grounding_answer_support = grounding.answer_support
    sample.sentences = grounding.sentences


def errored(sample: SampleResult, error: str) -> SampleResult:
    """A sample with no score to trust: an error, which never passes."""
    sample.status, sample.error, sample.reasons = "error", error, [error]
    return sample
