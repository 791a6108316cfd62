"""Which cases run: changed files (changes), pattern matching (patterns), the fail-safe
rules with a reason per case (selection), and the `driftgate select` command (command)."""

from driftgate.select.changes import (
    ChangeSet,
    changes_between,
    changes_from_list,
    changes_from_paths,
    changes_since,
)
from driftgate.select.selection import Selection, SelectionResult, select_cases

__all__ = [
    "ChangeSet",
    "Selection",
    "SelectionResult",
    "changes_between",
    "changes_from_list",
    "changes_from_paths",
    "changes_since",
    "select_cases",
]
