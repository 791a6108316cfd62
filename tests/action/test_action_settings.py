"""Settings from the runner's environment; workflow commands as the runner parses them."""

from __future__ import annotations

import io
import json

import pytest
from action_helpers import pr_event, push_event

from driftgate.action.commands import Workflow, escape_property, parse_outputs
from driftgate.action.main import plan_run
from driftgate.action.settings import Settings
from driftgate.errors import UsageError


def settings_for(tmp_path, event_name: str, event: dict, **env) -> Settings:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return Settings.from_env(
        {"GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(path), **env}
    )


def test_inputs_keep_hyphens_and_token_never_reprs(tmp_path):
    s = settings_for(
        tmp_path,
        "push",
        {},
        **{
            "INPUT_GITHUB-TOKEN": "ghs_abc",
            "INPUT_BASELINE-BRANCH": "evals",
            "INPUT_COMMIT-STATUS": "false",
            "INPUT_MODE": "Full",
            "ANTHROPIC_API_KEY": "sk-ant-x",
        },
    )
    assert s.github_token == "ghs_abc" and s.baseline_branch == "evals"
    assert s.commit_status is False and s.mode == "full"
    assert "ghs_abc" not in repr(s) and "sk-ant-x" not in repr(s)
    assert s.secrets == ("ghs_abc", "sk-ant-x")  # every secret in the env (redact.py)


def test_bad_input_names_the_input(tmp_path):
    with pytest.raises(UsageError, match="input `mode`: 'fast' is not valid; use one of auto"):
        settings_for(tmp_path, "push", {}, INPUT_MODE="fast")
    with pytest.raises(UsageError, match="input `comment`: 'maybe' is not a boolean"):
        settings_for(tmp_path, "push", {}, INPUT_COMMENT="maybe")


def test_plan_by_event(tmp_path):
    pr = plan_run(settings_for(tmp_path, "pull_request", pr_event("a" * 40, "b" * 40)))
    assert (pr.kind, pr.pr_number, pr.base_sha, pr.status_sha) == (
        "selective",
        2,
        "a" * 40,
        "b" * 40,
    )
    assert not pr.update_baseline
    labeled = plan_run(
        settings_for(tmp_path, "pull_request", pr_event("a" * 40, "b" * 40, action="labeled"))
    )
    assert labeled.kind == "selective" and labeled.status_sha == "b" * 40
    closed = plan_run(
        settings_for(tmp_path, "pull_request", pr_event("a" * 40, "b" * 40, action="closed"))
    )
    assert closed.kind == "noop" and "closed" in closed.note
    target = plan_run(settings_for(tmp_path, "pull_request_target", pr_event("a" * 40, "b" * 40)))
    assert target.kind == "selective" and "secrets" in target.warnings[0]
    push = plan_run(
        settings_for(
            tmp_path,
            "push",
            push_event("a" * 40, "c" * 40),
            GITHUB_REF="refs/heads/main",
            GITHUB_SHA="c" * 40,
        )
    )
    assert push.kind == "full" and push.update_baseline
    branch = plan_run(
        settings_for(
            tmp_path, "push", push_event("a" * 40, "c" * 40), GITHUB_REF="refs/heads/feature"
        )
    )
    assert branch.kind == "full" and not branch.update_baseline
    nightly = plan_run(settings_for(tmp_path, "schedule", {"schedule": "0 3 * * *"}))
    assert nightly.kind == "full" and not nightly.update_baseline  # no default branch known
    forced = plan_run(
        settings_for(
            tmp_path,
            "pull_request",
            pr_event("a" * 40, "b" * 40),
            INPUT_MODE="full",
            **{"INPUT_UPDATE-BASELINE": "true"},
        )
    )
    assert forced.kind == "full" and forced.update_baseline


def test_workflow_commands_escape_and_outputs_are_multiline_safe(tmp_path):
    stream = io.StringIO()
    out = Workflow(stream, str(tmp_path / "o"), str(tmp_path / "s"))
    out.error("bad\nthing 100%", file="dir/a,b.yaml", line=12, title="x: y")
    out.mask("s3cret")
    with out.group("Run"):
        out.log("hello")
    out.set_output("report", "line 1\nline 2\nEOF\n")
    out.set_output("verdict", "fail")
    assert stream.getvalue().splitlines() == [
        "::error file=dir/a%2Cb.yaml,line=12,title=x%3A y::bad%0Athing 100%25",
        "::add-mask::s3cret",
        "::group::Run",
        "hello",
        "::endgroup::",
    ]
    assert parse_outputs((tmp_path / "o").read_text()) == {
        "report": "line 1\nline 2\nEOF\n",
        "verdict": "fail",
    }
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_sharded_runs_record_the_baseline_in_the_merge_job_only(tmp_path):
    push = push_event("a" * 40, "c" * 40)
    env = {"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "c" * 40}
    shard = plan_run(settings_for(tmp_path, "push", push, INPUT_SHARD="1/3", **env))
    assert shard.kind == "full" and not shard.update_baseline
    merge = plan_run(settings_for(tmp_path, "push", push, INPUT_MODE="merge", **env))
    assert merge.kind == "merge" and merge.update_baseline
    on_pr = plan_run(
        settings_for(tmp_path, "pull_request", pr_event("a" * 40, "b" * 40), INPUT_MODE="merge")
    )
    assert on_pr.kind == "merge" and on_pr.pr_number == 2 and not on_pr.update_baseline


def test_the_workspace_is_trusted_once(tmp_path, home):
    import subprocess

    from driftgate.action.git import Git

    workspace = tmp_path / "workspace"
    Git().trust(workspace)
    Git().trust(workspace)
    listed = subprocess.run(
        ["git", "config", "--global", "--get-all", "safe.directory"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert listed == [str(workspace)]
    assert (home / ".gitconfig").is_file()  # the test's HOME, never the real one


def test_action_yml_declares_exactly_what_the_action_reads_and_writes(tmp_path):
    """Inputs and outputs of action.yml against Settings.from_env and the outputs written."""
    import inspect
    import re
    from pathlib import Path

    import yaml

    from driftgate.action import main, monitor_mode, settings

    meta = yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text())
    read = set(re.findall(r'get\("([a-z-]+)"', inspect.getsource(settings.Settings.from_env)))
    read |= set(re.findall(r'(?:choice|flag)\("([a-z-]+)"', inspect.getsource(settings)))
    assert set(meta["inputs"]) == read
    written = set(re.findall(r'"([a-z0-9-]+)": ', inspect.getsource(main._outputs)))
    written |= set(re.findall(r'set_output\("([a-z0-9-]+)"', inspect.getsource(main)))
    written |= set(re.findall(r'"([a-z0-9-]+)": ', inspect.getsource(monitor_mode.monitor_mode)))
    assert set(meta["outputs"]) == written
    assert meta["runs"]["using"] == "docker"
