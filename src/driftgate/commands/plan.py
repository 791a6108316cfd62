"""`driftgate plan`: which (case, sample) requests the team's own job must generate.

Selects exactly as `run` does and writes the requests the cache cannot answer; the
generation happens in the workflow's own environment, with its dependencies and secrets,
and `driftgate run --outputs` scores the result. Imports nothing that scoring needs (no
torch), so it is fast: heavy modules are imported inside the functions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from driftgate.commands.options import (
    add_config_argument,
    add_select_arguments,
    change_set_from_args,
)

DEFAULT_PLAN = "driftgate-plan.jsonl"


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "plan",
        help="write the (case, sample) requests your own job must generate (runs nothing)",
        description="Select as `run` does and write one JSON line per request that needs a "
        "fresh output (the cache answers the rest). Generate them in your own environment, "
        "then score with `driftgate run --outputs OUT.jsonl --plan PLAN.jsonl`.",
    )
    add_config_argument(parser)
    add_select_arguments(parser)  # --changed-since/--changed-files/--all, --cases, --tags
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="the cache `run` will read (default: .driftgate/cache at the repository root)",
    )
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


def make_plan(
    config: Path,
    changes,
    *,
    names: list[str] | None = None,
    tags: list[str] | None = None,
    cache_dir: Path | None = None,
    include_cached: bool = False,
    git=None,
):
    """(suite, selection, plan) for a change: shared by the CLI and the action."""
    from driftgate.cache import open_suite_cache
    from driftgate.config import load_suite
    from driftgate.generate.cached import CachingGenerator
    from driftgate.generate.plan_file import build_plan
    from driftgate.generate.runner import Targets
    from driftgate.select.selection import select_cases

    suite = load_suite(config, git=git)
    selection = select_cases(suite, changes, names=names, tags=tags, git=git)
    cache = open_suite_cache(suite.root, suite.cache, cache_dir)
    generator = CachingGenerator(suite, Targets(suite), cache, git)
    plan = build_plan(suite, list(selection.selected), generator, include_cached)
    plan.warnings = [str(w) for w in suite.warnings] + [
        f"warning: {w}" for w in [*selection.warnings, *cache.warnings]
    ]
    return suite, selection, plan


def plan_command(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    from driftgate.config.load import repo_root
    from driftgate.generate.plan_file import write_plan

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
