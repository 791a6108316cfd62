"""Untrusted text printed in action mode can never be read as a workflow command.

A case named `x\\n::error title=INJ::injected` (and reasons, errors, progress lines and
stderr carrying `::set-output`, `::stop-commands::` or the legacy `##[` form) goes through
`action()`; what it printed is read the way GitHub's runner reads it
(fakes/workflow_runner.py): the only commands are driftgate's own.
"""

from __future__ import annotations

import io
import sys

from action_helpers import action_env, pr_event

from driftgate.action.git import Git
from driftgate.action.main import action
from driftgate.action.settings import Settings
from driftgate.gate import summarize
from driftgate.redact import neutralize_commands
from driftgate.results import CaseResult, JudgeResult, RunResults
from fakes.workflow_runner import DOTNET_WHITESPACE, commands, runner_lines

INJECTIONS = [
    "x\n::error title=INJ::injected",
    "y\r::warning title=INJ::carriage return",
    "z\r\n  \t::notice title=INJ::indented",
    "w\n\u2003::error title=INJ::em space",
    "v\n##[error]INJ legacy",
    "u\n::stop-commands::INJ",
    "t\n::set-output name=INJ::value",
    "s\n::add-mask::INJ",
]
TOKEN = "ghs_supersecrettoken123"  # action_env's
OURS = {"add-mask", "group", "endgroup", "error", "warning", "notice"}


def hostile_run(options):
    for text in INJECTIONS:
        options.progress(f"[1/8] {text} failed")  # a progress line, as the pipeline prints
    print("stray print\n::error title=INJ::from a library", file=sys.stderr)
    print("stray stdout\n::error title=INJ::from a library")
    cases = [
        CaseResult(
            name=text,
            line=4,
            status="error",
            reasons=[f"command exited 1:\n{text}"],
            error=f"stderr tail:\n{text}",
            judge=JudgeResult(status="failed", score=1, reasoning=text),
        )
        for text in INJECTIONS
    ]
    results = RunResults(
        suite="inj\n::error title=INJ::suite",
        suite_path="llm-evals.yaml",
        embedding_model="m",
        cases=cases,
        warnings=list(INJECTIONS),
    )
    summarize(results)
    return results


def test_injected_names_reasons_and_progress_make_no_command(tmp_path, repo, fake, capsys):
    env = action_env(
        tmp_path, repo, "pull_request", pr_event(repo.main_sha, repo.main_sha), fake.base_url,
        sha=repo.main_sha, ref="refs/pull/2/merge", inputs={"comment": "false"},
    )  # fmt: skip
    stream = io.StringIO()
    code = action(Settings.from_env(env), None, Git(), run=hostile_run, stream=stream)
    assert code == 1
    captured = capsys.readouterr()
    for text in (stream.getvalue(), captured.out, captured.err):
        found = commands(text)
        assert {name for name, _, _ in found} <= OURS, found
        for name, props, message in found:  # escaped data cannot add a property or a mask
            entries = [prop for prop in props.split(",") if prop]
            assert {e.split("=", 1)[0] for e in entries} <= {"file", "line", "col", "title"}
            assert not [e for e in entries if e.startswith("title=INJ")], props
            assert "INJ" not in message or name == "error" and "%0A" in message, message
            assert name != "add-mask" or message == TOKEN
    log = stream.getvalue()
    # One annotation per case, each on its own line, the injection inside its escaped message.
    errors = [c for c in commands(log) if c[0] == "error"]
    assert len(errors) == len(INJECTIONS)
    assert all(p.startswith("file=llm-evals.yaml,line=4,title=driftgate%3A ") for _, p, _ in errors)
    assert "x%0A::error title=INJ::injected" in errors[0][2]
    # The progress lines were printed, readable, but start no command.
    assert "[1/8] x failed" not in log  # the name's line break is kept...
    assert ":\u200b:error title=INJ::injected failed" in log  # ...its `::` is not at a start
    assert "stray print" in captured.err and ":\u200b:error title=INJ::from" in captured.err


def test_neutralize_leaves_ordinary_text_alone():
    text = "std::vector is fine; a::b too\nok :: spaced\nhttps://example.com"
    assert neutralize_commands(text) == text


def test_every_runner_line_start_is_covered():
    hostile = "".join(f"{sep}{space}::error::x" for sep in "\n\r" for space in DOTNET_WHITESPACE)
    safe = neutralize_commands("start" + hostile)
    assert commands(safe) == []
    assert len(runner_lines(safe)) == len(runner_lines("start" + hostile))
