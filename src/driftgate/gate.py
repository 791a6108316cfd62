"""The gate: the one place that decides pass or fail, and so the exit code, from the cases.

It reads only the results (and the gate settings they record), so a merge of shard
results or a re-read of an old file reaches the same verdict as the run that wrote it.

The invariants (docs/gate.md; tests/gate/test_invariants.py checks them with hypothesis
over generated results). Any doubt fails closed:

1. A selected case whose status is `error` passed nothing: it counts as 0 passes in
   pass@1, in every pass@k and in the `min_pass_rate` rule, whatever its samples say.
   A `failed` case never counts as fully passed. Nothing that errored is averaged away
   (metrics.gate_counts).
2. A selected critical case that failed, errored, regressed or was not run (the `--max-cost`
   budget ran out before it) fails the gate.
3. PASS implies the share of selected cases that passed (an error, a failure or a case the
   `--max-cost` budget left unrun is not a pass) is at least `min_pass_rate`; compared
   unrounded, so that 1999 of 2000 never rounds up to 1.00, and so that a NaN rate fails
   (`not rate >= min`). With samples a case passes when at least half of its samples pass;
   pass@1 (the mean share of passing samples, errors as 0) is reported beside it, and is
   what the baseline comparison reads.
4. A score that is not a finite number (NaN, inf, missing) never passes a case
   (score/scorers.py); a non-finite cached embedding is a cache miss (cache.py).
"""

from __future__ import annotations

import math

from driftgate.compare.drift import summarize_comparison
from driftgate.compare.rules import baseline_gate_reasons, count_regressions, decide_regressions
from driftgate.errors import EXIT_FAIL, EXIT_PASS
from driftgate.metrics import suite_metrics
from driftgate.results import CaseResult, RunResults, Summary
from driftgate.text import plural


def summarize(results: RunResults) -> Summary:
    """The summary and the verdict, recomputed from the cases; keeps the baseline fields
    already set."""
    summary = results.summary
    suite_metrics(results)
    decide_regressions(results)
    summary.regressions, summary.critical_regressions = count_regressions(results)
    summarize_comparison(results)
    summary.gate_reasons = gate_reasons(results)
    summary.verdict = "fail" if summary.gate_reasons else "pass"
    return summary


def block(results: RunResults, reason: str) -> None:
    """Fail the run for a reason its cases can't show (a merge missing a shard), first."""
    results.summary.gate_reasons.insert(0, reason)
    results.summary.verdict = "fail"


def exit_code(results: RunResults) -> int:
    """0 when the gate passed, 1 when it failed (2, a usage error, is the CLI's)."""
    return EXIT_PASS if results.summary.verdict == "pass" else EXIT_FAIL


def critical_blockers(results: RunResults) -> list[CaseResult]:
    """Selected critical cases that fail the gate: failed, errored, not run or regressed."""
    return [
        c
        for c in results.cases
        if c.selected
        and c.critical
        and (c.status in ("failed", "error", "skipped") or c.regression)
    ]


def case_pass_rate(results: RunResults) -> tuple[int, int, float | None]:
    """(passed, selected, passed / selected), unrounded. A selected case the budget left
    unrun is in the denominator: what was not checked did not pass."""
    selected = [c for c in results.cases if c.selected]
    passed = sum(c.status == "passed" for c in selected)
    return passed, len(selected), (passed / len(selected) if selected else None)


def gate_reasons(results: RunResults) -> list[str]:
    """Why the gate fails, most serious first; empty means it passes."""
    gate = results.gate
    reasons = []
    for case in results.cases:
        if case.selected and case.critical and case.status in ("failed", "error"):
            what = "errored" if case.status == "error" else "failed"
            detail = "; ".join(case.reasons[:2])
            reasons.append(f"critical case '{case.name}' {what}: {detail}")
        elif case.selected and case.critical and case.status == "skipped":
            reasons.append(
                f"critical case '{case.name}' was not run ({'; '.join(case.reasons[:1])}): "
                "raise --max-cost so the run can check it"
            )
    passed, ran, rate = case_pass_rate(results)
    if rate is not None and not (math.isfinite(rate) and rate >= gate.min_pass_rate):
        shown = f"{rate:.2f}"
        if shown == f"{gate.min_pass_rate:.2f}":  # 0.9995 is not 1.00
            shown = f"{math.floor(rate * 1e6) / 1e6:.6f}"
        reasons.append(
            f"{passed} of {plural(ran, 'case')} passed ({shown}) "
            f"< min_pass_rate {gate.min_pass_rate:.2f}"
        )
    reasons += baseline_gate_reasons(results)
    return reasons
