"""`mode: plan` in-process: the plan, the outputs, and nothing posted; `outputs` + `plan-path`."""

from __future__ import annotations

import io
import json

from action_helpers import BAD_REFUND, action_env, pr_event, push_event

from driftgate.action.commands import parse_outputs
from driftgate.action.git import Git
from driftgate.action.github import GitHub
from driftgate.action.main import action
from driftgate.action.settings import Settings


def run(tmp_path, repo, fake, event_name, event, *, sha, inputs, ref="refs/pull/2/merge"):
    env = action_env(
        tmp_path, repo, event_name, event, fake.base_url, sha=sha, ref=ref, inputs=inputs
    )
    settings = Settings.from_env(env)
    github = GitHub.connect(
        settings.github_token, settings.api_url, settings.repository, retries=0, throttle=False
    )
    stream = io.StringIO()
    code = action(settings, github, Git(), stream=stream)
    written = tmp_path / "out" / "output"
    return code, stream.getvalue(), parse_outputs(written.read_text()) if written.exists() else {}


def push(tmp_path, repo, fake, inputs):
    """A push to main (a full run), with these inputs."""
    event = push_event("0" * 40, repo.main_sha)
    return run(
        tmp_path, repo, fake, "push", event, sha=repo.main_sha, ref="refs/heads/main", inputs=inputs
    )


def plan_lines(repo, name="driftgate-plan.jsonl") -> list[dict]:
    return [json.loads(line) for line in (repo.work / name).read_text().splitlines()]


def test_plan_mode_on_a_pr_plans_the_affected_cases_and_posts_nothing(tmp_path, repo, fake):
    repo.branch("feature")
    repo.write({"answers/refund_routing.txt": BAD_REFUND})
    head = repo.commit("generic refund answer")
    event = pr_event(repo.main_sha, head)
    inputs = {"mode": "plan", "plan-path": "plans/p.jsonl"}
    code, log, out = run(tmp_path, repo, fake, "pull_request", event, sha=head, inputs=inputs)
    assert code == 0, log
    assert out == {"selected": "1", "requests": "1", "plan-path": "plans/p.jsonl"}
    assert [r["case"] for r in plan_lines(repo, "plans/p.jsonl")] == ["refund_routing"]
    assert not fake.comments and not fake.statuses and not fake.writes()
    assert not (repo.work / "driftgate-results.json").exists()


def test_plan_mode_on_push_plans_every_case_and_records_no_baseline(tmp_path, repo, fake):
    code, log, out = push(tmp_path, repo, fake, {"mode": "plan"})
    assert code == 0, log
    assert (out["selected"], out["requests"]) == ("2", "2")
    assert {r["case"] for r in plan_lines(repo)} == {"refund_routing", "outage_summary"}
    assert "Record the baseline" not in log and not fake.writes()


def test_plan_mode_on_a_closed_pr_writes_an_empty_plan(tmp_path, repo, fake):
    event = pr_event(repo.main_sha, repo.main_sha, action="closed")
    code, log, out = run(
        tmp_path, repo, fake, "pull_request", event, sha=repo.main_sha, inputs={"mode": "plan"}
    )
    assert code == 0
    assert (out["selected"], out["requests"]) == ("0", "0")
    assert (repo.work / "driftgate-plan.jsonl").read_text() == ""


def test_plan_mode_with_a_broken_suite_exits_2(tmp_path, repo, fake):
    repo.write({"llm-evals.yaml": "eval_suite:\n  name: x\n  casez: []\n"})
    code, log, out = push(tmp_path, repo, fake, {"mode": "plan"})
    assert code == 2
    assert "::error file=llm-evals.yaml,line=3" in log
    assert "requests" not in out


def test_scoring_refuses_outputs_planned_for_another_suite(tmp_path, repo, fake):
    code, _, _ = push(tmp_path, repo, fake, {"mode": "plan"})
    assert code == 0
    suite = repo.work / "llm-evals.yaml"
    suite.write_text(suite.read_text().replace("charged twice", "charged 2x"))
    (repo.work / "out.jsonl").write_text("")
    code, log, _ = push(tmp_path, repo, fake, {"outputs": "out.jsonl"})
    assert code == 2
    assert "the plan was made for another version of llm-evals.yaml" in log
    assert not fake.writes()
