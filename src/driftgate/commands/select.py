"""show which cases a change would run, and why (runs nothing)

A dry run of case selection: every case with run yes/no and the reason.
"""

# The change source is read by `options.change_set_from_args`, as `run` and `plan` read it.

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from driftgate.commands.options import (
    add_config_argument,
    add_select_arguments,
    change_set_from_args,
)
from driftgate.config.load import load_suite
from driftgate.select.selection import SelectionResult, select_cases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the selection as JSON")
    add_select_arguments(parser)
    parser.set_defaults(handler=select_command)


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
