"""run as the GitHub Action: reads INPUT_* and GITHUB_* (docs/action.md)

The container's entrypoint: reads the action's inputs and the event, runs or merges, posts
the sticky comment and the check. Locally, use `driftgate run`.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(handler=action_command)


def action_command(args: argparse.Namespace) -> int:
    from driftgate.action.main import main as action_main

    return action_main()
