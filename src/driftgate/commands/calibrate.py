"""run the suite N times and propose min_similarity and noise_sd per case

Measures each case's normal spread over N generations and proposes a threshold and a noise
that normal model noise will not trip; --write applies them to the suite file, keeping its
comments.
"""

# The proposals and the patch are `compare.calibrate`'s; this runs the pipeline for them.

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from driftgate.commands.options import add_config_argument, add_quiet_argument, csv, run_options
from driftgate.errors import EXIT_PASS, UsageError
from driftgate.text import plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument(
        "--samples", type=int, required=True, metavar="N", help="generations per case (>= 2)"
    )
    parser.add_argument(
        "--write", action="store_true", help="apply the patch to the suite file (keeps comments)"
    )
    parser.add_argument("--cases", type=csv, help="only these cases (comma-separated names)")
    parser.add_argument("--tags", type=csv, help="only cases with any of these tags")
    parser.add_argument("--outputs", type=Path, help="read outputs from this JSONL file")
    add_quiet_argument(parser)
    parser.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    from driftgate.compare.calibrate import PatchNotWritten

    try:
        patch, changed = calibrate(run_options(args), args.samples, args.write)
    except PatchNotWritten as exc:
        print(exc.patch, end="")  # the patch the error tells the user to apply
        raise
    print(patch, end="")
    if args.write:
        print(f"{args.config}: {plural(changed, 'value')} written", file=sys.stderr)
    return EXIT_PASS


def calibrate(options, samples: int, write: bool) -> tuple[str, int]:
    """Run the suite once with `samples` generations per case (no baseline, nothing
    pushed), then print the patch and, with `write`, apply it. Returns (patch, changed)."""
    from driftgate.compare.calibrate import PatchNotWritten, apply_patch, propose, render_patch
    from driftgate.config import load_suite
    from driftgate.pipeline import run

    if samples < 2:
        raise UsageError(
            "calibrate needs --samples 2 or more (10 or more is better) to see a spread"
        )
    suite = load_suite(options.config)
    results = run(
        replace(
            options, samples=samples, baseline=None, baseline_branch=None, update_baseline=False
        )
    )
    proposals = propose(suite, results)
    if not any(p.new for p in proposals):
        raise UsageError(
            "no case produced 2 or more similarity scores, so nothing can be calibrated; "
            "run `driftgate run` and fix the errors it reports first"
        )
    patch = render_patch(proposals, suite, samples)
    if not write:
        return patch, 0
    try:
        return patch, apply_patch(suite.path, proposals)
    except UsageError as exc:
        raise PatchNotWritten(str(exc), patch) from None
