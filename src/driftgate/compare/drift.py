"""Per-case drift against a baseline: what moved, whether it is a regression, and when a
comparison would be meaningless (another embedding model, a changed expected text).

A suite average hides the one critical case that got worse, so everything here is per
case first; the run-level figures are summaries of the cases that could be compared.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection

from driftgate.compare.rules import count_regressions
from driftgate.compare.stats import regression_test
from driftgate.config.load import SuiteSpec
from driftgate.config.schema import Suite
from driftgate.results import BaselineInfo, CaseResult, RunResults

REVIEW_MEAN_DELTA = 0.05
DEFAULT_MAX_DROP = Suite.model_fields["max_drop"].default

Similarity = Callable[[str, str], float]


def scores(case: CaseResult) -> list[float]:
    """The similarity of every sample that produced one (errors carry none)."""
    if case.samples:
        return [s.similarity for s in case.samples if s.similarity is not None]
    return [case.similarity] if case.similarity is not None else []


def uncached_latencies(case: CaseResult) -> list[float]:
    """Latencies of real calls only: a cache hit takes ~0 s and would fake a speed-up
    (or, in the baseline, a slow-down of every later run)."""
    if case.samples:
        return [s.latency_s for s in case.samples if s.latency_s is not None and not s.cached]
    return [case.latency_s] if case.latency_s is not None else []


def cost_per_call(case: CaseResult) -> float | None:
    """Mean cost of the real calls, so a changed `samples:` or a cache hit is not drift."""
    if case.samples:
        paid = [s.cost_usd for s in case.samples if not s.cached and s.status != "error"]
        return statistics.fmean(paid) if paid else None
    return case.cost_usd / case.samples_n if case.samples_n else None


def ran(case: CaseResult) -> bool:
    return case.selected and case.status != "skipped"


def baseline_texts(baseline: RunResults | None, names: Collection[str] | None = None) -> list[str]:
    """The baseline outputs compare_to_baseline may pass to `similarity` (for the cases in
    `names`), so the pipeline embeds them in the same batch as the run's own texts."""
    if baseline is None:
        return []
    wanted = None if names is None else set(names)
    return [
        c.output
        for c in baseline.cases
        if c.output is not None and (wanted is None or c.name in wanted)
    ]


def compare_to_baseline(
    results: RunResults,
    baseline: RunResults | None,
    info: BaselineInfo | None,
    suite: SuiteSpec,
    similarity: Similarity,
) -> None:
    """Fill the per-case and summary baseline fields of `results` in place."""
    if baseline is None:
        return
    specs = {c.name: c for c in suite.cases}

    summary = results.summary
    summary.baseline = info
    if baseline.suite != results.suite:
        results.warnings.append(
            f"baseline is for suite '{baseline.suite}', this run is '{results.suite}': "
            f"cases are matched by name"
        )
    other_model = baseline.embedding_model != results.embedding_model
    since = f" (commit {info.commit[:7]})" if info and info.commit else ""
    base_cases = {c.name: c for c in baseline.cases}

    for case in results.cases:
        if not ran(case):
            continue
        spec = specs.get(case.name)
        base = base_cases.get(case.name)
        if base is None or not ran(base):
            case.comparable = False
            case.comparison_note = "new case: no baseline result yet"
            summary.new_cases.append(case.name)
            continue
        _drift_of_output_and_cost(case, base, similarity)
        note = _not_comparable(case, base, other_model, baseline, results, since)
        if note:
            case.comparable = False
            case.comparison_note = note
            continue
        case.comparable = True
        base_scores, cur_scores = scores(base), scores(case)
        case.baseline_similarity = round(statistics.fmean(base_scores), 4)
        case.delta = round(statistics.fmean(cur_scores) - statistics.fmean(base_scores), 4)
        max_drop = spec.max_drop if spec else DEFAULT_MAX_DROP
        if spec is not None:
            case.critical = spec.critical
        is_regression, ci = regression_test(
            base_scores, cur_scores, max_drop, suite.gate.confidence
        )
        case.regression = is_regression
        if len(base_scores) >= 2 and len(cur_scores) >= 2:
            case.delta_ci = [round(ci[0], 4), round(ci[1], 4)]
        if not is_regression and case.delta < -max_drop and case.delta_ci:
            case.comparison_note = (
                f"dropped {-case.delta:.2f} but within sampling noise "
                f"({suite.gate.confidence:.0%} interval {case.delta_ci[0]:+.3f}…"
                f"{case.delta_ci[1]:+.3f} includes 0)"
            )

    summary.removed_cases = [c.name for c in baseline.cases if c.name not in specs]
    summary.regressions, summary.critical_regressions = count_regressions(results)
    summarize_comparison(results)


