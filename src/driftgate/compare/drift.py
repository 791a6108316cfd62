"""Per-case drift against a baseline: what moved, whether it is a regression, and when a
comparison would be meaningless (another embedding model, a changed expected text).

A suite average hides the one critical case that got worse, so everything here is per
case first; the run-level figures are summaries of the cases that could be compared.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection

from driftgate.compare.rules import count_regressions, decide_regressions, drop_floor
from driftgate.compare.stats import Noise, drop_interval, drop_p_value, pool_noise
from driftgate.config.load import CaseSpec, SuiteSpec
from driftgate.results import BaselineInfo, CaseResult, RunResults
from driftgate.text import plural

REVIEW_MEAN_DELTA = 0.05

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
    summary.new_cases, summary.removed_cases = [], []  # idempotent: sequential sampling re-runs it
    legacy = 0
    if baseline.suite != results.suite:
        _warn(
            results,
            f"baseline is for suite '{baseline.suite}', this run is '{results.suite}': "
            f"cases are matched by name",
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
        delta = statistics.fmean(cur_scores) - statistics.fmean(base_scores)
        case.delta = round(delta, 4)
        if spec is not None:
            case.critical = spec.critical
        prior = recorded_noise(base)
        if prior is None:
            # One sample has no spread to record: only a baseline of several is "older".
            legacy += len(base_scores) > 1
            prior = pool_noise(calibrated_noise(spec), Noise.of(base_scores))
        noise = pool_noise(prior, Noise.of(cur_scores))
        _keep_noise(case, noise)
        case.max_drop = drop_floor(spec, noise)
        case.delta_ci = None
        if noise is None:  # one sample on each side and nothing recorded: the plain rule
            case.p_value = case.p_value_first = None
            continue
        nb, nc = len(base_scores), len(cur_scores)
        case.p_value = round(drop_p_value(delta, nb, nc, noise), 8)
        if case.p_value_first is None:
            case.p_value_first = case.p_value
        low, high = drop_interval(delta, nb, nc, noise, suite.gate.confidence)
        case.delta_ci = [round(low, 4), round(high, 4)]

    if legacy:
        _warn(
            results,
            f"the baseline records no per-case noise for {plural(legacy, 'compared case')} "
            f"(written by "
            f"an older driftgate or before any run measured it): their noise is estimated from "
            f"the baseline's and this run's samples (and `noise_sd` where calibrated); the next "
            f"baseline records it",
        )
    summary.removed_cases = [c.name for c in baseline.cases if c.name not in specs]
    decide_regressions(results)
    summary.regressions, summary.critical_regressions = count_regressions(results)
    summarize_comparison(results)


def _warn(results: RunResults, text: str) -> None:
    if text not in results.warnings:
        results.warnings.append(text)


def recorded_noise(case: CaseResult) -> Noise | None:
    """The noise a results file recorded for a case (None from an older driftgate)."""
    if case.noise_sd is None or not case.noise_df:
        return None
    return Noise(case.noise_sd, case.noise_df)


def calibrated_noise(spec: CaseSpec | None) -> Noise | None:
    """The spread `driftgate calibrate` measured and wrote into the suite file."""
    if spec is None or spec.noise_sd is None or not spec.noise_samples:
        return None
    return Noise(spec.noise_sd, spec.noise_samples - 1)


def record_noise(results: RunResults, suite: SuiteSpec) -> None:
    """Every case's own noise (its samples, and its calibration), so that the results,
    once a baseline, carry it; compare_to_baseline adds the baseline's history to it."""
    specs = {c.name: c for c in suite.cases}
    for case in results.cases:
        if ran(case):
            _keep_noise(
                case, pool_noise(calibrated_noise(specs.get(case.name)), Noise.of(scores(case)))
            )


def _keep_noise(case: CaseResult, noise: Noise | None) -> None:
    case.noise_sd = None if noise is None else round(noise.sd, 6)
    case.noise_df = None if noise is None else noise.df


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
    if not all(math.isfinite(v) for v in scores(base) + scores(case)):
        return "a similarity is not a number (NaN/inf): drift not measured, the case fails"
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
    gate.summarize recomputes them and merged shards get the unsharded values."""
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
                f"{plural(len(deltas), 'compared case')} (more than {REVIEW_MEAN_DELTA}): "
                f"review the change even where no single case regressed"
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
