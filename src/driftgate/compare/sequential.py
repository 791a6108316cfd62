"""Sequential sampling: more samples only where the gate is unsure, so quiet cases stay cheap.

After the first look (every case at its `samples:`), a case that can block and dropped by
more than its floor, but not clearly enough to decide (first-look Holm p above
`alpha_first_look`) and not clearly noise (one-sided p below FUTILITY_P), gets another
`samples:` batch, up to `max_samples`. Stopping early for futility never adds false
blocks; the final look spends the rest of the error (compare/rules.py).
"""

from __future__ import annotations

from driftgate.compare.rules import ALPHA_FIRST_SHARE, first_look_rejections, tested_families
from driftgate.config.load import CaseSpec, SuiteSpec
from driftgate.config.schema import OutputsTarget
from driftgate.results import RunResults

FUTILITY_P = 0.2  # a drop this likely under noise alone is not worth more samples


def can_extend(case: CaseSpec, outputs_override: bool) -> bool:
    """An outputs file holds what it holds: only generating targets can draw more."""
    if outputs_override or isinstance(case.target, OutputsTarget) or case.target is None:
        return False
    return case.max_samples > case.samples


def first_look_alpha(results: RunResults, cases: list[CaseSpec], extendable: set[str]) -> float:
    """The share of the error the first look spends: none when no case can draw more."""
    blocking = [c for c in cases if c.critical or results.gate.fail_on_regression]
    if not any(c.name in extendable for c in blocking):
        return 0.0
    return round(ALPHA_FIRST_SHARE * (1.0 - results.gate.confidence), 8)


def more_samples(results: RunResults, suite: SuiteSpec, extendable: set[str]) -> dict[str, int]:
    """{case name: how many more samples} for the ambiguous cases that can still draw."""
    specs = {c.name: c for c in suite.cases}
    blocking, _ = tested_families(results)
    decided = first_look_rejections(blocking, results)
    todo: dict[str, int] = {}
    for case in blocking:
        spec = specs.get(case.name)
        if spec is None or case.name not in extendable or case.name in decided:
            continue
        room = spec.max_samples - case.samples_n
        dropped = case.delta < -(case.max_drop or 0.0)
        if room > 0 and dropped and case.p_value < FUTILITY_P:
            todo[case.name] = min(spec.samples, room)
    return todo
