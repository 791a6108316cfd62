"""Turn generations into scored sample and case results.

Two passes: `texts_to_embed` lists every text the run will compare so the embedder
encodes them in one batched call; `score_case` then only looks vectors up.
"""

from __future__ import annotations

import math
import statistics

from driftgate.config import CaseSpec
from driftgate.generate import Generation
from driftgate.results import CaseResult, SampleResult, Tokens
from driftgate.score.checks import failure_reasons, run_checks
from driftgate.score.embedder import Embedder
from driftgate.score.grounding import ground, grounding_texts, unsupported_detail
from driftgate.text import short_hash


def wants_grounding(case: CaseSpec) -> bool:
    return case.check_grounding and bool(case.context)


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
    sample = SampleResult(
        index=index,
        output=generation.output,
        latency_s=_round(generation.latency_s),
        tokens=generation.tokens,
        cached=generation.cached,
    )
    if generation.output is None:
        sample.status = "error"
        sample.error = generation.error or "no output"
        sample.reasons = [sample.error]
        return sample
    similarity = float(embed.similarity(case.expected, generation.output))
    if not math.isfinite(similarity):
        # A poisoned vector or a broken model: a score we can't trust never passes.
        sample.status = "error"
        sample.error = f"similarity is not a finite number ({similarity}): the embedding failed"
        sample.reasons = [sample.error]
        return sample
    sample.similarity = round(similarity, 6)
    if not sample.similarity >= case.min_similarity:
        sample.reasons.append(f"similarity {sample.similarity:.2f} < {case.min_similarity:.2f}")
    if embeds_grounding(case):
        result = ground(
            generation.output, case.context, case.grounding_mode, case.grounding_threshold, embed
        )
        sample.grounding_ratio = round(result.ratio, 6)
        sample.grounding_score = result.score
        sample.grounding_answer_support = result.answer_support
        sample.sentences = result.sentences
        sample.reasons.extend(grounding_reasons(case, result.ratio, result.sentences))
    # quality layer: deterministic checks, each failure a reason (score/checks.py)
    sample.checks = run_checks(case.checks, generation.output, generation.latency_s)
    sample.reasons.extend(failure_reasons(sample.checks))
    sample.status = "failed" if sample.reasons else "passed"
    return sample


def grounding_reasons(case: CaseSpec, ratio: float, sentences) -> list[str]:
    if ratio >= case.min_grounding_ratio:  # NaN fails
        return []
    return [
        f"grounding {ratio:.2f} < {case.min_grounding_ratio:.2f}"
        f" ({sum(not s.grounded for s in sentences)} unsupported sentence(s))"
        + unsupported_detail(sentences)
    ]


def aggregate(case: CaseSpec, samples: list[SampleResult]) -> CaseResult:
    """One case from its samples: the mean score, the pass rate, the spread."""
    result = CaseResult(
        name=case.name,
        line=case.line,
        critical=case.critical,
        tags=list(case.tags),
        threshold=case.min_similarity,
        min_grounding_ratio=case.min_grounding_ratio if wants_grounding(case) else None,
        definition_hash=case.definition_hash,
        expected_hash=None if case.expected is None else short_hash(case.expected),
        samples=samples,
        samples_n=len(samples),
    )
    first = samples[0]
    result.output = first.output
    result.sentences = first.sentences
    result.checks = first.checks
    result.passes = sum(s.status == "passed" for s in samples)
    result.pass_rate = result.passes / len(samples)
    sims = [s.similarity for s in samples if s.similarity is not None]
    if sims:
        result.similarity = round(statistics.fmean(sims), 6)
        result.similarity_std = round(statistics.stdev(sims), 6) if len(sims) > 1 else 0.0
    ratios = [s.grounding_ratio for s in samples if s.grounding_ratio is not None]
    if ratios:
        result.grounding_ratio = round(statistics.fmean(ratios), 6)
        result.grounding_score = min(
            s.grounding_score for s in samples if s.grounding_score is not None
        )
        result.grounding_answer_support = min(
            s.grounding_answer_support for s in samples if s.grounding_answer_support is not None
        )
    latencies = sorted(s.latency_s for s in samples if s.latency_s is not None)
    if latencies:
        result.latency_s = _round(statistics.median(latencies))
        result.latency_p95_s = _round(percentile(latencies, 0.95))
    result.tokens = sum((s.tokens for s in samples), Tokens())
    result.cost_usd = sum(s.cost_usd for s in samples)
    errors = [s for s in samples if s.status == "error"]
    if errors:  # fail closed: one sample the target, the judge or the scorer failed on
        result.status = "error"
        result.error = errors[0].error
        result.reasons = [errors[0].error or "error"]
        if len(errors) < len(samples):
            result.reasons.append(f"{len(errors)} of {len(samples)} samples errored")
        return result
    result.status = "passed" if result.pass_rate >= 0.5 else "failed"
    if len(samples) == 1:
        result.reasons = list(first.reasons)
    else:
        result.reasons = _sample_reasons(samples)
    return result


def _sample_reasons(samples: list[SampleResult]) -> list[str]:
    reasons = []
    failing = [s for s in samples if s.status != "passed"]
    if failing:
        reasons.append(f"{len(samples) - len(failing)}/{len(samples)} samples passed")
    seen = set()
    for sample in failing:
        for reason in sample.reasons:
            if reason not in seen:
                seen.add(reason)
                reasons.append(f"sample {sample.index}: {reason}")
    return reasons


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile of already sorted values."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
