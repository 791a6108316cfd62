"""write the (case, sample) requests your own job must generate (runs nothing)

Selects as `driftgate run` does and writes one JSON line per request that needs a fresh
output (the cache answers the rest). Generate them in your own environment, with your
dependencies and secrets, then score them with
`driftgate run --outputs OUT.jsonl --plan PLAN.jsonl`.
"""

# Imports nothing that scoring needs (no torch), so it is fast: heavy modules are imported
# inside the functions.

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from driftgate.commands.options import (
    add_cache_arguments,
    add_config_argument,
    add_select_arguments,
    change_set_from_args,
)

DEFAULT_PLAN = "driftgate-plan.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_select_arguments(parser)  # --changed-since/--changed-files/--all, --cases, --tags
    add_cache_arguments(parser, holds="outputs `run` will read", no_cache=False)
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path(DEFAULT_PLAN),
        metavar="PLAN.jsonl",
        help=f"where to write the plan (default: {DEFAULT_PLAN})",
    )
    parser.add_argument(
        "--include-cached",
        action="store_true",
        help="also list the requests the cache already answers (regenerate everything)",
    )
    parser.set_defaults(handler=plan_command)


def plan_command(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    from driftgate.config.load import repo_root
    from driftgate.generate.plan_file import make_plan, write_plan

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    changes = change_set_from_args(args, repo_root(Path(args.config).resolve()))
    _suite, _selection, plan = make_plan(
        args.config,
        changes,
        names=args.cases,
        tags=args.tags,
        cache_dir=args.cache_dir,
        include_cached=args.include_cached,
    )
    write_plan(args.output, plan)
    for warning in plan.warnings:
        err.write(f"{warning}\n")
    out.write(f"{plan.describe()}\nplan: {args.output}\n")
    return 0
