"""run the suite and gate on the results

Selects the cases a change affects, generates, scores, compares with the baseline and
gates: exit 0 the gate passed, 1 it failed, 2 a usage or config error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from driftgate.commands.options import (
    add_cache_arguments,
    add_config_argument,
    add_judge_arguments,
    add_quiet_argument,
    add_report_arguments,
    add_select_arguments,
    check_report_paths,
    finish,
    run_options,
)
from driftgate.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_select_arguments(parser)  # --changed-since/--changed-files/--all, --cases, --tags
    parser.add_argument(
        "--outputs",
        type=Path,
        help="read outputs from this JSONL file, and from the cache for requests it lacks",
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN.jsonl",
        help="the plan (driftgate plan) the outputs answer: refuse if the suite changed since",
    )
    add_report_arguments(parser)
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="run only shard I of N of the selected cases (matrix jobs); combine with `merge`",
    )
    add_quiet_argument(parser)
    _add_baseline_arguments(parser)
    add_judge_arguments(parser)
    parser.add_argument(
        "--traces",
        type=Path,
        metavar="DIR",
        help="write every target and judge request and raw response here (no API key)",
    )
    add_cache_arguments(parser, holds="outputs, judge grades and embeddings")
    parser.set_defaults(handler=run_command)


def _add_baseline_arguments(parser: argparse.ArgumentParser) -> None:
    from driftgate.compare.store import DEFAULT_BRANCH

    group = parser.add_argument_group("baseline (what the run is compared with)")
    group.add_argument(
        "--baseline", type=Path, metavar="PATH", help="compare with this results JSON file"
    )
    group.add_argument(
        "--baseline-branch",
        default=DEFAULT_BRANCH,
        metavar="NAME",
        help=f"else read the baseline from this branch of origin (default: {DEFAULT_BRANCH})",
    )
    group.add_argument(
        "--merge-base",
        metavar="REV",
        help="prefer the baseline recorded at this commit (default: merge-base with origin/HEAD)",
    )
    group.add_argument(
        "--update-baseline",
        action="store_true",
        help="record this run's results on the baseline branch and push it to origin",
    )


def run_command(args: argparse.Namespace) -> int:
    from driftgate.pipeline import run
    from driftgate.shard import parse_shard

    check_report_paths(args)
    options = run_options(
        args,
        baseline=args.baseline,
        baseline_branch=args.baseline_branch,
        merge_base=_commit(args.merge_base, args.config),
        update_baseline=args.update_baseline,
        judge=args.judge,
        max_cost=args.max_cost,
        traces=args.traces,
        shard=parse_shard(args.shard) if args.shard else None,
    )
    return finish(run(options), args)


def _commit(rev: str | None, config: Path) -> str | None:
    """A full SHA for --merge-base, which also accepts branch names and short SHAs."""
    if rev is None:
        return None
    from driftgate.git import Git, GitError

    try:
        sha = Git().resolve(config.resolve().parent, rev)
    except GitError as exc:
        raise UsageError(f"--merge-base {rev}: {exc}") from None
    if sha is None:
        raise UsageError(f"--merge-base {rev}: not a commit in this repository")
    return sha
