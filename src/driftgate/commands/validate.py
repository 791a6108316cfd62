"""check the suite file and report every problem

Every check `run` and `select` make that needs no model or API call, so a broken suite
fails here (pre-commit, the first CI step), not after paid target calls. Exit 2 when
there is a problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from driftgate.commands.options import add_config_argument
from driftgate.errors import EXIT_PASS, EXIT_USAGE, ConfigError, DriftgateError
from driftgate.text import plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="suite files to check instead of --config (the pre-commit hook passes them)",
    )
    parser.set_defaults(handler=validate_command)


def validate_command(args: argparse.Namespace) -> int:
    if args.files:  # the pre-commit hook passes the staged suite files
        return max(_validate_one(path) for path in args.files)
    return _validate_one(args.config, raise_errors=True)


def _validate_one(path: Path, raise_errors: bool = False) -> int:
    from driftgate.config import load_suite
    from driftgate.cost import unpriced_models
    from driftgate.score.embedder import check_embedding_model
    from driftgate.select.selection import dead_pattern_warnings, uncovered_script_warnings

    try:
        suite = load_suite(path)
        check_embedding_model(suite)
    except ConfigError as exc:
        if raise_errors:
            raise
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"{path}: {plural(len(exc.issues), 'problem')} in the suite file", file=sys.stderr)
        return EXIT_USAGE
    except DriftgateError as exc:
        if raise_errors:
            raise
        print(f"driftgate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    warnings = [w.located for w in suite.warnings] + dead_pattern_warnings(suite)
    warnings += uncovered_script_warnings(suite)
    warnings += [w.located for w in unpriced_models(suite)]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    critical = sum(c.critical for c in suite.cases)
    print(
        f"{path}: ok: suite '{suite.name}', {plural(len(suite.cases), 'case')}, "
        f"{critical} critical, {plural(len(warnings), 'warning')}"
    )
    return EXIT_PASS
