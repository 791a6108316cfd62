"""The command line: parse arguments, call the pipeline, map errors to exit codes.

This is the only place (with `action`) that turns a DriftgateError into text and an exit
code: 0 the gate passed, 1 it failed, 2 usage or config error. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from driftgate import __version__
from driftgate.config import DEFAULT_CONFIG
from driftgate.errors import EXIT_FAIL, EXIT_PASS, EXIT_USAGE, ConfigError, DriftgateError
from driftgate.redact import (
    Redactor,
    guarded_streams,
    installed,
    neutralize_commands,
    redact,
    secrets_from_env,
)
from driftgate.select.command import add_select_arguments, add_select_command_arguments
from driftgate.shard import parse_shard


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        default=DEFAULT_CONFIG,
        type=Path,
        help=f"suite file (default: {DEFAULT_CONFIG})",
    )


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--output-json", type=Path, help="write the results JSON here")
    parser.add_argument("--report-md", type=Path, help="write the Markdown report here")
    parser.add_argument("--junit", type=Path, help="write JUnit XML here (test reporters)")
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="run only shard I of N of the selected cases (matrix jobs); combine with `merge`",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    add_baseline_arguments(parser)
    add_quality_arguments(parser)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="content-hash cache of outputs, judge grades and embeddings "
        "(default: .driftgate/cache at the repository root)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache (same as `cache: off` in the suite)",
    )


def _usd(value: str) -> float:
    try:
        amount = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not an amount in USD, e.g. 0.50") from None
    if amount < 0 or amount != amount:
        raise argparse.ArgumentTypeError(f"{value}: the budget must be 0 or more USD")
    return amount


def add_quality_arguments(parser: argparse.ArgumentParser) -> None:
    """The quality layer's flags: judge policy, cost budget, traces."""
    add_judge_arguments(parser)
    parser.add_argument(
        "--traces",
        type=Path,
        metavar="DIR",
        help="write every target and judge request and raw response here (no API key)",
    )


def add_judge_arguments(parser: argparse.ArgumentParser) -> None:
    """Which cases the judge grades, and the budget its calls share."""
    parser.add_argument(
        "--judge",
        choices=["critical", "selected", "all", "never"],
        help="which cases the LLM judge grades (overrides the suite's judge.policy)",
    )
    parser.add_argument(
        "--max-cost",
        type=_usd,
        metavar="USD",
        help="stop starting API calls once this much is spent; the rest are skipped (budget)",
    )


def add_baseline_arguments(parser: argparse.ArgumentParser) -> None:
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


def run_options(args: argparse.Namespace, **extra):
    """The pipeline options shared by `run` and `calibrate`, progress on stderr."""
    from driftgate.pipeline import RunOptions

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    from driftgate.anthropic_client import AnthropicSettings
    from driftgate.config.load import repo_root
    from driftgate.select.command import change_set_from_args

    return RunOptions(
        config=args.config,
        changes=change_set_from_args(args, repo_root(Path(args.config).resolve())),
        names=args.cases,
        tags=getattr(args, "tags", None),
        outputs=getattr(args, "outputs", None),
        plan=getattr(args, "plan", None),
        progress=progress,
        **extra,
        cache_dir=getattr(args, "cache_dir", None),
        cache_mode="off" if getattr(args, "no_cache", False) else None,
        anthropic=getattr(args, "anthropic", None) or AnthropicSettings.from_env(os.environ),
    )


def cmd_run(args: argparse.Namespace) -> int:
    from driftgate.pipeline import run

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
    return EXIT_PASS if results.summary.verdict == "pass" else EXIT_FAIL


def _commit(rev: str | None, config: Path) -> str | None:
    """A full SHA for --merge-base, which also accepts branch names and short SHAs."""
    if rev is None:
        return None
    from driftgate.errors import UsageError
    from driftgate.git import Git, GitError

    try:
        sha = Git().resolve(config.resolve().parent, rev)
    except GitError as exc:
        raise UsageError(f"--merge-base {rev}: {exc}") from None
    if sha is None:
        raise UsageError(f"--merge-base {rev}: not a commit in this repository")
    return sha


