"""`action(settings, github, git)` in-process: real pipeline, real git, real PyGithub + fake.

The embedding model is the session's (root conftest), so these cost no torch start-up each.
"""

from __future__ import annotations

import io
import re

import pytest
from action_helpers import (
    BAD_REFUND,
    action_env,
    pr_event,
    push_env,
    push_event,
)

from driftgate.action.commands import parse_outputs
from driftgate.action.git import Git
from driftgate.action.github import GitHub
from driftgate.action.main import action
from driftgate.action.settings import Settings
from driftgate.errors import UsageError
from fakes.anthropic_server import FakeAnthropic
from support import git

TOKEN = "ghs_supersecrettoken123"
KEY = "sk-ant-secret-value"
JUDGE_GRADE = {"score": 5, "reasoning": "Faithful.", "critical_issues": []}


def run(
    tmp_path,
    repo,
    fake,
    event_name,
    event,
    *,
    sha,
    embedder,
    inputs=None,
    ref="refs/pull/2/merge",
    judge_calls=None,
):
    env = action_env(
        tmp_path, repo, event_name, event, fake.base_url, sha=sha, ref=ref, inputs=inputs
    )
    with FakeAnthropic() as claude:  # the action's key reaches the judge: it grades 5
        claude.default = claude.tool_use("record_grade", JUDGE_GRADE)
        env["ANTHROPIC_API_KEY"] = KEY
        env["ANTHROPIC_BASE_URL"] = claude.base_url
        settings = Settings.from_env(env)
        github = GitHub.connect(
            settings.github_token, settings.api_url, settings.repository, retries=0, throttle=False
        )
        stream = io.StringIO()
        code = action(settings, github, Git(), embedder=embedder, stream=stream)
    if judge_calls is not None:
        judge_calls.extend(claude.messages_requests())
    summary_path = tmp_path / "out" / "summary.md"
    summary = summary_path.read_text() if summary_path.exists() else ""
    return code, stream.getvalue(), summary


def run_on_pr(tmp_path, repo, fake, event, head, embedder, **options):
    """One action run on a `pull_request` event for the commit `head`."""
    return run(tmp_path, repo, fake, "pull_request", event, sha=head, embedder=embedder, **options)


def run_pr(tmp_path, repo, fake, head, embedder, judge_calls=None, inputs=None, **event_options):
    """One action run on a `pull_request` event from main's head to `head`."""
    event = pr_event(repo.main_sha, head, **event_options)
    return run_on_pr(
        tmp_path, repo, fake, event, head, embedder, judge_calls=judge_calls, inputs=inputs
    )


def run_main_push(tmp_path, repo, fake, embedder):
    """One action run on a `push` of main's head (a new branch: `before` is all zeros)."""
    event = push_event("0" * 40, repo.main_sha)
    return run(
        tmp_path,
        repo,
        fake,
        "push",
        event,
        sha=repo.main_sha,
        embedder=embedder,
        ref="refs/heads/main",
    )


def run_shards(tmp_path, repo, fake, event, head, embedder, count=2):
    """The shard jobs of a matrix, each writing shards/I/results.json."""
    for index in range(1, count + 1):
        inputs = {"shard": f"{index}/{count}", "results-path": f"shards/{index}/results.json"}
        run_on_pr(tmp_path, repo, fake, event, head, embedder, inputs=inputs)


def merge_shards(tmp_path, repo, fake, event, head, embedder):
    """The merge job over shards/: (exit code, log)."""
    inputs = {"mode": "merge", "shard-results": "shards"}
    code, log, _ = run_on_pr(tmp_path, repo, fake, event, head, embedder, inputs=inputs)
    return code, log


def bad_pr(repo):
    repo.branch("feature")
    repo.write({"answers/refund_routing.txt": BAD_REFUND})
    return repo.commit("generic refund answer")


def test_fork_pr_read_only_token_warns_and_keeps_the_verdict(tmp_path, repo, fake, embedder):
    fake.read_only = True
    head = bad_pr(repo)
    code, log, summary = run_pr(tmp_path, repo, fake, head, embedder, fork=True)
    assert code == 1  # the gate still fails the job
    assert "::warning title=driftgate%3A comment not posted::" in log
    assert "pull-requests: write" in log and "workflow_run" in log
    assert "::warning title=driftgate%3A status not set::" in log
    assert "refund_routing" in summary and "The PR comment was not posted" in summary
    assert not fake.comments and not fake.statuses
    assert [m for m, _, _ in fake.writes()] == ["POST", "POST"]  # tried once each, then warned


