"""The gate's baseline rules: which drift fails a pull request, each with its reason.

gate.py owns the verdict; it asks this module for the reasons that come from the
comparison so the rules live next to the statistics that justify them.

The regression rule (docs/statistics.md): a case regresses when its mean similarity
dropped by more than its floor (`max_drop`, else MIN_DROP) and the drop is significant
after Holm's correction across the cases that can block the run, at 1 - gate.confidence.
With sequential sampling the error is split between two looks (Bonferroni): the first
look at `alpha_first_look`, the look with every sample at the rest. Everything is read
from the results, so a merge of shards corrects across all of them.
"""

from __future__ import annotations

from driftgate.compare.stats import EPS, holm
from driftgate.results import CaseResult, RunResults

MIN_DROP = 0.02  # with a known noise and no max_drop: a smaller drop never blocks
PLAIN_MAX_DROP = 0.05  # no noise known (one sample each side) and no max_drop
ALPHA_FIRST_SHARE = 0.2  # with sequential sampling: the share of alpha the first look spends


def drop_floor(spec, noise) -> float:
    """The smallest drop that counts: the case's `max_drop`, else by what is known."""
    if spec is not None and spec.max_drop is not None:
        return spec.max_drop
    return MIN_DROP if noise is not None else PLAIN_MAX_DROP


def count_regressions(results: RunResults) -> tuple[int, int]:
    """(regressions, critical regressions), from the cases so merged shards count right."""
    regressed = [c for c in results.cases if c.selected and c.regression]
    return len(regressed), sum(c.critical for c in regressed)


def can_block(case: CaseResult, results: RunResults) -> bool:
    return case.critical or results.gate.fail_on_regression


def tested_families(results: RunResults) -> tuple[list[CaseResult], list[CaseResult]]:
    """(cases that can block, cases only reported) among those with a p-value: each is
    corrected on its own, so report-only cases never cost the blocking ones power."""
    tested = [
        c
        for c in results.cases
        if c.selected and c.comparable and c.delta is not None and c.p_value is not None
    ]
    blocking = [c for c in tested if can_block(c, results)]
    return blocking, [c for c in tested if not can_block(c, results)]


def first_look_rejections(family: list[CaseResult], results: RunResults) -> set[str]:
    """Cases already significant at the first look (sequential sampling stops there)."""
    alpha = results.gate.alpha_first_look
    if alpha <= 0 or not family:
        return set()
    adjusted = holm([_first(c) for c in family])
    return {c.name for c, p in zip(family, adjusted, strict=True) if p <= alpha and _big(c)}


def decide_regressions(results: RunResults) -> None:
    """Set `regression`, `p_adjusted`, `regression_reason` on every compared case."""
    gate = results.gate
    last_alpha = (1.0 - gate.confidence) - gate.alpha_first_look
    for family in tested_families(results):
        early = first_look_rejections(family, results)
        adjusted = holm([c.p_value for c in family])
        first = holm([_first(c) for c in family]) if early else adjusted
        for case, p_last, p_first in zip(family, adjusted, first, strict=True):
            at_first = case.name in early
            case.regression = at_first or (_big(case) and p_last <= last_alpha)
            case.p_adjusted = round(p_first if at_first else p_last, 6)
            case.regression_reason = _how_sure(case, len(family), results)
            case.comparison_note = None
            if not case.regression and case.delta < -case.max_drop - EPS:
                case.comparison_note = (
                    f"dropped {-case.delta:.2f} but within this case's noise "
                    f"({_p_text(case, len(family), results)}): not a regression"
                )
    for case in results.cases:
        plain = case.selected and case.comparable and case.p_value is None
        if plain and case.delta is not None and case.max_drop is not None:
            case.regression = case.delta < -case.max_drop - EPS
            case.regression_reason = (
                f"dropped {-case.delta:.2f} > max_drop {case.max_drop:.2f} (one sample on each "
                f"side and no recorded noise: the plain rule)"
                if case.regression
                else None
            )


def _first(case: CaseResult) -> float:
    return case.p_value if case.p_value_first is None else case.p_value_first


def _big(case: CaseResult) -> bool:
    return case.delta < -(case.max_drop or 0.0) - EPS


def _p_text(case: CaseResult, family: int, results: RunResults) -> str:
    kind = "critical case" if not results.gate.fail_on_regression else "case that can block"
    if not can_block(case, results):
        kind = "reported (non-blocking) case"
    p = case.p_adjusted
    shown = f"p = {p:.3f}" if p >= 0.001 else "p < 0.001"
    if family == 1:
        return f"{shown}, the only {kind} compared"
    return f"{shown} after correction for {family} {kind}s"


def _how_sure(case: CaseResult, family: int, results: RunResults) -> str | None:
    """ "drop 0.11, 2.4× this case's noise (sd 0.045), p = 0.002 after correction for 3
    critical cases": what a reader needs to trust a block."""
    if not case.regression:
        return None
    text = f"drop {-case.delta:.2f}"
    if case.noise_sd:
        text += f", {-case.delta / case.noise_sd:.1f}× this case's noise (sd {case.noise_sd:.3f})"
    else:
        text += ", the case's outputs do not vary (sd 0)"
    text += f", {_p_text(case, family, results)}"
    if case.extra_samples:
        text += f", {case.samples_n} samples ({case.extra_samples} drawn because it was close)"
    return text


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
    if case.regression_reason:
        text += f"; {case.regression_reason}"
    elif case.delta_ci:
        text += f", {case.delta_ci[0]:+.3f}…{case.delta_ci[1]:+.3f} interval excludes 0"
    if case.critical and case.threshold is not None and now >= case.threshold:
        text += f"; still above its threshold {case.threshold:.2f}, but a critical drop blocks"
    return text
