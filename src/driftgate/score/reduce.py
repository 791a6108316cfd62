"""The reducers: a case's samples → its `CaseResult`, the one place one is built.

Every case in a results file comes from here: `case_result` for a case that ran (the mean
similarity, its spread, the pass rate, an errored sample failing the case closed),
`case_not_run` for one that did not (not selected, run by another shard, or lost with a
missing shard). Metrics across the cases of a run are in metrics.py, the verdict in gate.py.
"""

from __future__ import annotations

import statistics

from driftgate.config import CaseSpec
from driftgate.cost import BUDGET_SKIP_REASON
from driftgate.results import CaseResult, RunResults, SampleResult, Status, Tokens
from driftgate.score.scorers import Score, wants_grounding
from driftgate.text import short_hash


def case_not_run(
    case: CaseSpec | CaseResult,
    selected: bool,
    selection_reason: str,
    status: Status = "skipped",
    error: str | None = None,
) -> CaseResult:
    """A case before it runs, or one that never will; with `error`, an error (fail closed)."""
    return CaseResult(
        **_identity(case),
        selected=selected,
        selection_reason=selection_reason,
        status=status,
        reasons=[error] if error else [],
        error=error,
    )


def case_result(case: CaseSpec, samples: list[SampleResult]) -> CaseResult:
    """One case from its samples: the mean score, the pass rate, the spread."""
    result = CaseResult(
        **_identity(case),
        min_grounding_ratio=case.min_grounding_ratio if wants_grounding(case) else None,
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
        result.latency_s = round_latency(statistics.median(latencies))
        result.latency_p95_s = round_latency(percentile(latencies, 0.95))
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


def fold_judge(result: CaseResult, score: Score) -> None:
    """The judge grades the case: a failing grade fails it even when its samples passed,
    a required judge that could not grade errors it."""
    if score.reason is not None:
        result.reasons.append(score.reason)
    if result.status != "passed":
        return
    if score.error is not None:
        result.status, result.error = "error", score.error
    elif score.reason is not None:
        result.status = "failed"


def budget_skip(result: CaseResult) -> None:
    """Samples `--max-cost` never started are skipped, not errors; a case none of whose
    samples started is skipped (not counted), one with some started stays an error."""
    skipped = [s for s in result.samples if s.error == BUDGET_SKIP_REASON]
    for sample in skipped:
        sample.status, sample.error, sample.reasons = "skipped", None, [BUDGET_SKIP_REASON]
    if skipped and len(skipped) == len(result.samples):
        result.status, result.error, result.reasons = "skipped", None, [BUDGET_SKIP_REASON]


def put_cases(results: RunResults, scored: list[CaseResult]) -> None:
    """Scored cases into their place in the results, keeping how they were selected and
    what sequential sampling already recorded."""
    for case_result in scored:
        index = next(i for i, c in enumerate(results.cases) if c.name == case_result.name)
        previous = results.cases[index]
        case_result.selected = previous.selected
        case_result.selection_reason = previous.selection_reason
        case_result.p_value_first = previous.p_value_first  # the first look stays the first
        case_result.extra_samples = previous.extra_samples
        results.cases[index] = case_result


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile of already sorted values."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def round_latency(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _identity(case: CaseSpec | CaseResult) -> dict:
    """What names a case in every result, from its spec or from an earlier record of it."""
    threshold = case.threshold if isinstance(case, CaseResult) else case.min_similarity
    return {
        "name": case.name,
        "line": case.line,
        "critical": case.critical,
        "tags": list(case.tags),
        "threshold": threshold,
        "definition_hash": case.definition_hash,
    }


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
