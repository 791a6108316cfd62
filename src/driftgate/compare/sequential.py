"""Sequential sampling: more samples only where the gate is unsure, so quiet cases stay cheap.

After the first look (every case at its `samples:`), a case that can block and dropped,
but not clearly enough to decide (first-look Holm p above `alpha_first_look`) and not
clearly noise (one-sided p below FUTILITY_P), gets another `samples:` batch, up to
`max_samples`. Stopping early for futility never adds false blocks; the final look spends
the rest of the error (compare/rules.py). A drop still under its floor keeps drawing: with
five samples a real drop of twice the noise shows under 0.02 about one time in ten.
"""

from __future__ import annotations

from driftgate.compare.rules import ALPHA_FIRST_SHARE, first_look_rejections, tested_families
from driftgate.config.load import CaseSpec, SuiteSpec
from driftgate.results import RunResults

FUTILITY_P = 0.3  # a drop this likely under noise alone is not worth more samples


def sample_bound(case: CaseSpec, runner) -> int:
    """How many samples this case may reach: `max_samples`, or what an outputs file holds
    (an outputs file holds what it holds), and no more than `samples` without a target."""
    if runner is None:
        return case.samples
    available = getattr(runner, "available", None)
    bound = case.max_samples if available is None else min(case.max_samples, available(case.name))
    return max(case.samples, bound)


def first_look_alpha(results: RunResults, cases: list[CaseSpec], bounds: dict[str, int]) -> float:
    """The share of the error the first look spends: none when no case can draw more."""
    blocking = [c for c in cases if c.critical or results.gate.fail_on_regression]
    if not any(bounds.get(c.name, 0) > c.samples for c in blocking):
        return 0.0
    return round(ALPHA_FIRST_SHARE * (1.0 - results.gate.confidence), 8)


def more_samples(results: RunResults, suite: SuiteSpec, bounds: dict[str, int]) -> dict[str, int]:
    """{case name: how many more samples} for the ambiguous cases that can still draw."""
    specs = {c.name: c for c in suite.cases}
    blocking, _ = tested_families(results)
    decided = first_look_rejections(blocking, results)
    todo: dict[str, int] = {}
    for case in blocking:
        spec = specs.get(case.name)
        if spec is None or case.name in decided:
            continue
        room = bounds.get(case.name, 0) - case.samples_n
        if room > 0 and case.delta < 0 and case.p_value < FUTILITY_P:
            todo[case.name] = min(spec.samples, room)
    return todo
