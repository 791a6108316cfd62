"""Fail fast on report paths and the baseline before any target call; after the run, one
failed write never loses the other reports."""

from __future__ import annotations

import json
import sys

import pytest

from driftgate.cli import main

PY = sys.executable
pytestmark = pytest.mark.slow  # runs score with the embedding model


@pytest.fixture
def project(tmp_path):
    """A suite whose command target leaves a mark each time it is called."""
    (tmp_path / "target.py").write_text(
        "import pathlib, sys\npathlib.Path('called').touch()\nprint('Route to Billing.')\n"
    )
    (tmp_path / "llm-evals.yaml").write_text(
        "eval_suite:\n"
        "  name: s\n"
        f"  target: {{type: command, command: '{PY} target.py'}}\n"
        "  cases:\n"
        "    - {name: c, expected: Route to Billing., checks: {contains: Billing}}\n"
    )
    return tmp_path


def run(project, *args: str) -> int:
    return main(
        ["run", "-c", str(project / "llm-evals.yaml"), "--all", "--no-cache", "-q"]
        + ["--baseline-branch", "", *args]
    )


@pytest.mark.parametrize(
    ("flag", "make", "message"),
    [
        ("--output-json", "folder", "is a folder; name a file"),
        ("--report-md", "folder", "is a folder; name a file"),
        ("--junit", "under_a_file", "is not a folder"),
    ],
)
def test_an_unwritable_report_path_stops_the_run_before_any_call(
    project, capsys, monkeypatch, flag, make, message
):
    monkeypatch.chdir(project)
    if make == "folder":
        (project / "out").mkdir()
        target = project / "out"
    else:
        (project / "file.txt").write_text("x")
        target = project / "file.txt" / "junit.xml"
    assert run(project, flag, str(target)) == 2
    err = capsys.readouterr().err
    assert f"{flag} {target}: " in err and message in err
    assert "checked before running anything" in err
    assert not (project / "called").exists()


def test_an_unreadable_baseline_stops_the_run_before_any_call(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    assert run(project, "--baseline", str(project / "missing.json")) == 2
    err = capsys.readouterr().err
    assert "missing.json: results file not found" in err
    assert "pass a file written by `driftgate run --output-json`" in err  # what to do
    assert not (project / "called").exists()


def test_a_failed_report_write_keeps_the_others_and_exits_2(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    # The Markdown report's folder appears while the run goes on: the later write fails.
    report = project / "report.md"

    import driftgate.report.files as files

    original = files.results_first

    def with_blocker(results, output_json, report_md, junit):
        report.mkdir()
        return original(results, output_json, report_md, junit)

    monkeypatch.setattr(files, "results_first", with_blocker)
    code = run(
        project,
        "--output-json",
        str(project / "results.json"),
        "--report-md",
        str(report),
        "--junit",
        str(project / "junit.xml"),
    )
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads((project / "results.json").read_text())["summary"]["verdict"] == "pass"
    assert (project / "junit.xml").read_text().startswith("<?xml")
    assert f"cannot write --report-md {report}" in captured.err
    assert "the verdict (PASS) was not delivered in full" in captured.err
    assert "verdict: PASS" in captured.out