def test_secrets_are_masked_first_and_never_printed(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    code, log, summary = run_pr(tmp_path, repo, fake, head, embedder)
    first_lines = log.splitlines()[:2]
    assert first_lines == [f"::add-mask::{TOKEN}", "::add-mask::sk-ant-secret-value"]
    rest = "\n".join(log.splitlines()[2:])
    for secret in (TOKEN, "sk-ant-secret-value"):
        assert secret not in rest and secret not in summary
        assert secret not in (repo.work / "driftgate-results.json").read_text()
        assert all(secret not in str(body) for _, _, body in fake.requests)


def test_the_actions_key_and_base_url_reach_the_judge(tmp_path, repo, fake, embedder):
    """The action's environment, parsed into Settings, is what the judge uses (no other
    module reads ANTHROPIC_API_KEY): critical cases are judged with that key at that URL."""
    calls: list = []
    code, _log, _summary = run_pr(tmp_path, repo, fake, bad_pr(repo), embedder, judge_calls=calls)
    assert code == 1  # the bad answer still fails on similarity; a grade of 5 cannot pass it
    sent = {c.header("x-api-key") or c.header("authorization") for c in calls}
    assert calls and sent <= {KEY, f"Bearer {KEY}"}  # the SDK picks the header
    assert all(c.json["tools"][0]["name"] == "record_grade" for c in calls)


def test_outputs_and_annotations(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    code, log, _ = run_pr(tmp_path, repo, fake, head, embedder)
    assert code == 1
    values = parse_outputs((tmp_path / "out" / "output").read_text())
    assert values["verdict"] == "fail"
    assert values["failed"] == "1" and values["results-path"] == "driftgate-results.json"
    assert values["comment-url"].startswith("https://github.com/Codertocat/Hello-World/pull/2")
    errors = [line for line in log.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "critical case 'refund_routing' failed" in errors[0]
    for phase in ("Changed files", "Run the suite", "Post the PR comment", "Set the commit status"):
        assert f"::group::{phase}" in log


def test_a_labeled_pr_is_gated_like_a_push_to_it(tmp_path, repo, fake, embedder):
    """Found: a `labeled` event (a workflow with `types: [..., labeled]`) exited 0 as a
    no-op, and that green job replaced the head commit's red check: merge allowed."""
    head = bad_pr(repo)
    event = pr_event(repo.main_sha, head, action="labeled")
    code, log, _ = run(tmp_path, repo, fake, "pull_request", event, sha=head, embedder=embedder)
    assert code == 1
    assert "nothing to do" not in log
    assert [s["state"] for s in fake.statuses] == ["failure"]


def test_a_closed_pr_is_a_notice(tmp_path, repo, fake, embedder):
    code, log, summary = run_pr(tmp_path, repo, fake, repo.main_sha, embedder, action="closed")
    assert code == 0
    assert "::notice title=driftgate::pull_request 'closed': the pull request is closed" in log
    assert not fake.requests


def test_unknown_shas_fall_back_to_the_api_listing(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    fake.set_pr_files(2, ["answers/outage_summary.txt"])
    event = pr_event("f" * 40, head)  # a base commit git cannot find (nor fetch)
    code, log, _ = run(tmp_path, repo, fake, "pull_request", event, sha=head, embedder=embedder)
    assert any(path.endswith("/pulls/2/files") for _, path, _ in fake.requests)
    assert "GitHub API PR files: 1 changed file" in log
    assert code == 0  # only outage_summary selected: the broken refund case is not in this PR


def test_api_listing_at_the_cap_runs_everything(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    fake.set_pr_files(2, [f"docs/page{i}.md" for i in range(3100)])
    code, log, _ = run(
        tmp_path, repo, fake, "pull_request", pr_event("f" * 40, head), sha=head, embedder=embedder
    )
    assert "3000 files or more" in log
    assert code == 1  # everything ran, including the broken critical case


def test_bad_input_is_a_fix_it_error(tmp_path, repo, fake, embedder):
    env = action_env(
        tmp_path,
        repo,
        "push",
        {},
        fake.base_url,
        sha=repo.main_sha,
        ref="refs/heads/main",
        inputs={"update-baseline": "sometimes"},
    )
    with pytest.raises(UsageError, match="input `update-baseline`"):
        Settings.from_env(env)


def test_pr_compares_with_the_baseline_recorded_on_main(tmp_path, repo, fake, embedder):
    code, log, _ = run_main_push(tmp_path, repo, fake, embedder)
    assert code == 0 and "baseline recorded on branch driftgate-baseline" in log
    assert f"support/{repo.main_sha}.json" in git(
        repo.origin, "ls-tree", "-r", "--name-only", "driftgate-baseline"
    )
    head = bad_pr(repo)
    code, log, _ = run_pr(tmp_path, repo, fake, head, embedder)
    assert code == 1
    (comment,) = fake.comments[2]
    body = comment["body"]
    assert "(baseline 1.00, -1.00)" in body  # pass@1 now vs the recorded baseline
    row = next(line for line in body.splitlines() if "`refund_routing`" in line and "|" in line)
    assert "→" in row  # similarity baseline → now (delta)
    assert "1 new critical regression" in body.splitlines()[1]  # caused by this PR
    # The case's line at the PR's head commit, the run and its artifacts: links built from
    # GitHub's settings, never from the results.
    links = re.findall(r"\]\((https?://[^)]*)\)", body)
    run_url = "https://github.com/Codertocat/Hello-World/actions/runs/4242"
    suite = f"https://github.com/Codertocat/Hello-World/blob/{head}/llm-evals.yaml#L"
    assert run_url in links and f"{run_url}#artifacts" in links
    assert any(link.startswith(suite) and link[len(suite) :].isdigit() for link in links)
    assert "```text" not in body  # one case compared: no chart
    assert "<details><summary>1 skipped case</summary>" in body  # outage_summary: untouched


def test_a_results_file_that_cannot_be_written_after_the_run_is_exit_2(tmp_path, repo, fake):
    """Found: a results-path that became unwritable during the run (checked before it) ended
    the action in a traceback, after the run, with nothing posted."""
    from driftgate.gate import summarize
    from driftgate.results import CaseResult, RunResults

    def run_then_block(options):
        (repo.work / "driftgate-results.json").mkdir()  # e.g. the disk filled up
        results = RunResults(
            suite="support",
            suite_path="llm-evals.yaml",
            embedding_model="all-MiniLM-L6-v2",
            cases=[CaseResult(name="a", status="passed", similarity=0.9, pass_rate=1.0)],
        )
        summarize(results)
        return results

    env = push_env(tmp_path, repo, fake.base_url, branch="feature", before="a" * 40)
    stream = io.StringIO()
    code = action(Settings.from_env(env), None, Git(), run=run_then_block, stream=stream)
    assert code == 2
    log = stream.getvalue()
    assert "::error title=driftgate::cannot write results-path driftgate-results.json" in log
    assert "verdict (PASS)" in log and "Traceback" not in log


def test_inputs_reach_the_pipeline_options(tmp_path, repo, fake):
    """The options the action builds, seen at the injected `run` seam."""
    from dataclasses import fields

    from driftgate.pipeline import RunOptions
    from driftgate.results import RunResults

    seen = []

    def spy(options):
        seen.append(options)
        return RunResults(
            suite="support", suite_path="llm-evals.yaml", embedding_model="all-MiniLM-L6-v2"
        )

    inputs = {"cache-dir": ".cache/dg", "judge": "all", "shard": "2/3", "working-directory": "."}
    env = push_env(tmp_path, repo, fake.base_url, branch="feature", before="a" * 40, inputs=inputs)
    settings = Settings.from_env(env)
    stream = io.StringIO()
    assert action(settings, None, Git(), run=spy, stream=stream) == 0
    (options,) = seen
    assert options.config == repo.work / "llm-evals.yaml"
    assert options.changes is None  # a push: full run
    known = {f.name for f in fields(RunOptions)}
    if "merge_base" in known:
        assert options.merge_base == "a" * 40  # the baseline at the commit the push came after
        assert options.update_baseline is False  # the action records it itself
    for field, input_name, expected in (
        ("cache_dir", "cache-dir", repo.work / ".cache/dg"),
        ("judge", "judge", "all"),
    ):
        if field in known:
            assert getattr(options, field) == expected
        else:
            assert f"input `{input_name}` is not supported" in stream.getvalue()


def test_a_push_touching_no_case_updates_an_existing_comment(tmp_path, repo, fake):
    from driftgate.action.github import marker

    fake.add_comment(
        2, f"{marker('support')}\n### ❌ driftgate · support: failed", "github-actions[bot]"
    )
    repo.branch("docs")
    repo.write({"README.md": "more docs\n"})
    head = repo.commit("docs only")
    code, log, summary = run_pr(tmp_path, repo, fake, head, None, action="synchronize")
    assert code == 0
    (comment,) = fake.comments[2]
    assert "no case affected by this change" in comment["body"]
    assert "failed" not in comment["body"].split("\n")[1]


def test_shard_jobs_post_nothing_and_the_merge_job_posts_once(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    for index in (1, 2):
        inputs = {"shard": f"{index}/2", "results-path": f"shards/{index}/results.json"}
        code, log, _ = run_pr(
            tmp_path, repo, fake, head, embedder, inputs=inputs, action="synchronize"
        )
        assert "Post the PR comment" not in log and "Set the commit status" not in log
    assert not fake.writes()
    code, log, _ = run_pr(
        tmp_path,
        repo,
        fake,
        head,
        embedder,
        inputs={"mode": "merge", "shard-results": "shards"},
        action="synchronize",
    )
    assert code == 1  # the merged verdict: the critical refund case failed in its shard
    (comment,) = fake.comments[2]
    assert "refund_routing" in comment["body"]
    assert [s["state"] for s in fake.statuses] == ["failure"]


def test_a_merge_job_that_finds_one_shard_of_two_fails_the_gate(tmp_path, repo, fake, embedder):
    """Found: `mode: merge` with a single results file took it as a whole saved run, so the
    one shard that uploaded (all its cases passing) was posted green while the cases of the
    shard whose job died were never run."""
    import shutil

    from driftgate.results import read_results

    head = bad_pr(repo)
    event = pr_event(repo.main_sha, head, action="synchronize")
    run_shards(tmp_path, repo, fake, event, head, embedder)
    failing = [
        folder
        for folder in (repo.work / "shards").iterdir()
        if read_results(folder / "results.json").summary.verdict == "fail"
    ]
    assert len(failing) == 1  # the shard that ran refund_routing: its job "died"
    shutil.rmtree(failing[0])
    code, log = merge_shards(tmp_path, repo, fake, event, head, embedder)
    assert code == 1
    assert [s["state"] for s in fake.statuses] == ["failure"]
    merged = read_results(repo.work / "driftgate-results.json")
    assert merged.summary.gate_reasons[0].startswith("incomplete run: shard")
    assert "incomplete run" in fake.comments[2][0]["body"]


def test_working_directory_places_the_suite_results_and_annotations(tmp_path, repo, fake, embedder):
    (repo.work / "evals").mkdir()
    (repo.work / "llm-evals.yaml").rename(repo.work / "evals" / "llm-evals.yaml")
    repo.main_sha = repo.commit("the suite moves into a folder")  # the PR's base
    head = bad_pr(repo)
    code, log, _ = run_pr(
        tmp_path, repo, fake, head, embedder, inputs={"working-directory": "evals"}
    )
    assert code == 1
    assert (repo.work / "evals" / "driftgate-results.json").is_file()
    assert "::error file=evals/llm-evals.yaml,line=10," in log


def test_a_baseline_push_that_fails_is_a_warning(tmp_path, repo, fake, embedder):
    git(repo.work, "remote", "set-url", "--push", "origin", str(tmp_path / "nowhere.git"))
    code, log, _ = run_main_push(tmp_path, repo, fake, embedder)
    assert code == 0  # the gate passed; not being able to record it does not change that
    assert "::warning title=driftgate%3A baseline not recorded::" in log
    assert "contents: write" in log


def test_an_unwritable_results_path_stops_before_the_pipeline_runs(tmp_path, repo, fake, embedder):
    head = bad_pr(repo)
    (repo.work / "results-here").mkdir()
    inputs = {"results-path": "results-here"}
    code, log, summary = run_pr(tmp_path, repo, fake, head, embedder, inputs=inputs)
    assert code == 2
    assert "results-path" in log and "is a folder; name a file" in log
    assert "checked before running anything" in summary
    assert not fake.comments  # nothing posted, nothing run


def test_a_merge_job_refuses_shard_results_committed_to_the_repository(
    tmp_path, repo, fake, embedder
):
    """A file the pull request commits in the shard-results folder could stand in for a
    shard job that uploaded nothing: the merge refuses the folder (exit 2), posts no pass."""
    head = bad_pr(repo)
    event = pr_event(repo.main_sha, head, action="synchronize")
    run_shards(tmp_path, repo, fake, event, head, embedder)
    git(repo.work, "add", "-f", "shards/1/results.json")
    git(repo.work, "commit", "-q", "-m", "a shard's results, committed")
    statuses_before = len(fake.statuses)
    code, log = merge_shards(tmp_path, repo, fake, event, head, embedder)
    assert code == 2
    assert "holds 1 file committed to the repository" in log
    assert all(s["state"] != "success" for s in fake.statuses[statuses_before:])
