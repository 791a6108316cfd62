"""The gate's baseline rules: which drift fails a pull request, each with its reason.

report/gate.py owns the verdict; it asks this module for the reasons that come from the
comparison so the rules live next to the statistics that justify them.
"""

from __future__ import annotations

from driftgate.results import CaseResult, RunResults


def count_regressions(results: RunResults) -> tuple[int, int]:
    """(regressions, critical regressions), from the cases so merged shards count right."""
    regressed = [c for c in results.cases if c.selected and c.regression]
    return len(regressed), sum(c.critical for c in regressed)


def baseline_gate_reasons(results: RunResults) -> list[str]:
    """Reasons to fail the run: any critical regression (even above its threshold), other
    regressions with `fail_on_regression`, latency / cost growth past the configured limit.
    Reads the gate settings recorded in the results, like the rest of the verdict."""
    gate = results.gate
    reasons = []
    for case in results.cases:
        if case.selected and case.regression and (case.critical or gate.fail_on_regression):
            reasons.append(_regression_reason(case))
    summary = results.summary
    for what, increase, limit, key in (
        ("median latency", summary.latency_increase, gate.max_latency_increase, "latency"),
        ("cost per call", summary.cost_increase, gate.max_cost_increase, "cost"),
    ):
        if limit is not None and increase is not None and increase > limit:
            reasons.append(
                f"{what} {increase:+.0%} against the baseline "
                f"(gate.max_{key}_increase allows {limit:+.0%})"
            )
    return reasons


def _regression_reason(case: CaseResult) -> str:
    kind = "critical case" if case.critical else "case"
    now = case.baseline_similarity + case.delta
    text = (
        f"{kind} '{case.name}' regressed: similarity {case.baseline_similarity:.2f} → "
        f"{now:.2f} (Δ {case.delta:+.2f})"
    )
    if case.delta_ci:
        text += f", {case.delta_ci[0]:+.3f}…{case.delta_ci[1]:+.3f} interval excludes 0"
    if case.critical and case.threshold is not None and now >= case.threshold:
        text += f"; still above its threshold {case.threshold:.2f}, but a critical drop blocks"
    return text
