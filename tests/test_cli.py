"""The command line's help: every subcommand is listed with its one line and has a description."""

from __future__ import annotations

import pytest

from driftgate.cli import COMMANDS, main

NAMES = [command.__name__.rpartition(".")[2] for command in COMMANDS]


def test_top_level_help_lists_every_command_with_its_line(capsys):
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out
    for command, name in zip(COMMANDS, NAMES, strict=True):
        summary = command.__doc__.partition("\n\n")[0]
        assert summary and "\n" not in summary, name
        assert name in listing
        assert summary.split()[0] in listing


@pytest.mark.parametrize("name", NAMES)
def test_each_command_help_has_a_description(capsys, name):
    command = COMMANDS[NAMES.index(name)]
    description = command.__doc__.partition("\n\n")[2].split()
    assert len(description) >= 8, f"{name}: its docstring needs a description paragraph"
    assert main([name, "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert " ".join(description[:6]) in shown


def test_cache_flags_are_the_same_wherever_they_appear(capsys):
    for name in ("run", "monitor"):
        main([name, "--help"])
        shown = " ".join(capsys.readouterr().out.split())
        assert "--cache-dir DIR" in shown and "--no-cache" in shown, name
    main(["plan", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--cache-dir DIR" in shown and "--no-cache" not in shown


def test_a_misspelt_flag_names_the_command_and_suggests_the_flag(capsys):
    """Found adopting driftgate: `run --chaged-since main` printed the top-level usage and
    'unrecognized arguments', with no hint of the flag meant or of `run --help`."""
    assert main(["run", "--chaged-since", "main"]) == 2
    err = capsys.readouterr().err
    assert "driftgate run: error: unrecognized arguments: --chaged-since main" in err
    assert "did you mean --changed-since?" in err and "driftgate run --help" in err
    assert main(["select", "--jsn"]) == 2
    assert "did you mean --json?" in capsys.readouterr().err
    assert main(["validate", "--xyzzy"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --xyzzy" in err and "did you mean" not in err
