"""The secure fork pattern: a `workflow_run` follow-up posts the results a fork's run saved.

No fixture has a workflow_run payload; this one is derived from GitHub's documented shape
(`workflow_run.head_sha`, `workflow_run.pull_requests` which is empty for forks).
"""

from __future__ import annotations

import io
import json

import pytest
from action_helpers import action_env, load_event

from driftgate.action.git import Git
from driftgate.action.github import GitHub
from driftgate.action.main import action
from driftgate.action.settings import Settings
from driftgate.errors import UsageError
from driftgate.gate import summarize
from driftgate.results import CaseResult, RunResults

HEAD = "c0ffee" + "0" * 34


def saved_results(folder, verdict: str | None = None) -> None:
    results = RunResults(
        suite="support",
        suite_path="llm-evals.yaml",
        embedding_model="all-MiniLM-L6-v2",
        cases=[
            CaseResult(
                name="refund_routing",
                line=10,
                critical=True,
                status="failed",
                reasons=["similarity 0.31 < 0.80"],
                similarity=0.31,
                pass_rate=0.0,
            ),
            CaseResult(
                name="outage_summary", line=17, status="passed", similarity=0.9, pass_rate=1.0
            ),
        ],
    )
    summarize(results)
    if verdict is not None:  # a summary that says otherwise than the cases
        results.summary.verdict, results.summary.gate_reasons = verdict, []
    folder.mkdir(parents=True)
    results.write(folder / "driftgate-results.json")


def follow_up(tmp_path, repo, fake, pr_number: str, verdict: str | None = None):
    saved_results(repo.work / "saved", verdict)
    event = {
        "action": "completed",
        "workflow_run": {"head_sha": HEAD, "pull_requests": [], "event": "pull_request"},
        "repository": load_event("pull_request.opened.json")["repository"],
    }
    env = action_env(
        tmp_path,
        repo,
        "workflow_run",
        event,
        fake.base_url,
        sha=repo.main_sha,
        ref="refs/heads/main",
        inputs={"mode": "merge", "shard-results": "saved", "pr-number": pr_number},
    )
    settings = Settings.from_env(env)
    github = GitHub.connect(
        settings.github_token, settings.api_url, settings.repository, retries=0, throttle=False
    )
    stream = io.StringIO()
    return action(settings, github, Git(), stream=stream), stream.getvalue()


def test_follow_up_posts_the_saved_report_on_the_fork_pr(tmp_path, repo, fake):
    fake.pr_heads[2] = HEAD
    code, log = follow_up(tmp_path, repo, fake, "2")
    assert code == 1  # the saved verdict
    (comment,) = fake.comments[2]
    assert "refund_routing" in comment["body"]
    (status,) = fake.statuses
    assert status["sha"] == HEAD and status["state"] == "failure"


def test_follow_up_decides_the_verdict_from_the_saved_cases(tmp_path, repo, fake):
    """Found: the saved file's `summary.verdict` was posted as is: "pass" beside a failed
    critical case went green. The verdict is gate.py's, from the cases alone."""
    fake.pr_heads[2] = HEAD
    code, log = follow_up(tmp_path, repo, fake, "2", verdict="pass")
    assert code == 1
    (status,) = fake.statuses
    assert status["state"] == "failure"


def test_follow_up_refuses_a_pr_number_that_does_not_match_the_run(tmp_path, repo, fake):
    fake.pr_heads[7] = "d" * 40  # someone else's PR
    code, log = follow_up(tmp_path, repo, fake, "7")
    assert code == 2
    assert "not posting" in log
    assert not fake.comments and not fake.statuses


def test_pr_number_must_be_a_number(tmp_path, repo, fake):
    env = action_env(
        tmp_path,
        repo,
        "workflow_run",
        {},
        fake.base_url,
        sha="a" * 40,
        ref="refs/heads/main",
        inputs={"pr-number": "2; rm -rf"},
    )
    with pytest.raises(UsageError, match="input `pr-number`"):
        Settings.from_env(env)
    assert json.dumps(env)  # env stays plain strings
