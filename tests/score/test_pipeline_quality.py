"""Checks, judge, cost, --max-cost and --traces through the real pipeline and CLI parser."""

from __future__ import annotations

import json
import textwrap

import pytest

from driftgate.anthropic_client import AnthropicSettings
from driftgate.cli import main
from driftgate.pipeline import RunOptions, run
from score.conftest import API_KEY, judged_suite_head

pytestmark = pytest.mark.slow  # scores with the shared embedding model

SUITE = (
    judged_suite_head("quality")
    + """\
  cases:
    - name: good
      expected: "Route to Billing."
      critical: true
    - name: judged-bad
      expected: "Route to Infrastructure."
      critical: true
    - name: check-fails
      expected: "Priority P1."
      checks: {contains: ["P1"], max_length: 100}
    - name: forced
      expected: "Priority P2."
      judge: true
      checks: {not_contains: "P2"}
"""
)
OUTPUTS = {
    "good": "Route to Billing.",
    "judged-bad": "Route to Infrastructure.",
    "check-fails": "Priority P3.",
    "forced": "Priority P2.",
}


def grade(score):
    return {"score": score, "reasoning": f"graded {score}", "critical_issues": []}


@pytest.fixture
def project(tmp_path, fake):
    (tmp_path / "llm-evals.yaml").write_text(textwrap.dedent(SUITE).lstrip())
    lines = [json.dumps({"case": c, "output": o}) for c, o in OUTPUTS.items()]
    (tmp_path / "outputs.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def judge_by_output(fake, scores):
    """The fake judge grades by which output the prompt fences (order-independent)."""

    def reply(request):
        prompt = request.json["messages"][0]["content"]
        for output, score in scores.items():
            if f"\n{output}\n-----END OUTPUT" in prompt:
                return fake.tool_use("record_grade", grade(score), input_tokens=1, output_tokens=0)
        return fake.error(400, "unexpected prompt")

    fake.default = reply


def test_checks_and_judge_policy_all(settings, project, fake, embedder):
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 2, "Priority P2.": 4}
    )
    results = run(
        RunOptions(
            anthropic=settings, config=project / "llm-evals.yaml", embedder=embedder, judge="all"
        )
    )
    cases = {c.name: c for c in results.cases}
    assert cases["good"].status == "passed" and cases["good"].judge.score == 5
    bad = cases["judged-bad"]
    assert bad.similarity == pytest.approx(1.0) and bad.status == "failed"
    assert bad.reasons == ["judge 2/5 < 4: graded 2"]
    failed_check = cases["check-fails"]
    assert failed_check.status == "failed" and failed_check.judge is None  # not paid for
    assert failed_check.reasons == ['check contains: "P1" not found in output']
    assert [c.check for c in failed_check.checks] == ["contains", "max_length"]
    forced = cases["forced"]
    assert forced.judge.score == 4 and forced.status == "failed"  # judge: true, check failed
    assert forced.reasons == ['check not_contains: "P2" found in output']
    summary = results.summary
    assert summary.judged == 3 and summary.judge_mean_score == pytest.approx(11 / 3, abs=1e-3)
    assert summary.calls == 3 and summary.cost_usd == pytest.approx(3.0)
    assert summary.critical_failures == 1 and summary.verdict == "fail"
    assert results.judge_model == "claude-sonnet-4-5"


def test_default_policy_judges_critical_cases_only(settings, project, fake, embedder):
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 5, "Priority P2.": 5}
    )
    results = run(
        RunOptions(anthropic=settings, config=project / "llm-evals.yaml", embedder=embedder)
    )
    judged = sorted(c.name for c in results.cases if c.judge)
    assert judged == ["forced", "good", "judged-bad"]  # critical ones, plus judge: true


def test_judge_never_overrides_and_makes_no_call(settings, project, fake, embedder):
    results = run(
        RunOptions(
            anthropic=settings, config=project / "llm-evals.yaml", embedder=embedder, judge="never"
        )
    )
    assert fake.requests == [] and all(c.judge is None for c in results.cases)
    assert results.summary.calls == 0


def test_missing_key_skips_the_judge_visibly_and_changes_nothing_else(project, fake, embedder):
    settings = AnthropicSettings(base_url=fake.base_url)  # the edge found no key
    results = run(
        RunOptions(config=project / "llm-evals.yaml", embedder=embedder, anthropic=settings)
    )
    good = results.case("good")
    assert good.status == "passed" and good.judge.status == "skipped"
    assert "ANTHROPIC_API_KEY is not set" in good.judge.reason
    assert any("judge not run for 3 cases" in w for w in results.warnings)
    assert fake.requests == []
    # A new user never asked for a judge: the warning says which policy did, and the way out.
    warning = next(w for w in results.warnings if "judge not run" in w)
    assert "(judge policy: " in warning
    assert "judge: {policy: never}" in warning and "--judge never" in warning


def test_judge_errors_error_the_case_and_the_run_goes_on(settings, project, fake, embedder):
    fake.default = fake.unauthorized()
    results = run(
        RunOptions(
            anthropic=settings, config=project / "llm-evals.yaml", embedder=embedder, judge="all"
        )
    )
    good = results.case("good")
    assert good.status == "error" and "HTTP 401" in good.error
    assert results.case("check-fails").status == "failed"  # scored as usual
    assert results.summary.errors == 2  # good and judged-bad; forced had already failed


