"""score production samples (a JSONL log) without references and flag problems

Reference-free monitoring of production samples: grounding, checks and the judge. Exit 0,
or 1 when --fail-on-rate (or the suite's monitor.fail_on_rate) is exceeded by the whole log
or by one case or task; 2 on usage errors. Bad lines never stop the run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from driftgate.commands.options import (
    add_cache_arguments,
    add_config_argument,
    add_judge_arguments,
    add_quiet_argument,
    number_type,
    progress_printer,
)
from driftgate.errors import EXIT_FAIL, EXIT_PASS
from driftgate.fileio import write_text

_rate = number_type(
    float,
    lambda rate: 0.0 <= rate <= 1.0,
    "'{value}' is not a rate; write e.g. 0.05",
    "{value}: a rate is between 0 and 1 (0.05 = 5%)",
)
_count = number_type(
    int, lambda number: number >= 1, "'{value}' is not a whole number", "{value}: give 1 or more"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    from driftgate.compare.store import DEFAULT_BRANCH

    parser.add_argument(
        "--samples",
        type=Path,
        required=True,
        metavar="LOGS.jsonl",
        help="production log: one JSON object per line with at least `output`",
    )
    parser.add_argument("--output-json", type=Path, metavar="M.json", help="write results here")
    parser.add_argument("--report-md", type=Path, metavar="M.md", help="write the report here")
    parser.add_argument("--since", metavar="ISO-DATE", help="only samples created at or after")
    parser.add_argument(
        "--limit", type=_count, metavar="N", help="score a seeded random sample of N lines"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of --limit (default 0)")
    parser.add_argument(
        "--fail-on-rate",
        type=_rate,
        metavar="R",
        help="exit 1 when more than R (0-1) of all samples, or of one case or task, are flagged",
    )
    add_judge_arguments(parser)
    add_cache_arguments(parser, holds="judge grades")
    parser.add_argument(
        "--baseline-branch",
        default=DEFAULT_BRANCH,
        metavar="NAME",
        help=f"read the trend of earlier runs from this branch of origin "
        f"(default {DEFAULT_BRANCH})",
    )
    parser.add_argument("--no-trend", action="store_true", help="neither read nor record the trend")
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="record this run's summary on the baseline branch (monitor/<suite>/<date>.json)",
    )
    add_quiet_argument(parser)
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from driftgate.monitor.report import render
    from driftgate.monitor.run import MonitorOptions, monitor
    from driftgate.redact import redacted_json
    from driftgate.report.files import check_writable

    check_writable([("--output-json", args.output_json), ("--report-md", args.report_md)])
    options = MonitorOptions(
        config=args.config,
        samples=args.samples,
        since=args.since,
        limit=args.limit,
        seed=args.seed,
        fail_on_rate=args.fail_on_rate,
        judge=args.judge,
        max_cost=args.max_cost,
        cache_dir=args.cache_dir,
        cache_mode="off" if args.no_cache else None,
        baseline_branch=None if args.no_trend else args.baseline_branch,
        record=args.update_baseline and not args.no_trend,
        anthropic=args.anthropic,  # read by cli.main, the edge
        progress=progress_printer(args),
    )
    results = monitor(options)
    for problem in results.bad_line_examples:
        print(f"warning: {problem}", file=sys.stderr)
    report = render(results)
    for path, text in (
        (args.output_json, redacted_json(results, indent=2) + "\n"),
        (args.report_md, report),
    ):
        if path is not None:
            write_text(path, text)
    print(summary_line(results))
    return EXIT_FAIL if results.verdict == "fail" else EXIT_PASS


def summary_line(results) -> str:
    o = results.overall
    rate = "–" if o.flag_rate is None else f"{o.flag_rate * 100:.1f}%"
    line = f"monitor: {o.flagged:,} of {o.samples:,} samples flagged ({rate})"
    if results.bad_lines:
        line += f", {results.bad_lines:,} bad line{'s' if results.bad_lines != 1 else ''} skipped"
    if results.verdict:
        line += f" · verdict: {results.verdict.upper()}"
        if results.fail_reasons:
            line += " (" + "; ".join(results.fail_reasons[:3]) + ")"
    return line
