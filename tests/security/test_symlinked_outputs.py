"""A pull request can commit symlinks where driftgate writes: writes replace, never follow.

In CI the work tree is the PR's checkout and driftgate often runs as root (the container).
A symlink committed at a report path, or at the temporary name a writer used beside it
(`results.json.tmp`), or at a trace file's predictable name, made driftgate write through it
into any file the process could reach (`.git/config`, a file of the runner, the user's
`~/.bashrc` on a self-hosted machine). Every writer now makes a new file beside the target and
renames it over the target: a symlink there is replaced, its target left untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from driftgate.fileio import write_text
from driftgate.traces import TraceWriter
from support import run_cli

BEFORE = "the victim's own content\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "victim.txt"
    path.write_text(BEFORE)
    return path


def test_write_text_replaces_a_symlink_instead_of_writing_through_it(tmp_path, victim):
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    write_text(link, "report\n")
    assert victim.read_text() == BEFORE
    assert not link.is_symlink() and link.read_text() == "report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "report.md"]


def test_a_cli_run_never_writes_through_committed_symlinks(tmp_path, victim):
    work = tmp_path / "repo"
    work.mkdir()
    (work / "answer.py").write_text(
        "import json, sys\njson.load(sys.stdin)\nprint(json.dumps({'output': 'hello'}))\n"
    )
    (work / "suite.yaml").write_text(
        "eval_suite:\n  name: links\n  cases:\n"
        "    - name: one\n      expected: hello\n"
        f'      target: {{type: command, command: "{sys.executable} answer.py"}}\n'
    )
    planted = {
        "results.json.tmp": victim,  # the temporary name results.write used to write through
        "report.md": victim,
        "junit.xml": victim,
    }
    for name, target in planted.items():
        (work / name).symlink_to(target)
    done = run_cli(
        "run", "--config", "suite.yaml", "--all", "--no-cache",
        "--output-json", "results.json", "--report-md", "report.md", "--junit", "junit.xml",
        cwd=work,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == BEFORE
    for name in ("results.json", "report.md", "junit.xml"):
        assert not (work / name).is_symlink() and (work / name).stat().st_size > 0, name


def test_a_trace_file_name_planted_as_a_symlink_is_replaced(tmp_path, victim):
    """Trace names are predictable (`00001-target-<case>-s0-a1.json`)."""
    traces = tmp_path / "traces"
    traces.mkdir()
    (traces / "00001-target-one-s0-a1.json").symlink_to(victim)
    path = TraceWriter(traces).write("target", "one", {"messages": []}, {"content": []})
    assert path.name == "00001-target-one-s0-a1.json"
    assert victim.read_text() == BEFORE
    assert not path.is_symlink() and '"case": "one"' in path.read_text()
