"""The verdict: one place decides pass or fail, from the case results alone.

It reads only the results (and the gate settings they record), so a merge of shard
results or a re-read of an old file reaches the same verdict as the run that wrote it.

The invariants (docs/gate.md; tests/gate/test_invariants.py checks them with hypothesis
over generated results). Any doubt fails closed:

1. A selected case whose status is `error` passed nothing: it counts as 0 passes in
   pass@1, in every pass@k and in the `min_pass_rate` rule, whatever its samples say.
   A `failed` case never counts as fully passed. Nothing that errored is averaged away.
2. A selected critical case that failed, errored or regressed fails the gate.
3. PASS implies the share of selected cases that ran and passed (an error or a failure is
   not a pass) is at least `min_pass_rate`; compared unrounded, so that 1999 of 2000 never
   rounds up to 1.00, and so that a NaN rate fails (`not rate >= min`). With samples a case
   passes when at least half of its samples pass; pass@1 (the mean share of passing samples,
   errors as 0) is reported beside it, and is what the baseline comparison reads.
4. A score that is not a finite number (NaN, inf, missing) never passes a case
   (score/scoring.py); a non-finite cached embedding is a cache miss (cache.py).
"""

from __future__ import annotations

import math
import statistics

from driftgate.compare.drift import summarize_comparison
from driftgate.compare.rules import baseline_gate_reasons, count_regressions, decide_regressions
from driftgate.compare.stats import suite_pass_at
from driftgate.results import CaseResult, RunResults, Summary, Tokens


def gate_counts(case: CaseResult) -> tuple[int, int]:
    """(samples, passes) as the gate counts them: an error passes nothing, and a case that
    failed on a case-level rule (the judge) while every sample passed counts 0 passes."""
    if case.samples_n < 1:  # a result without sample counts: its status decides
        return 1, int(case.status == "passed")
    n = case.samples_n
    if case.status == "error":
        return n, 0
    passes = min(max(case.passes, 0), n)
    if case.status == "failed" and passes == n:
        return n, 0
    return n, passes


def ran_cases(results: RunResults) -> list[CaseResult]:
    """Selected cases that were run (a budget skip was not)."""
    return [c for c in results.cases if c.selected and c.status != "skipped"]


def critical_blockers(results: RunResults) -> list[CaseResult]:
    """Selected critical cases that fail the gate: failed, errored or regressed."""
    return [
        c
        for c in results.cases
        if c.selected and c.critical and (c.status in ("failed", "error") or c.regression)
    ]


def summarize(results: RunResults) -> Summary:
    """Recompute counts and the verdict; keeps baseline-related fields already set."""
    summary = results.summary
    cases = results.cases
    selected = [c for c in cases if c.selected]
    ran = ran_cases(results)
    summary.total = len(cases)
    summary.selected = len(selected)
    summary.skipped = len(cases) - len(selected)
    summary.passed = sum(c.status == "passed" for c in selected)
    summary.failed = sum(c.status == "failed" for c in selected)
    summary.errors = sum(c.status == "error" for c in selected)
    summary.critical_failures = sum(
        c.critical and c.status in ("failed", "error") for c in selected
    )
    at_1, at_k, _ = suite_pass_at([gate_counts(c) for c in ran], results.gate.pass_at_k)
    summary.pass_at_1 = None if at_1 is None else round(at_1, 6)
    summary.pass_at_k = at_k
    # Reported beside pass@1: the share of run cases that pass (half their samples or more).
    summary.pass_rate = round(summary.passed / len(ran), 6) if ran else None
    summary.samples_spent = sum(c.samples_n for c in ran)
    summary.extra_samples = sum(c.extra_samples for c in ran)
    decide_regressions(results)
    summary.regressions, summary.critical_regressions = count_regressions(results)
    summary.tokens = sum((c.tokens for c in cases), Tokens())
    judged = [c.judge for c in cases if c.judge and c.judge.score is not None]
    summary.judged = len(judged)
    summary.judge_mean_score = (
        round(statistics.fmean(j.score for j in judged), 3) if judged else None
    )
    summary.tokens = summary.tokens + sum((c.judge.tokens for c in cases if c.judge), Tokens())
    summary.cost_usd = round(
        sum(c.cost_usd for c in cases) + sum(c.judge.cost_usd for c in cases if c.judge), 6
    )
    latencies = sorted(s.latency_s for c in ran for s in c.samples if s.latency_s is not None)
    if latencies:
        from driftgate.score.scoring import percentile

        summary.latency_median_s = round(statistics.median(latencies), 4)
        summary.latency_p95_s = round(percentile(latencies, 0.95), 4)
    summarize_comparison(results)
    summary.gate_reasons = gate_reasons(results)
    summary.verdict = "fail" if summary.gate_reasons else "pass"
    return summary


def case_pass_rate(results: RunResults) -> tuple[int, int, float | None]:
    """(passed, ran, passed / ran) over the selected cases that ran, unrounded."""
    ran = ran_cases(results)
    passed = sum(c.status == "passed" for c in ran)
    return passed, len(ran), (passed / len(ran) if ran else None)


def gate_reasons(results: RunResults) -> list[str]:
    """Why the gate fails, most serious first; empty means it passes."""
    gate = results.gate
    reasons = []
    for case in results.cases:
        if case.selected and case.critical and case.status in ("failed", "error"):
            what = "errored" if case.status == "error" else "failed"
            detail = "; ".join(case.reasons[:2])
            reasons.append(f"critical case '{case.name}' {what}: {detail}")
    passed, ran, rate = case_pass_rate(results)
    if rate is not None and not (math.isfinite(rate) and rate >= gate.min_pass_rate):
        shown = f"{rate:.2f}"
        if shown == f"{gate.min_pass_rate:.2f}":  # 0.9995 is not 1.00
            shown = f"{math.floor(rate * 1e6) / 1e6:.6f}"
        word = "case" if ran == 1 else "cases"
        reasons.append(
            f"{passed} of {ran} {word} passed ({shown}) < min_pass_rate {gate.min_pass_rate:.2f}"
        )
    reasons += baseline_gate_reasons(results)
    return reasons
