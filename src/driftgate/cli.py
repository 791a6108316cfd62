"""The command line: assemble the subcommands' parsers, run one, map errors to exit codes.

This is the only place (with `action`) that turns a DriftgateError into text and an exit
code: 0 the gate passed, 1 it failed, 2 usage or config error. Never a traceback. Each
subcommand is a module of `driftgate.commands` named after it (its help is
the docstring, its flags and handler); the environment is read here, at the edge.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import traceback

from driftgate import __version__
from driftgate.commands import (
    action,
    calibrate,
    merge,
    monitor,
    plan,
    promote,
    run,
    schema,
    select,
    validate,
)
from driftgate.errors import EXIT_USAGE, ConfigError, DriftgateError
from driftgate.redact import (
    Redactor,
    guarded_streams,
    installed,
    neutralize_commands,
    redact,
    secrets_from_env,
)
from driftgate.text import plural

# In the order `driftgate --help` lists them.
COMMANDS = (run, calibrate, validate, select, plan, schema, merge, monitor, promote, action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="driftgate",
        description="LLM evals as integration tests: run a suite, score it, gate on it.",
    )
    parser.add_argument("--version", action="version", version=f"driftgate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        name = command.__name__.rpartition(".")[2]
        summary, _, description = (command.__doc__ or "").partition("\n\n")
        command.add_arguments(sub.add_parser(name, help=summary, description=description))
    parser.set_defaults(subcommands=sub.choices)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage is 2
        return int(exc.code or 0)
    if extras:
        print(unrecognized(args.command, args.subcommands[args.command], extras), file=sys.stderr)
        return EXIT_USAGE
    from driftgate.anthropic_client import AnthropicSettings

    # The edge: Claude's key and base URL are read here, once, for every command.
    args.anthropic = AnthropicSettings.from_env(os.environ)
    # The edge: the environment's secrets are collected here, and everything the command
    # prints or writes passes the redactor; no printed line can start a workflow command.
    with installed(Redactor(secrets_from_env(os.environ))):
        if args.handler is action.action_command:  # it masks first, then guards its own streams
            return _handle(args)
        with guarded_streams(commands=True):
            return _handle(args)


def unrecognized(command: str, parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """Flags the subcommand doesn't have, said by the subcommand, with the one meant."""
    flags = [flag for action in parser._actions for flag in action.option_strings]
    message = f"driftgate {command}: error: unrecognized arguments: {' '.join(extras)}"
    typed = next((word.partition("=")[0] for word in extras if word.startswith("-")), None)
    close = difflib.get_close_matches(typed, flags, n=1, cutoff=0.7) if typed else []
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{message}; {hint}`driftgate {command} --help` lists the flags"


def _safe(text: str) -> str:
    """For the few lines printed outside the guarded streams (`driftgate action`'s errors)."""
    return neutralize_commands(redact(text))


def _handle(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"driftgate: {plural(len(exc.issues), 'problem')} in the suite file", file=sys.stderr)
        return EXIT_USAGE
    except DriftgateError as exc:
        print(_safe(f"driftgate: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("driftgate: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("DRIFTGATE_DEBUG"):
            # Printed here, not by Python after the redactor is gone: an exception's message
            # (an API error echoing the key) is in the traceback.
            print(_safe(traceback.format_exc()), file=sys.stderr)
            return EXIT_USAGE
        print(
            _safe(f"driftgate: internal error: {exc.__class__.__name__}: {exc}\n")
            + "Set DRIFTGATE_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
