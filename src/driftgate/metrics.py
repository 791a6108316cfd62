"""The metrics: a run's cases → its summary figures (counts, pass@k, tokens, cost, latency).

Read from the cases alone, so a merge of shards or a re-read of an old results file gets
the figures of one run. How one case is reduced from its samples is score/reduce.py; what
the figures decide is gate.py.
"""

from __future__ import annotations

import statistics

from driftgate.compare.stats import suite_pass_at
from driftgate.results import CaseResult, RunResults, Tokens
from driftgate.score.reduce import percentile


def gate_counts(case: CaseResult) -> tuple[int, int]:
    """(samples, passes) as pass@k and the gate count them: an error passes nothing, and a
    case that failed on a case-level rule (the judge) while every sample passed counts 0."""
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


def suite_metrics(results: RunResults) -> None:
    """Recompute the summary's figures from the cases; baseline figures are compare's."""
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
    # Reported beside pass@1: the share of selected cases that pass (half their samples or
    # more); one the budget left unrun did not pass.
    summary.pass_rate = round(summary.passed / len(selected), 6) if selected else None
    summary.samples_spent = sum(c.samples_n for c in ran)
    summary.extra_samples = sum(c.extra_samples for c in ran)
    judged = [c.judge for c in cases if c.judge and c.judge.score is not None]
    summary.judged = len(judged)
    summary.judge_mean_score = (
        round(statistics.fmean(j.score for j in judged), 3) if judged else None
    )
    summary.tokens = sum((c.tokens for c in cases), Tokens()) + sum(
        (c.judge.tokens for c in cases if c.judge), Tokens()
    )
    summary.cost_usd = round(
        sum(c.cost_usd for c in cases) + sum(c.judge.cost_usd for c in cases if c.judge), 6
    )
    latencies = sorted(s.latency_s for c in ran for s in c.samples if s.latency_s is not None)
    if latencies:
        summary.latency_median_s = round(statistics.median(latencies), 4)
        summary.latency_p95_s = round(percentile(latencies, 0.95), 4)
