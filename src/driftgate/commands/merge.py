"""combine shard results (run --shard I/N) into one run and verdict

Combines the results files of `driftgate run --shard I/N` jobs into one run, one verdict
and one report; a shard that is missing fails the gate.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from driftgate.commands.options import add_report_arguments, check_report_paths, finish


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results", nargs="+", type=Path, metavar="RESULTS", help="shard results files or folders"
    )
    add_report_arguments(parser, json_help="write the merged results JSON here")
    parser.set_defaults(handler=merge_command)


def merge_command(args: argparse.Namespace) -> int:
    from driftgate.merge import merge_files, results_files

    check_report_paths(args)
    paths: list[Path] = []
    for path in args.results:
        paths += results_files(path) if path.is_dir() else [path]
    return finish(merge_files(paths), args)
