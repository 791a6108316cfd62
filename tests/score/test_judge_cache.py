"""Judge grades through the cache, with the real SDK against the fake Messages API."""

from __future__ import annotations

import pytest

from driftgate.anthropic_client import AnthropicSettings
from driftgate.cache import Cache
from driftgate.config.schema import JudgeConfig
from driftgate.cost import Budget
from driftgate.score.judge import Judge
from driftgate.score.judge_cache import CachedJudge, from_entry

OUTPUT = "Order 981 was charged twice."


def grade(score: int = 5) -> dict:
    return {"score": score, "reasoning": "Faithful.", "critical_issues": []}


@pytest.fixture
def judging(fake, settings, tmp_path):
    """Grade one output with a fresh judge (as a new run would) over one cache dir."""
    made = []

    def run(case, output=OUTPUT, mode="read_write", **config):
        config = {"model": "claude-sonnet-4-5", "max_retries": 0, "timeout_s": 5, **config}
        judge = Judge.connect(JudgeConfig(**config), Budget(), settings)
        made.append(judge)
        cache = Cache(tmp_path / "cache", mode)
        return CachedJudge(judge, cache).grade(case, output), cache, judge

    yield run
    for judge in made:
        judge.close()


@pytest.fixture
def case(make_case):
    return make_case(context="Order 981, charged twice on 3 March.", expected="Double charge.")


def test_a_second_identical_grade_is_free_and_the_same(fake, judging, case):
    fake.push(fake.tool_use("record_grade", grade(4), input_tokens=900, output_tokens=60))
    first, _, judge = judging(case)
    assert first.status == "passed" and not first.cached and judge.calls == 1

    second, cache, judge = judging(case)
    assert judge.calls == 0 and len(fake.messages_requests()) == 1
    assert second.cached and second.score == 4 and second.reasoning == "Faithful."
    assert second.cost_usd == 0.0 and second.tokens.input == 900  # saved, not spent
    assert (cache.stats("judge").lookups, cache.stats("judge").hits) == (1, 1)


def test_pass_score_is_applied_to_the_cached_score_without_a_call(fake, judging, case):
    fake.push(fake.tool_use("record_grade", grade(4)))
    judging(case)
    stricter, _, judge = judging(case, pass_score=5)
    assert judge.calls == 0 and stricter.cached
    assert stricter.status == "failed" and stricter.score == 4


@pytest.mark.parametrize(
    "change",
    [
        {"config": {"model": "claude-opus-4-1"}},
        {"config": {"rubric": "5: perfect. 1: wrong."}},
        {"config": {"max_tokens": 1024}},
        {"output": "Order 981 was refunded."},
        {"case": {"context": "Order 982, charged once."}},
        {"case": {"expected": "A refund is due."}},
        {"case": {"task": "A line for the CFO."}},
        {"case": {"rubric": "Grade strictly."}},
    ],
)
def test_anything_the_judge_sees_changing_is_a_miss(fake, judging, make_case, change):
    fake.default = fake.tool_use("record_grade", grade(5))
    base = {"context": "Order 981, charged twice on 3 March.", "expected": "Double charge."}
    judging(make_case(**base))
    _, cache, judge = judging(
        make_case(**{**base, **change.get("case", {})}),
        change.get("output", OUTPUT),
        **change.get("config", {}),
    )
    assert judge.calls == 1
    assert cache.stats("judge").hits == 0


def test_errors_are_not_cached_and_modes_are_respected(fake, judging, case):
    fake.push(fake.server_error())
    failed, _, _ = judging(case)
    assert failed.status == "error"
    fake.push(fake.tool_use("record_grade", grade(5)))
    ok, _, judge = judging(case)
    assert ok.status == "passed" and judge.calls == 1  # the error was asked again

    fake.default = fake.tool_use("record_grade", grade(5))
    _, cache, judge = judging(case, mode="off")
    assert judge.calls == 1 and cache.stats("judge").lookups == 0


def test_without_a_key_nothing_is_looked_up(tmp_path, case):
    judge = Judge.connect(JudgeConfig(), Budget(), AnthropicSettings())
    cache = Cache(tmp_path)
    result = CachedJudge(judge, cache).grade(case, OUTPUT)
    assert result.status == "skipped"
    assert cache.stats("judge").lookups == 0


def test_entries_that_are_not_grades_are_ignored():
    assert from_entry({"score": 9}, 4) is None
    assert from_entry({"score": "5"}, 4) is None
    assert from_entry({}, 4) is None
    assert from_entry({"score": 3, "tokens": {"input": 5}}, 4).status == "failed"
    assert from_entry({"score": True}, 1) is None  # a bool is not a score
    # found: an OverflowError (int(inf)) escaped and crashed the judge's thread
    assert from_entry({"score": 5, "tokens": {"input": float("inf")}}, 4) is None
