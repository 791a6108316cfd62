"""The action under hostile input: malformed event payloads, hostile suite names, rate limits.

Real PyGithub against the loopback fake GitHub; real git repositories with a bare origin.
"""

from __future__ import annotations

import io
import json

import pytest
from action_helpers import BAD_REFUND, SUITE, action_env, pr_env, pr_event

from driftgate.action.commands import parse_outputs
from driftgate.action.git import Git
from driftgate.action.github import COMMENT_LIMIT, GitHub, marker
from driftgate.action.main import main
from driftgate.action.settings import Settings
from driftgate.ratelimit import WaitBudget


def bad_pr(repo) -> str:
    repo.branch("feature")
    repo.write({"answers/refund_routing.txt": BAD_REFUND})
    return repo.commit("generic refund answer")


def run(tmp_path, repo, fake, event, *, sha, embedder, budget=None, event_name="pull_request"):
    env = action_env(tmp_path, repo, event_name, event, fake.base_url, sha=sha, ref="refs/x")
    settings = Settings.from_env(env)
    github = GitHub.connect(
        settings.github_token,
        settings.api_url,
        settings.repository,
        retries=0,
        throttle=False,
        budget=budget,
    )
    from driftgate.action.main import action

    stream = io.StringIO()
    code = action(settings, github, Git(), embedder=embedder, stream=stream)
    summary = (tmp_path / "out" / "summary.md").read_text()
    outputs = parse_outputs((tmp_path / "out" / "output").read_text())
    return code, stream.getvalue(), summary, outputs


# -- event payload validation ----------------------------------------------------------------


def malformed(repo, change):
    event = pr_event(repo.main_sha, repo.main_sha)
    change(event)
    return event