def cmd_calibrate(args: argparse.Namespace) -> int:
    from driftgate.compare.calibrate import PatchNotWritten, calibrate

    try:
        patch, changed = calibrate(run_options(args), args.samples, args.write)
    except PatchNotWritten as exc:
        print(exc.patch, end="")  # the patch the error tells the user to apply
        raise
    print(patch, end="")
    if args.write:
        print(f"{args.config}: {changed} value(s) written", file=sys.stderr)
    return EXIT_PASS


def cmd_merge(args: argparse.Namespace) -> int:
    from driftgate.merge import merge_files, results_files

    check_report_paths(args)
    paths: list[Path] = []
    for path in args.results:
        paths += results_files(path) if path.is_dir() else [path]
    return finish(merge_files(paths), args)


def cmd_validate(args: argparse.Namespace) -> int:
    """Every check `run` and `select` make that needs no model or API call, so a broken
    suite fails here (pre-commit, the first CI step), not after paid target calls."""
    if args.files:  # the pre-commit hook passes the staged suite files
        return max(_validate_one(path) for path in args.files)
    return _validate_one(args.config, raise_errors=True)


def _validate_one(path: Path, raise_errors: bool = False) -> int:
    from driftgate.config import load_suite
    from driftgate.cost import unpriced_models
    from driftgate.score.embedder import check_embedding_model
    from driftgate.select.selection import dead_pattern_warnings

    try:
        suite = load_suite(path)
        check_embedding_model(suite)
    except ConfigError as exc:
        if raise_errors:
            raise
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"{path}: {len(exc.issues)} problem(s) in the suite file", file=sys.stderr)
        return EXIT_USAGE
    except DriftgateError as exc:
        if raise_errors:
            raise
        print(f"driftgate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    warnings = [w.located for w in suite.warnings] + dead_pattern_warnings(suite)
    warnings += [w.located for w in unpriced_models(suite)]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    critical = sum(c.critical for c in suite.cases)
    print(
        f"{path}: ok: suite '{suite.name}', {len(suite.cases)} case(s), "
        f"{critical} critical, {len(warnings)} warning(s)"
    )
    return EXIT_PASS


def cmd_select(args: argparse.Namespace) -> int:
    from driftgate.select.command import select_command

    return select_command(args)


def cmd_schema(args: argparse.Namespace) -> int:
    if args.monitor:
        from driftgate.monitor.results import MonitorResults

        schema = MonitorResults.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "driftgate monitor results (driftgate monitor --output-json)"
        print(json.dumps(schema, indent=2))
        return EXIT_PASS
    if args.results:
        from driftgate.results_schema import results_json_schema_text

        sys.stdout.write(results_json_schema_text())
        return EXIT_PASS
    from driftgate.config.schema import SuiteFile

    schema = SuiteFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "driftgate suite file (llm-evals.yaml)"
    print(json.dumps(schema, indent=2))
    return EXIT_PASS


def cmd_action(args: argparse.Namespace) -> int:
    from driftgate.action.main import main as action_main

    return action_main()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="driftgate",
        description="LLM evals as integration tests: run a suite, score it, gate on it.",
    )
    parser.add_argument("--version", action="version", version=f"driftgate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run_parser = sub.add_parser("run", help="run the suite and gate on the results")
    add_run_arguments(run_parser)
    run_parser.set_defaults(handler=cmd_run)

    calibrate = sub.add_parser(
        "calibrate",
        help="run the suite N times and propose min_similarity and noise_sd per case",
    )
    add_config_argument(calibrate)
    calibrate.add_argument(
        "--samples", type=int, required=True, metavar="N", help="generations per case (>= 2)"
    )
    calibrate.add_argument(
        "--write", action="store_true", help="apply the patch to the suite file (keeps comments)"
    )
    calibrate.add_argument("--cases", type=_csv, help="only these cases (comma-separated names)")
    calibrate.add_argument("--tags", type=_csv, help="only cases with any of these tags")
    calibrate.add_argument("--outputs", type=Path, help="read outputs from this JSONL file")
    calibrate.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    calibrate.set_defaults(handler=cmd_calibrate)

    validate = sub.add_parser("validate", help="check the suite file and report every problem")
    add_config_argument(validate)
    validate.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="suite files to check instead of --config (the pre-commit hook passes them)",
    )
    validate.set_defaults(handler=cmd_validate)

    select = sub.add_parser(
        "select",
        help="show which cases a change would run, and why (runs nothing)",
        description="Dry run of case selection: every case with run yes/no and the reason.",
    )
    add_config_argument(select)
    add_select_command_arguments(select)
    select.set_defaults(handler=cmd_select)

    from driftgate.commands.plan import add_plan_arguments, plan_command

    plan = sub.add_parser(
        "plan",
        help="write the (case, sample) requests your own job must generate (runs nothing)",
        description="Select as `run` does and write one JSON line per request that needs a "
        "fresh output (the cache answers the rest). Generate them in your own environment, "
        "then score with `driftgate run --outputs OUT.jsonl --plan PLAN.jsonl`.",
    )
    add_config_argument(plan)
    add_plan_arguments(plan)
    plan.set_defaults(handler=plan_command)

    schema = sub.add_parser("schema", help="print the suite file's JSON Schema")
    which = schema.add_mutually_exclusive_group()
    which.add_argument(
        "--results", action="store_true", help="print the results JSON's schema instead"
    )
    which.add_argument(
        "--monitor", action="store_true", help="print the monitor results' schema instead"
    )
    schema.set_defaults(handler=cmd_schema)

    merge = sub.add_parser(
        "merge", help="combine shard results (run --shard I/N) into one run and verdict"
    )
    merge.add_argument(
        "results", nargs="+", type=Path, metavar="RESULTS", help="shard results files or folders"
    )
    merge.add_argument("--output-json", type=Path, help="write the merged results JSON here")
    merge.add_argument("--report-md", type=Path, help="write the Markdown report here")
    merge.add_argument("--junit", type=Path, help="write JUnit XML here (test reporters)")
    merge.set_defaults(handler=cmd_merge)

    from driftgate.commands import monitor, promote

    monitor.add_parser(sub, add_config_argument, add_judge_arguments)
    promote.add_parser(sub, add_config_argument)

    action = sub.add_parser(
        "action",
        help="run as the GitHub Action: reads INPUT_* and GITHUB_* (README: The GitHub Action)",
    )
    action.set_defaults(handler=cmd_action)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage is 2
        return int(exc.code or 0)
    from driftgate.anthropic_client import AnthropicSettings

    # The edge: Claude's key and base URL are read here, once, for every command.
    args.anthropic = AnthropicSettings.from_env(os.environ)
    # The edge: the environment's secrets are collected here, and everything the command
    # prints or writes passes the redactor; no printed line can start a workflow command.
    with installed(Redactor(secrets_from_env(os.environ))):
        if args.handler is cmd_action:  # it masks first, then guards its own streams
            return _handle(args)
        with guarded_streams(commands=True):
            return _handle(args)


def _safe(text: str) -> str:
    """For the few lines printed outside the guarded streams (`driftgate action`'s errors)."""
    return neutralize_commands(redact(text))


def _handle(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"driftgate: {len(exc.issues)} problem(s) in the suite file", file=sys.stderr)
        return EXIT_USAGE
    except DriftgateError as exc:
        print(_safe(f"driftgate: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("driftgate: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("DRIFTGATE_DEBUG"):
            raise
        print(
            _safe(f"driftgate: internal error: {exc.__class__.__name__}: {exc}\n")
            + "Set DRIFTGATE_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
