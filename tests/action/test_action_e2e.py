"""`driftgate action` in a subprocess with the container's environment.

A temporary repository with a bare origin, event payloads adapted from the octokit fixtures,
and the loopback fake GitHub driven by the real PyGithub. Each run that scores loads torch
(~5 s), so there are few of these; the rest of the behaviour is tested in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from action_helpers import (
    BAD_REFUND,
    REPOSITORY,
    git,
    pr_env,
    push_env,
)

from driftgate.action.commands import parse_outputs

SRC = Path(__file__).resolve().parents[2] / "src"
TOKEN = "ghs_supersecrettoken123"
# Not the original text: the PR still changes the file, so the case stays selected.
FIXED_REFUND = (
    "The customer was double-charged for the March Pro plan and asks for a refund; "
    "route to Billing."
)

pytestmark = pytest.mark.slow


def run_action(env: dict, cwd: Path, tmp: Path, *, block_model: bool = False):
    paths = [str(SRC)]
    if block_model:  # any import of torch / sentence-transformers fails the run loudly
        blocker = tmp / "blocker"
        for package in ("torch", "sentence_transformers"):
            (blocker / package).mkdir(parents=True, exist_ok=True)
            (blocker / package / "__init__.py").write_text(
                f"raise ImportError('{package} must not be imported on this run')\n"
            )
        paths.insert(0, str(blocker))
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join(paths),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "driftgate", "action"],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.stdout.count(TOKEN) <= 1  # only inside the ::add-mask:: command
    assert f"::add-mask::{TOKEN}" in done.stdout
    return done


def outputs(tmp: Path) -> dict:
    return parse_outputs((tmp / "out" / "output").read_text())


def test_push_to_main_records_the_baseline(tmp_path, repo, fake):
    env = push_env(tmp_path, repo, fake.base_url)
    done = run_action(env, repo.work, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::group::Record the baseline" in done.stdout
    listed = git(repo.origin, "ls-tree", "-r", "--name-only", "driftgate-baseline")
    assert f"support/{repo.main_sha}.json" in listed.splitlines()
    assert outputs(tmp_path)["verdict"] == "pass"
    assert [s["context"] for s in fake.statuses] == ["driftgate/support"]
    assert not fake.comments  # no PR: no comment


def test_pr_regression_then_fix_edits_the_same_comment(tmp_path, repo, fake):
    repo.branch("feature")
    repo.write({"answers/refund_routing.txt": BAD_REFUND})
    bad = repo.commit("refund answers are generic now")
    env = pr_env(tmp_path, repo, fake.base_url, bad)
    done = run_action(env, repo.work, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    (comment,) = fake.comments[2]
    assert "refund_routing" in comment["body"] and "failed" in comment["body"]
    assert comment["body"].startswith("<!-- driftgate-report suite=support key=")
    assert "::error file=llm-evals.yaml,line=10,title=driftgate%3A refund_routing::" in done.stdout
    assert fake.statuses[-1]["state"] == "failure"
    assert outputs(tmp_path)["verdict"] == "fail"
    assert outputs(tmp_path)["comment-url"].endswith(f"#issuecomment-{comment['id']}")

    repo.write({"answers/refund_routing.txt": FIXED_REFUND})
    fixed = repo.commit("fix the refund answer")
    env = pr_env(tmp_path, repo, fake.base_url, fixed, action="synchronize")
    done = run_action(env, repo.work, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (edited,) = fake.comments[2]  # still exactly one comment: the same one, edited
    assert edited["id"] == comment["id"]
    assert "passed" in edited["body"].split("\n")[1]
    assert [s["state"] for s in fake.statuses] == ["failure", "success"]
    # Who owns the comment: GET /user, whose 403 means the Actions token (github-actions[bot]).
    assert sum(path.endswith("/user") for _, path, _ in fake.requests) == 2  # once per run
    assert edited["user"]["login"] == "github-actions[bot]"


def test_pr_touching_no_case_posts_nothing_and_loads_no_model(tmp_path, repo, fake):
    repo.branch("docs")
    repo.write({"README.md": "better docs\n"})
    head = repo.commit("docs only")
    env = pr_env(tmp_path, repo, fake.base_url, head)
    done = run_action(env, repo.work, tmp_path, block_model=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not fake.comments
    assert [m for m, _, _ in fake.writes()] == ["POST"]  # the status only
    assert fake.statuses[0]["description"] == "no case affected by this change"
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "no PR comment posted" in summary
    assert outputs(tmp_path)["selected"] == "0"


def test_config_typo_exits_2_with_the_line(tmp_path, repo, fake):
    text = (repo.work / "llm-evals.yaml").read_text().replace("critical: true", "critcal: true")
    repo.write({"llm-evals.yaml": text})
    head = repo.commit("typo")
    env = pr_env(tmp_path, repo, fake.base_url, head)
    done = run_action(env, repo.work, tmp_path, block_model=True)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "::error file=llm-evals.yaml,line=16," in done.stdout
    assert "did you mean 'critical'" in done.stdout
    assert (
        "line 16" in (tmp_path / "out" / "summary.md").read_text()
        or "llm-evals.yaml:16" in (tmp_path / "out" / "summary.md").read_text()
    )
    assert not fake.writes()
    assert REPOSITORY  # the payloads' repository is the one the fake serves


def test_fork_pr_with_a_read_only_token_does_not_crash(tmp_path, repo, fake):
    """Derived fork payload (see action_helpers.pr_event); docs-only, so no model loads."""
    fake.read_only = True
    repo.branch("fork-docs")
    repo.write({"README.md": "typo fix from a contributor\n"})
    head = repo.commit("docs from a fork")
    env = pr_env(tmp_path, repo, fake.base_url, head, fork=True)
    done = run_action(env, repo.work, tmp_path, block_model=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::warning title=driftgate%3A status not set::" in done.stdout
    assert "statuses: write" in done.stdout and "workflow_run" in done.stdout
    assert not fake.statuses and not fake.comments
    assert "no case affected" in (tmp_path / "out" / "summary.md").read_text()
