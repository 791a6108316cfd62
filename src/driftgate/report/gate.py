"""The verdict: one place decides pass or fail, from the case results alone.

It reads only the results (and the gate settings they record), so a merge of shard
results or a re-read of an old file reaches the same verdict as the run that wrote it.
"""

from __future__ import annotations

import statistics

from driftgate.compare.drift import summarize_comparison
from driftgate.compare.rules import baseline_gate_reasons, count_regressions, decide_regressions
from driftgate.compare.stats import suite_pass_at
from driftgate.results import RunResults, Summary, Tokens


def summarize(results: RunResults) -> Summary:
    """Recompute counts and the verdict; keeps baseline-related fields already set."""
    summary = results.summary
    cases = results.cases
    selected = [c for c in cases if c.selected]
    ran = [c for c in selected if c.status != "skipped"]
    summary.total = len(cases)
    summary.selected = len(selected)
    summary.skipped = len(cases) - len(selected)
    summary.passed = sum(c.status == "passed" for c in selected)
    summary.failed = sum(c.status == "failed" for c in selected)
    summary.errors = sum(c.status == "error" for c in selected)
    summary.critical_failures = sum(
        c.critical and c.status in ("failed", "error") for c in selected
    )
    # One definition everywhere: a case passes when half or more of its samples pass (an
    # error is a failure); the gate holds the share of passing cases to min_pass_rate.
    summary.pass_rate = round(summary.passed / len(ran), 6) if ran else None
    summary.pass_at_1 = round(statistics.fmean(c.pass_rate or 0.0 for c in ran), 6) if ran else None
    summary.samples_spent = sum(c.samples_n for c in ran)
    summary.extra_samples = sum(c.extra_samples for c in ran)
    summary.pass_at_k = suite_pass_at(
        [(c.samples_n, c.passes) for c in ran], results.gate.pass_at_k
    )[1]
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


def gate_reasons(results: RunResults) -> list[str]:
    """Why the gate fails, most serious first; empty means it passes."""
    summary, gate = results.summary, results.gate
    reasons = []
    for case in results.cases:
        if case.selected and case.critical and case.status in ("failed", "error"):
            what = "errored" if case.status == "error" else "failed"
            detail = "; ".join(case.reasons[:2])
            reasons.append(f"critical case '{case.name}' {what}: {detail}")
    if summary.pass_rate is not None and summary.pass_rate < gate.min_pass_rate:
        ran = summary.passed + summary.failed + summary.errors
        reasons.append(
            f"{summary.passed}/{ran} cases passed ({summary.pass_rate:.2f}) < min_pass_rate "
            f"{gate.min_pass_rate:.2f}"
        )
    reasons += baseline_gate_reasons(results)
    return reasons
