"""Which cases run. Every case gets a flag and a reason, so nothing is skipped silently."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from driftgate.config import CaseSpec, SuiteSpec
from driftgate.errors import UsageError


@dataclass(frozen=True)
class Selection:
    case: CaseSpec
    selected: bool
    reason: str


@dataclass
class SelectionResult:
    selections: list[Selection]
    warnings: list[str] = field(default_factory=list)

    @property
    def selected(self) -> list[CaseSpec]:
        return [s.case for s in self.selections if s.selected]


def select_cases(
    suite: SuiteSpec,
    changes=None,
    *,
    names: list[str] | None = None,
    tags: list[str] | None = None,
) -> SelectionResult:
    """A full run: every case, narrowed by --cases / --tags when given."""
    known = [c.name for c in suite.cases]
    for name in names or []:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"--cases: no case named '{name}' in {suite.path}{hint}")
    selections = []
    for case in suite.cases:
        if names and case.name not in names:
            selections.append(Selection(case, False, "not in --cases"))
        elif tags and not set(tags) & set(case.tags):
            selections.append(Selection(case, False, f"no tag in --tags {','.join(tags)}"))
        else:
            selections.append(Selection(case, True, "full run"))
    return SelectionResult(selections)
