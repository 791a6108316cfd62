"""`driftgate action`: the GitHub Action's entrypoint (reads INPUT_* and GITHUB_*)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "action",
        help="run as the GitHub Action: reads INPUT_* and GITHUB_* (docs/action.md)",
    )
    parser.set_defaults(handler=action_command)


def action_command(args: argparse.Namespace) -> int:
    from driftgate.action.main import main as action_main

    return action_main()
