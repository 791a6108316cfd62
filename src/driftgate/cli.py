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
    parser.add_argument("--all", action="store_true", help="run every case (a full run)")
    parser.add_argument("--cases", type=_csv, help="only these cases (comma-separated names)")
    parser.add_argument("--tags", type=_csv, help="only cases with any of these tags")
    parser.add_argument("--outputs", type=Path, help="read outputs from this JSONL file")
    parser.add_argument("--output-json", type=Path, help="write the results JSON here")
    parser.add_argument("--report-md", type=Path, help="write the Markdown report here")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def cmd_run(args: argparse.Namespace) -> int:
    from driftgate.pipeline import RunOptions, run
    from driftgate.report.markdown import render_markdown
    from driftgate.report.terminal import render_table

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    options = RunOptions(
        config=args.config,
        names=args.cases,
        tags=args.tags,
        outputs=args.outputs,
        progress=progress,
    )
    results = run(options)
    for warning in results.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output_json:
        results.write(args.output_json)
    if args.report_md:
        args.report_md.parent.mkdir(parents=True, exist_ok=True)
        args.report_md.write_text(render_markdown(results), encoding="utf-8")
    print(render_table(results))
    return EXIT_PASS if results.summary.verdict == "pass" else EXIT_FAIL


def cmd_validate(args: argparse.Namespace) -> int:
    from driftgate.config import load_suite

    suite = load_suite(args.config)
    for warning in suite.warnings:
        print(warning, file=sys.stderr)
    critical = sum(c.critical for c in suite.cases)
    print(
        f"{args.config}: ok: suite '{suite.name}', {len(suite.cases)} case(s), "
        f"{critical} critical, {len(suite.warnings)} warning(s)"
    )
    return EXIT_PASS


def cmd_schema(args: argparse.Namespace) -> int:
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

    validate = sub.add_parser("validate", help="check the suite file and report every problem")
    add_config_argument(validate)
    validate.set_defaults(handler=cmd_validate)

    schema = sub.add_parser("schema", help="print the suite file's JSON Schema")
    schema.set_defaults(handler=cmd_schema)

    action = sub.add_parser(
        "action", help="run as the GitHub Action: reads INPUT_* and GITHUB_* (see docs/action.md)"
    )
    action.set_defaults(handler=cmd_action)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage is 2
        return int(exc.code or 0)
    try:
        return args.handler(args)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"driftgate: {len(exc.issues)} problem(s) in the suite file", file=sys.stderr)
        return EXIT_USAGE
    except DriftgateError as exc:
        print(f"driftgate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("driftgate: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("DRIFTGATE_DEBUG"):
            raise
        print(
            f"driftgate: internal error: {exc.__class__.__name__}: {exc}\n"
            f"Set DRIFTGATE_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