def test_max_cost_skips_the_rest_as_budget(settings, project, fake, embedder):
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 5, "Priority P2.": 5}
    )
    results = run(
        RunOptions(
            anthropic=settings,
            config=project / "llm-evals.yaml",
            embedder=embedder,
            judge="all",
            max_cost=1.5,
        )
    )
    judges = [c.judge for c in results.cases if c.judge]
    assert [j.status for j in judges].count("passed") == 2  # $0 → $1 → $2 ≥ 1.5: stop
    skipped = [j for j in judges if j.status == "skipped"]
    assert len(skipped) == 1 and skipped[0].reason == "skipped (budget)"
    assert len(fake.messages_requests()) == 2
    assert any("--max-cost $1.5 reached" in w for w in results.warnings)


def test_max_cost_never_passes_a_case_a_required_judge_did_not_grade(
    settings, project, fake, embedder
):
    """Found: `judge: {required: true}` + --max-cost reached: the ungraded critical case
    passed and the gate went green."""
    suite = project / "llm-evals.yaml"
    suite.write_text(suite.read_text().replace("timeout_s: 5}", "timeout_s: 5, required: true}"))
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 5, "Priority P2.": 5}
    )
    results = run(
        RunOptions(
            anthropic=settings, config=suite, embedder=embedder, judge="all", max_cost=0.5
        )
    )
    assert len(fake.messages_requests()) == 1  # $0 → $1 ≥ 0.5: no second call
    ungraded = [c for c in results.cases if c.judge and c.judge.status == "error"]
    assert ungraded and all(c.status != "passed" for c in ungraded)
    critical = [c for c in ungraded if c.critical]
    assert critical and all(c.status == "error" and "--max-cost" in c.error for c in critical)
    assert results.summary.verdict == "fail"
    assert any("critical case" in r and "errored" in r for r in results.summary.gate_reasons)


def test_anthropic_target_budget_skips_cases_and_traces_have_no_key(
    settings, project, fake, embedder
):
    suite = textwrap.dedent(
        """
        eval_suite:
          name: api
          concurrency: 1
          target: {type: anthropic, model: claude-haiku-4-5, max_retries: 0}
          pricing: {claude-haiku-4-5: {input: 1000000, output: 0}}
          cases:
            - {name: a, prompt: "say a", expected: "say a"}
            - {name: b, prompt: "say b", expected: "say b"}
            - {name: c, prompt: "say c", expected: "say c"}
        """
    ).lstrip()
    (project / "api.yaml").write_text(suite)
    fake.default = lambda request: fake.text(
        request.json["messages"][0]["content"], input_tokens=1, output_tokens=3
    )
    traces = project / "traces"
    results = run(
        RunOptions(
            anthropic=settings,
            config=project / "api.yaml",
            embedder=embedder,
            max_cost=2.0,
            traces=traces,
        )
    )
    statuses = [c.status for c in results.cases]
    assert statuses == ["passed", "passed", "skipped"]
    assert results.case("c").reasons == ["skipped (budget)"]
    assert results.summary.verdict == "fail"  # a case nobody checked is not a pass
    assert results.summary.gate_reasons == ["2 of 3 cases passed (0.67) < min_pass_rate 1.00"]
    assert results.case("a").cost_usd == pytest.approx(1.0)
    assert results.summary.calls == 2 and results.summary.cost_usd == pytest.approx(2.0)
    assert results.summary.tokens.input == 2 and results.summary.tokens.output == 6
    files = sorted(traces.iterdir())
    assert len(files) == 2 and all("-target-" in f.name for f in files)
    for f in files:
        assert API_KEY not in f.read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--judge", "sometimes"], "invalid choice: 'sometimes'"),
        (["--max-cost", "-1"], "the budget must be 0 or more USD"),
        (["--max-cost", "lots"], "'lots' is not an amount in USD"),
    ],
)
def test_bad_quality_flags_exit_2(tmp_path, capsys, flags, message):
    assert main(["run", "--config", str(tmp_path / "x.yaml"), *flags]) == 2
    assert message in capsys.readouterr().err


def test_judge_grades_are_cached_and_pass_score_is_reapplied(settings, project, fake, embedder):
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 4, "Priority P2.": 4}
    )
    config = project / "llm-evals.yaml"
    first = run(RunOptions(anthropic=settings, config=config, embedder=embedder, judge="critical"))
    assert first.case("judged-bad").status == "passed" and len(fake.messages_requests()) == 3
    config.write_text(
        config.read_text().replace("max_retries: 0,", "max_retries: 0, pass_score: 5,")
    )
    second = run(RunOptions(anthropic=settings, config=config, embedder=embedder, judge="critical"))
    assert len(fake.messages_requests()) == 3  # no new call: every grade came from the cache
    bad = second.case("judged-bad")
    assert bad.judge.cached and bad.judge.score == 4 and bad.status == "failed"
    assert second.summary.judge_cache.hits == 3 and second.summary.calls == 0


def test_cli_flags_reach_the_run(project, fake, capsys, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)  # the CLI's edge reads its environment
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    judge_by_output(
        fake, {"Route to Billing.": 5, "Route to Infrastructure.": 5, "Priority P2.": 5}
    )
    out = project / "results.json"
    code = main(
        [
            "run", "--config", str(project / "llm-evals.yaml"), "--quiet",
            "--judge", "all", "--max-cost", "10", "--traces", str(project / "traces"),
            "--output-json", str(out),
        ]
    )  # fmt: skip
    assert code == 0  # two cases fail, but min_pass_rate is 0 and no critical case failed
    data = json.loads(out.read_text())
    assert data["summary"]["judged"] == 3 and data["summary"]["calls"] == 3
    assert data["summary"]["cost_usd"] == pytest.approx(3.0)
    assert len(list((project / "traces").iterdir())) == 3
    assert API_KEY not in out.read_text() and API_KEY not in capsys.readouterr().out
