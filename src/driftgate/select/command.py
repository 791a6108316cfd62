"""`driftgate select`: the dry run that shows which cases a change would run, and why.

`add_select_arguments` and `change_set_from_args` are shared with `driftgate run`, so both
commands read the change source the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from driftgate.config.load import load_suite
from driftgate.select.changes import ChangeSet, changes_from_list, changes_since
from driftgate.select.selection import SelectionResult, select_cases


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def add_select_arguments(parser: argparse.ArgumentParser) -> None:
    """The change source (--changed-since / --changed-files / --all) and --cases / --tags."""
    group = parser.add_argument_group("case selection")
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--changed-since",
        metavar="REF",
        help="run the cases affected by files changed since `git merge-base REF HEAD`",
    )
    source.add_argument(
        "--changed-files",
        metavar="FILE",
        help="run the cases affected by the paths listed in FILE, one per line ('-' = stdin)",
    )
    source.add_argument(
        "--all", action="store_true", help="run every case (the default without a change source)"
    )
    group.add_argument(
        "--cases", type=_csv, action="extend", metavar="A,B", help="only these cases (by name)"
    )
    group.add_argument(
        "--tags",
        type=_csv,
        action="extend",
        metavar="T,U",
        help="only cases with any of these tags",
    )


def change_set_from_args(
    args: argparse.Namespace, root: Path, stdin: TextIO | None = None
) -> ChangeSet | None:
    """The change the user named, or None for a full run."""
    if getattr(args, "all", False):
        return None
    if getattr(args, "changed_since", None):
        return changes_since(args.changed_since, root)
    if getattr(args, "changed_files", None):
        return changes_from_list(args.changed_files, root, stdin=stdin)
    return None


def add_select_command_arguments(parser: argparse.ArgumentParser) -> None:
    """`driftgate select`'s own flags (the CLI adds --config)."""
    parser.add_argument("--json", action="store_true", help="print the selection as JSON")
    add_select_arguments(parser)


def select_command(
    args: argparse.Namespace,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    suite = load_suite(args.config)
    changes = change_set_from_args(args, suite.root, stdin=stdin)
    result = select_cases(suite, changes, names=args.cases, tags=args.tags)
    if args.json:
        json.dump(selection_json(result, suite.relpath), out, indent=2)
        out.write("\n")
    else:
        out.write(selection_table(result))
    for issue in suite.warnings:
        err.write(f"warning: {issue.located}\n")
    for warning in result.warnings:
        err.write(f"warning: {warning}\n")
    return 0


def selection_json(result: SelectionResult, config: str) -> dict:
    changes = result.changes
    return {
        "config": config,
        "changes": None
        if changes is None
        else {
            "source": changes.source,
            "base": changes.base,
            "files": sorted(changes.files) if changes.files is not None else None,
            "truncated": changes.truncated,
            "reason": changes.reason,
        },
        "cases": [
            {
                "name": s.case.name,
                "line": s.case.line,
                "selected": s.selected,
                "reason": s.reason,
                "rule": s.rule,
            }
            for s in result.selections
        ],
        "summary": {
            "total": len(result.selections),
            "selected": len(result.selected),
            "skipped": len(result.skipped),
        },
        "warnings": list(result.warnings),
    }


def selection_table(result: SelectionResult) -> str:
    changes = result.changes
    lines = [
        "change source: none given, full run"
        if changes is None
        else f"change source: {changes.describe()}"
    ]
    width = max([4, *(len(s.case.name) for s in result.selections)])
    lines.append(f"{'CASE':<{width}}  RUN  REASON")
    for s in result.selections:
        lines.append(f"{s.case.name:<{width}}  {'yes' if s.selected else 'no ':<3}  {s.reason}")
    total = len(result.selections)
    lines.append(f"{len(result.selected)} of {total} cases selected, {len(result.skipped)} skipped")
    return "\n".join(lines) + "\n"
