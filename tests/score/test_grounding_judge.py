"""`grounding_method: judge` through the real SDK against the loopback fake Messages API."""

from __future__ import annotations

import json
import textwrap

import pytest

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config.schema import JudgeConfig
from driftgate.cost import Budget
from driftgate.pipeline import RunOptions, run
from driftgate.score.grounding_judge import TOOL_NAME, GroundingJudge
from driftgate.score.judge import Judge
from score.conftest import judged_suite_head

CONTEXT = "Starting March 1, the Pro plan costs $49 per month. Annual billing gets 15% off."
OUTPUT = "The Pro plan costs $94 a month. Yearly billing is 15% cheaper."


def verdicts(*items):
    return {
        "sentences": [
            {"index": i, "supported": ok, "evidence": ev, "reason": why}
            for i, (ok, ev, why) in enumerate(items)
        ]
    }


GOOD_REPLY = verdicts(
    (False, "the Pro plan costs $49 per month", "$94 is not in the context (it says $49)"),
    (True, "Annual billing gets 15% off", ""),
)


@pytest.fixture
def verifier(settings, make_case):
    judge = Judge.connect(
        JudgeConfig(model="claude-sonnet-4-5", max_retries=0, timeout_s=5), Budget(), settings
    )
    case = make_case(context=CONTEXT, check_grounding=True, grounding_method="judge")
    yield GroundingJudge(judge), case
    judge.close()


def test_each_sentence_gets_a_verdict_with_quoted_evidence_and_a_reason(fake, verifier):
    grounding, case = verifier
    fake.push(fake.tool_use(TOOL_NAME, GOOD_REPLY, input_tokens=300, output_tokens=60))
    verdict = grounding.verify(case, OUTPUT)
    assert verdict.error is None
    first, second = verdict.sentences
    assert not first.grounded and first.flag == "judge"
    assert first.reason == "$94 is not in the context (it says $49)"
    assert first.evidence == "the Pro plan costs $49 per month"
    assert second.grounded and second.reason is None and second.support == 1.0
    assert verdict.tokens.input == 300 and verdict.cost_usd > 0
    request = fake.messages_requests()[0].json
    assert request["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    prompt = request["messages"][0]["content"]
    assert "[0] The Pro plan costs $94 a month." in prompt and CONTEXT in prompt


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (verdicts((True, "costs $49", "")), "expected 0 to 1"),  # a sentence left out
        (
            verdicts((True, "the plan costs $94", ""), (True, "Annual billing", "")),
            "not quoted word for word",  # invented evidence
        ),
        (verdicts((True, "", ""), (True, "Annual billing", "")), "without quoted evidence"),
        (verdicts((False, "", ""), (True, "Annual billing", "")), "without a reason"),
        ({"sentences": [{"index": 0, "supported": "yes"}]}, "sentences/0"),
    ],
)
def test_a_malformed_reply_is_retried_once_then_an_error_never_a_pass(
    fake, verifier, reply, problem
):
    grounding, case = verifier
    fake.push(fake.tool_use(TOOL_NAME, reply), fake.tool_use(TOOL_NAME, reply))
    verdict = grounding.verify(case, OUTPUT)
    assert verdict.sentences == [] and verdict.error.startswith("grounding judge reply invalid")
    assert problem in verdict.error
    retry = fake.messages_requests()[1].json["messages"][0]["content"]
    assert "previous reply was rejected" in retry


def test_a_retry_that_fixes_the_reply_is_accepted(fake, verifier):
    grounding, case = verifier
    fake.push(fake.text("All supported!"), fake.tool_use(TOOL_NAME, GOOD_REPLY))
    assert grounding.verify(case, OUTPUT).error is None
    assert len(fake.messages_requests()) == 2


def test_without_a_key_grounding_is_an_error(fake, make_case):
    judge = Judge.connect(JudgeConfig(), Budget(), AnthropicSettings(base_url=fake.base_url))
    case = make_case(context=CONTEXT, check_grounding=True, grounding_method="judge")
    verdict = GroundingJudge(judge).verify(case, OUTPUT)
    assert "needs the judge model" in verdict.error and fake.messages_requests() == []


SUITE = (
    judged_suite_head("grounded")
    + """\
  grounding_method: judge
  cases:
    - name: pricing
      expected: "The Pro plan costs $49 a month."
      context: "Starting March 1, the Pro plan costs $49 per month. Annual billing gets 15% off."
      check_grounding: true
      min_similarity: 0.1
"""
)


def pricing_project(tmp_path, settings, embedder) -> RunOptions:
    """SUITE and the pipeline's output for its one case in tmp_path: the options to run them."""
    (tmp_path / "llm-evals.yaml").write_text(textwrap.dedent(SUITE).lstrip())
    line = json.dumps({"case": "pricing", "output": OUTPUT})
    (tmp_path / "outputs.jsonl").write_text(line + "\n")
    return RunOptions(
        config=tmp_path / "llm-evals.yaml", embedder=embedder, judge="never", anthropic=settings
    )


@pytest.mark.slow
def test_the_pipeline_fails_the_case_with_the_judges_reason_and_caches_it(
    tmp_path, fake, settings, embedder
):
    fake.push(fake.tool_use(TOOL_NAME, GOOD_REPLY, input_tokens=10, output_tokens=0))
    options = pricing_project(tmp_path, settings, embedder)
    first = run(options).case("pricing")
    assert first.status == "failed" and first.grounding_ratio == 0.5
    assert any("$94 is not in the context (it says $49)" in r for r in first.reasons)
    assert first.sentences[0].evidence == "the Pro plan costs $49 per month"
    assert first.cost_usd > 0
    second = run(options).case("pricing")
    assert len(fake.messages_requests()) == 1  # the verdict came from the cache
    assert second.status == "failed" and second.reasons == first.reasons


@pytest.mark.slow
def test_a_malformed_verdict_errors_the_case_and_the_run_goes_on(
    tmp_path, fake, settings, embedder
):
    fake.push(fake.text("fine"), fake.text("fine"))
    options = pricing_project(tmp_path, settings, embedder)
    case = run(options).case("pricing")
    assert case.status == "error" and "invalid twice" in case.error


def test_a_cached_verdict_with_token_counts_that_are_not_whole_numbers_is_a_miss():
    """Found: `"tokens": {"input": 1e999}` in a cached verdict raised OverflowError (int of
    inf) out of the judge's thread instead of being recomputed."""
    from driftgate.score.grounding_judge import _from_entry

    sentence = {"text": "Refunds take 5 days.", "grounded": True, "support": 1.0}
    entry = {"sentences": [sentence], "tokens": {"input": 3}}
    assert _from_entry(entry, ("Refunds take 5 days.",)) is not None
    for tokens in ({"input": float("inf")}, {"output": -1}, {"input": "3"}):
        assert _from_entry({**entry, "tokens": tokens}, ("Refunds take 5 days.",)) is None
