"""The flags and helpers several subcommands share: the suite file, the change source,
the judge and budget, the report files, and how a run's verdict becomes an exit code.

The environment is not read here: `cli.main` reads it once and hands it down (`args.anthropic`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from driftgate.config import DEFAULT_CONFIG
from driftgate.config.schema import JUDGE_POLICIES
from driftgate.errors import EXIT_USAGE


def csv(value: str) -> list[str]:
    """A comma-separated flag value as a list, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        default=DEFAULT_CONFIG,
        type=Path,
        help=f"suite file (default: {DEFAULT_CONFIG})",
    )


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
        "--cases", type=csv, action="extend", metavar="A,B", help="only these cases (by name)"
    )
    group.add_argument(
        "--tags",
        type=csv,
        action="extend",
        metavar="T,U",
        help="only cases with any of these tags",
    )


def change_set_from_args(args: argparse.Namespace, root: Path, stdin: TextIO | None = None):
    """The change the user named (a ChangeSet), or None for a full run."""
    from driftgate.select.changes import changes_from_list, changes_since

    if getattr(args, "all", False):
        return None
    if getattr(args, "changed_since", None):
        return changes_since(args.changed_since, root)
    if getattr(args, "changed_files", None):
        return changes_from_list(args.changed_files, root, stdin=stdin)
    return None


def number_type(convert, ok, not_a_number: str, out_of_range: str):
    """An argparse `type=`: `convert` the text, check it with `ok`, else a usage error
    (exit 2) from the message templates, which may name `{value}`."""

    def parse(value: str):
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(not_a_number.format(value=value)) from None
        if not ok(number):
            raise argparse.ArgumentTypeError(out_of_range.format(value=value))
        return number

    return parse


_usd = number_type(
    float,
    lambda amount: amount >= 0,  # NaN fails too
    "'{value}' is not an amount in USD, e.g. 0.50",
    "{value}: the budget must be 0 or more USD",
)


def add_judge_arguments(parser: argparse.ArgumentParser) -> None:
    """Which cases the judge grades, and the budget its calls share."""
    parser.add_argument(
        "--judge",
        choices=list(JUDGE_POLICIES),
        help="which cases the LLM judge grades (overrides the suite's judge.policy)",
    )
    parser.add_argument(
        "--max-cost",
        type=_usd,
        metavar="USD",
        help="stop starting API calls once this much is spent; the rest are skipped (budget)",
    )


def add_cache_arguments(parser: argparse.ArgumentParser, holds: str, no_cache: bool = True) -> None:
    """--cache-dir (what the cache `holds`, for the help) and, with `no_cache`, --no-cache."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"the cache of {holds} (default: .driftgate/cache at the repository root)",
    )
    if no_cache:
        parser.add_argument(
            "--no-cache",
            action="store_true",
            help="neither read nor write the cache (same as `cache: off` in the suite)",
        )


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def progress_printer(args: argparse.Namespace):
    """Progress lines on stderr, or None under --quiet."""
    if args.quiet:
        return None
    return lambda message: print(message, file=sys.stderr, flush=True)


def add_report_arguments(
    parser: argparse.ArgumentParser, json_help: str = "write the results JSON here"
) -> None:
    """--output-json, --report-md and --junit (run, merge)."""
    parser.add_argument("--output-json", type=Path, help=json_help)
    parser.add_argument("--report-md", type=Path, help="write the Markdown report here")
    parser.add_argument("--junit", type=Path, help="write JUnit XML here (test reporters)")


def check_report_paths(args: argparse.Namespace) -> None:
    """Exit 2 before the run (and any paid call) for a report that could not be written."""
    from driftgate.report.files import check_writable

    check_writable(
        [
            ("--output-json", args.output_json),
            ("--report-md", args.report_md),
            ("--junit", args.junit),
        ]
    )


def finish(results, args: argparse.Namespace) -> int:
    """Warnings, the report files asked for, the table, and the exit code (run, merge).

    A report that fails to write doesn't stop the others (the results JSON goes first);
    the exit code is then 2: the verdict was not delivered the way it was asked for."""
    from driftgate.gate import exit_code
    from driftgate.report.files import results_first, write_reports
    from driftgate.report.terminal import render_table

    for warning in results.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    written, failures = write_reports(
        results, results_first(results, args.output_json, args.report_md, args.junit)
    )
    print(render_table(results))
    if failures:
        for failure in failures:
            print(f"driftgate: error: cannot write {failure}", file=sys.stderr)
        print(
            f"driftgate: the verdict ({results.summary.verdict.upper()}) was not delivered "
            f"in full; written: {', '.join(written) or 'nothing'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return exit_code(results)


def run_options(args: argparse.Namespace, **extra):
    """The pipeline options shared by `run` and `calibrate`, progress on stderr."""
    from driftgate.config.load import repo_root
    from driftgate.pipeline import RunOptions

    return RunOptions(
        config=args.config,
        changes=change_set_from_args(args, repo_root(Path(args.config).resolve())),
        names=args.cases,
        tags=getattr(args, "tags", None),
        outputs=getattr(args, "outputs", None),
        plan=getattr(args, "plan", None),
        progress=progress_printer(args),
        **extra,
        cache_dir=getattr(args, "cache_dir", None),
        cache_mode="off" if getattr(args, "no_cache", False) else None,
        anthropic=args.anthropic,  # read by cli.main, the edge
    )