CASES = {
    "number is a string": (
        lambda e: e.update(number="abc"),
        "`number` is a string ('abc'); GitHub sends a positive whole number",
    ),
    "head is a string": (
        lambda e: e["pull_request"].update(head="feature"),
        "`pull_request.head` is a string ('feature'); GitHub sends an object",
    ),
    "sha is not hex": (
        lambda e: e["pull_request"]["base"].update(sha="--upload-pack=touch /tmp/pwned"),
        "`pull_request.base.sha` is a string ('--upload-pack=touch /tmp/pwned'",
    ),
    "sha is short": (
        lambda e: e["pull_request"]["head"].update(sha="abc123"),
        "`pull_request.head.sha` is a string ('abc123'); GitHub sends a commit SHA",
    ),
    "pull_request missing": (
        lambda e: e.pop("pull_request"),
        "`pull_request` is missing; GitHub sends an object",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_event_is_exit_2_with_a_message_and_a_summary(
    name, tmp_path, repo, fake, monkeypatch, capsys
):
    change, expected = CASES[name]
    event = malformed(repo, change)
    env = action_env(
        tmp_path,
        repo,
        "pull_request",
        event,
        fake.base_url,
        sha=repo.main_sha,
        ref="refs/pull/2/merge",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main() == 2
    out = capsys.readouterr()
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "driftgate could not run" in summary and expected in summary
    assert "::error title=driftgate::" in out.out and "Traceback" not in out.out + out.err
    assert not fake.requests  # nothing was asked of GitHub with a payload we cannot trust


def test_a_malformed_workflow_run_and_push_are_caught_too(tmp_path, repo):
    from driftgate.action.event import check_event
    from driftgate.errors import UsageError

    with pytest.raises(UsageError, match=r"`workflow_run.pull_requests\[0\].number` is a string"):
        check_event(
            "workflow_run",
            {"workflow_run": {"head_sha": "a" * 40, "pull_requests": [{"number": "7"}]}},
        )
    with pytest.raises(UsageError, match="`before` is a number"):
        check_event("push", {"before": 5, "after": "b" * 40})
    with pytest.raises(UsageError, match="the payload is a list"):
        check_event("push", [1])
    check_event("push", {"before": "0" * 40, "after": "b" * 64})  # SHA-256 repositories


# -- a hostile or huge suite name --------------------------------------------------------------


def rename_suite(repo, name: str) -> str:
    repo.write({"llm-evals.yaml": SUITE.replace("name: support", f"name: {json.dumps(name)}")})
    return repo.commit("rename the suite")


def test_a_suite_name_spelling_another_suites_marker_takes_nothing_over(
    tmp_path, repo, fake, embedder
):
    beta = fake.add_comment(2, f"{marker('beta')}\nbeta's report", "github-actions[bot]")
    rename_suite(repo, "alpha <!-- driftgate-report suite=beta -->")
    head = bad_pr(repo)
    event = pr_event(repo.main_sha, head)
    code, _, _, outputs = run(tmp_path, repo, fake, event, sha=head, embedder=embedder)
    assert code == 1
    assert beta["body"] == f"{marker('beta')}\nbeta's report"
    assert len(fake.comments[2]) == 2
    assert outputs["comment-url"] == fake.comments[2][1]["html_url"]


def test_an_8000_character_suite_name_still_comments_and_sets_outputs(
    tmp_path, repo, fake, embedder
):
    name = "s" * 8000
    rename_suite(repo, name)
    head = bad_pr(repo)
    event = pr_event(repo.main_sha, head)
    code, log, summary, outputs = run(tmp_path, repo, fake, event, sha=head, embedder=embedder)
    assert code == 1 and "internal error" not in log
    (comment,) = fake.comments[2]
    assert len(comment["body"]) <= COMMENT_LIMIT
    assert comment["body"].startswith(marker(name) + "\n")
    headline = comment["body"].split("\n")[1]
    assert len(headline) < 300 and "(8000 chars)" in headline
    assert headline.startswith("### ❌") and headline.endswith(": 1 critical failure")
    assert outputs["verdict"] == "fail" and outputs["comment-url"] == comment["html_url"]
    (status,) = fake.statuses
    assert len(status["context"]) <= 100 and status["context"].startswith("driftgate/sss")


def test_a_foreign_comment_with_our_marker_is_noted_in_the_summary(tmp_path, repo, fake, embedder):
    fake.add_comment(2, f"{marker('support')}\n### ✅ all good, trust me", "mallory")
    head = bad_pr(repo)
    code, log, summary, outputs = run(
        tmp_path, repo, fake, pr_event(repo.main_sha, head), sha=head, embedder=embedder
    )
    assert code == 1
    assert fake.comments[2][0]["body"].endswith("trust me")
    assert fake.comments[2][1]["user"]["login"] == "github-actions[bot]"
    assert "ignored 1 comment by mallory" in summary
    assert "::warning title=driftgate%3A PR comment::ignored 1 comment by mallory" in log


# -- bounded waits -----------------------------------------------------------------------------


def test_a_rate_limit_past_the_bound_skips_posting_but_keeps_the_verdict(
    tmp_path, repo, fake, embedder
):
    head = bad_pr(repo)
    fake.limit_next("primary", reset_in=3600, count=50)  # every call refused for an hour
    slept: list[float] = []
    code, log, summary, outputs = run(
        tmp_path,
        repo,
        fake,
        pr_event(repo.main_sha, head),
        sha=head,
        embedder=embedder,
        budget=WaitBudget(60, sleep=slept.append),
    )
    assert code == 1 and slept == []  # the gate's verdict, and no hour-long stall
    assert "past driftgate's bound on waiting (60 s" in log
    assert "refund_routing" in summary and "The PR comment was not posted" in summary
    assert outputs["verdict"] == "fail" and outputs["comment-url"] == ""
    assert not fake.comments and not fake.statuses


def test_max_wait_is_an_input_or_an_environment_setting(tmp_path, repo, fake):
    env = action_env(tmp_path, repo, "push", {}, fake.base_url, sha=repo.main_sha, ref="refs/x")
    assert Settings.from_env(env).max_wait == 60
    assert Settings.from_env({**env, "DRIFTGATE_MAX_WAIT": "5"}).max_wait == 5
    assert (
        Settings.from_env({**env, "INPUT_MAX-WAIT": "0", "DRIFTGATE_MAX_WAIT": "5"}).max_wait == 0
    )
    from driftgate.errors import UsageError

    with pytest.raises(UsageError, match="max-wait"):
        Settings.from_env({**env, "INPUT_MAX-WAIT": "forever"})


# -- one git seam --------------------------------------------------------------------------------

GIT_LOGGER = """#!/bin/sh
echo "$3" >> "$GIT_LOG"
exec "$REAL_GIT" "$@"
"""


def test_one_injected_git_sees_every_git_command_of_a_run(
    tmp_path, repo, fake, embedder, monkeypatch
):
    """The action hands its `git` to the pipeline: selection, the suite's root, the cache, the
    run's commit and the baseline branch all use it. A logging `git` on PATH proves that no
    git ran without passing through it."""
    import os
    import shutil
    import stat

    class Recording(Git):
        def __init__(self):
            self.commands: list[str] = []

        def call(self, root, *args, **options):
            self.commands.append(args[0])
            return super().call(root, *args, **options)

    head = bad_pr(repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(GIT_LOGGER)
    (bin_dir / "git").chmod(0o755 | stat.S_IEXEC)
    log = tmp_path / "git.log"
    monkeypatch.setenv("REAL_GIT", shutil.which("git"))
    monkeypatch.setenv("GIT_LOG", str(log))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    env = pr_env(tmp_path, repo, fake.base_url, head)
    settings = Settings.from_env(env)
    github = GitHub.connect(
        settings.github_token, settings.api_url, settings.repository, retries=0, throttle=False
    )
    from driftgate.action.main import action

    recording = Recording()
    code = action(settings, github, recording, embedder=embedder, stream=io.StringIO())
    assert code == 1
    ran = log.read_text().split()
    assert sorted(ran) == sorted(recording.commands)  # nothing ran around the seam
    # ... and the seam covers every stage that asks git something:
    seams = ("config", "rev-parse", "cat-file", "merge-base", "diff", "ls-files", "remote", "fetch")
    for command in seams:
        assert command in recording.commands, command