def _not_comparable(
    case: CaseResult,
    base: CaseResult,
    other_model: bool,
    baseline: RunResults,
    results: RunResults,
    since: str,
) -> str | None:
    if other_model:
        return (
            f"baseline scored with embedding model '{baseline.embedding_model}', this run "
            f"with '{results.embedding_model}': similarities are not comparable; update the "
            f"baseline from the base branch"
        )
    if base.expected_hash and case.expected_hash and base.expected_hash != case.expected_hash:
        return f"expected text changed since the baseline{since}: drift not measured"
    if not scores(base):
        return f"baseline has no similarity for this case (status {base.status})"
    if not scores(case):
        return "no similarity in this run"
    return None


def _drift_of_output_and_cost(case: CaseResult, base: CaseResult, similarity: Similarity) -> None:
    """Output, latency and cost drift do not depend on the embedding model or the
    expected text, so they are reported even for cases whose scores can't be compared."""
    if case.output is not None and base.output is not None:
        case.output_drift = round(float(similarity(base.output, case.output)), 4)
    latencies = uncached_latencies(base)
    case.baseline_latency_s = round(statistics.median(latencies), 4) if latencies else None
    case.baseline_cost_usd = base.cost_usd
    case.baseline_pass_rate = base.passes / base.samples_n if base.samples_n else None
    case.baseline_latencies = latencies
    case.baseline_cost_per_call = cost_per_call(base)


def summarize_comparison(results: RunResults) -> None:
    """The run-level baseline figures, from the compared cases' own fields only, so that
    report.gate.summarize recomputes them and merged shards get the unsharded values."""
    compared = [c for c in results.cases if ran(c) and c.baseline_cost_usd is not None]
    if not compared:
        return
    summary = results.summary
    summary.mean_delta = summary.review_warning = summary.baseline_pass_at_1 = None
    summary.baseline_latency_median_s = summary.latency_increase = None
    summary.cost_increase = None
    deltas = [c.delta for c in compared if c.comparable and c.delta is not None]
    if deltas:
        summary.mean_delta = round(statistics.fmean(deltas), 4)
        if abs(summary.mean_delta) > REVIEW_MEAN_DELTA:
            direction = "dropped" if summary.mean_delta < 0 else "rose"
            summary.review_warning = (
                f"mean similarity {direction} by {abs(summary.mean_delta):.3f} over "
                f"{len(deltas)} compared case(s) (more than {REVIEW_MEAN_DELTA}): review the "
                f"change even where no single case regressed"
            )
    rates = [c.baseline_pass_rate for c in compared if c.baseline_pass_rate is not None]
    if rates:
        summary.baseline_pass_at_1 = round(statistics.fmean(rates), 4)

    # Only cases with real calls on both sides: one side's cache hits would skew the medians.
    timed = [(uncached_latencies(c), c.baseline_latencies or []) for c in compared]
    cur_lat = [x for c, b in timed if c and b for x in c]
    base_lat = [x for c, b in timed if c and b for x in b]
    if base_lat:
        summary.baseline_latency_median_s = round(statistics.median(base_lat), 4)
    if base_lat and statistics.median(base_lat) > 0:
        summary.latency_increase = round(
            statistics.median(cur_lat) / statistics.median(base_lat) - 1.0, 4
        )
    summary.baseline_cost_usd = round(sum(c.baseline_cost_usd for c in compared), 6)
    paired = [(cost_per_call(c), c.baseline_cost_per_call) for c in compared]
    paired = [(c, b) for c, b in paired if c is not None and b is not None]
    base_cost = sum(b for _, b in paired)
    if base_cost > 0:
        summary.cost_increase = round(sum(c for c, _ in paired) / base_cost - 1.0, 4)
