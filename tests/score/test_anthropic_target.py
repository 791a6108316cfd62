"""The anthropic target against the loopback fake Messages API, through the real SDK."""

import json

import pytest

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config.schema import Price
from driftgate.cost import BUDGET_SKIP_REASON, Budget, PriceTable
from driftgate.generate.anthropic_target import MISSING_KEY, AnthropicRunner
from driftgate.generate.runner import Targets, generate_all
from driftgate.traces import TraceWriter
from score.conftest import API_KEY


@pytest.fixture
def runner_for(settings):
    """AnthropicRunner instances, closed after the test (no leaked sockets)."""
    made = []

    def build(spec, settings=settings, **kwargs):
        made.append(AnthropicRunner(spec, settings, **kwargs))
        return made[-1]

    yield build
    for runner in made:
        runner.close()


@pytest.fixture
def suite(make_suite):
    def build(cases=None, **target):
        spec = {"type": "anthropic", "model": "claude-haiku-4-5", "max_retries": 0, **target}
        cases = cases or [
            {
                "name": "refund",
                "prompt": "Summarise ticket {id}",
                "vars": {"id": 4411},
                "expected": "x",
            },
        ]
        return make_suite(cases, target=spec)

    return build


def test_success_renders_the_prompt_and_records_tokens(fake, suite, runner_for):
    spec = suite(system="You write one-line summaries.")
    fake.push(fake.text("Order 981 was charged twice.", input_tokens=42, output_tokens=9))
    runner = runner_for(spec.cases[0].target)
    generation = runner.generate(spec.cases[0], 0)
    assert generation.error is None
    assert generation.output == "Order 981 was charged twice."
    assert (generation.tokens.input, generation.tokens.output) == (42, 9)
    assert generation.calls == 1 and generation.latency_s > 0
    body = fake.messages_requests()[0].json
    assert body["messages"] == [{"role": "user", "content": "Summarise ticket 4411"}]
    assert body["model"] == "claude-haiku-4-5" and body["system"] == "You write one-line summaries."
    assert "temperature" not in body  # not written by the user: the model's default
    assert fake.messages_requests()[0].header("authorization") == f"Bearer {API_KEY}"


def test_temperature_is_sent_when_the_user_sets_it(fake, suite, runner_for):
    spec = suite(temperature=0.2)
    fake.push(fake.text("ok"))
    assert runner_for(spec.cases[0].target).generate(spec.cases[0], 0).error is None
    assert fake.messages_requests()[0].json["temperature"] == 0.2


@pytest.mark.parametrize(
    ("replies", "retries", "message"),
    [
        (lambda f: [f.unauthorized()], 2, "HTTP 401 authentication_error"),
        (lambda f: [f.rate_limited(0.001)] * 2, 1, "HTTP 429 rate_limit_error"),
        (lambda f: [f.error(529, retry_after=0.001)] * 2, 1, "HTTP 529 overloaded_error"),
        (lambda f: [f.error(500, retry_after=0.001)] * 2, 1, "HTTP 500 api_error"),
        (lambda f: [f.slow(2.0)], 0, "timed out (raise timeout_s"),
    ],
    ids=["401", "429", "529", "500", "timeout"],
)
def test_faults_become_a_case_error_with_a_clear_message(
    fake, suite, runner_for, replies, retries, message
):
    spec = suite(max_retries=retries, timeout_s=0.3)
    fake.push(*replies(fake))
    generation = runner_for(spec.cases[0].target).generate(spec.cases[0], 0)
    assert generation.output is None and message in generation.error
    assert API_KEY not in generation.error
    expected_requests = 1 if "401" in message or "timed out" in message else retries + 1
    assert len(fake.messages_requests()) == expected_requests


def test_429_then_success_is_retried_by_the_sdk(fake, suite, runner_for):
    spec = suite(max_retries=2)
    fake.push(fake.rate_limited(retry_after=0.001), fake.text("fine"))
    assert runner_for(spec.cases[0].target).generate(spec.cases[0], 0).output == "fine"
    assert len(fake.messages_requests()) == 2


def test_missing_key_names_the_secret(fake, suite, runner_for):
    spec = suite()
    no_key = AnthropicSettings(base_url=fake.base_url)
    generation = runner_for(spec.cases[0].target, no_key).generate(spec.cases[0], 0)
    assert generation.error == MISSING_KEY and fake.requests == []


def test_one_failing_case_does_not_stop_the_run(fake, suite, runner_for, settings):
    cases = [{"name": n, "prompt": f"say {n}", "expected": "x"} for n in ("a", "b", "c")]
    spec = suite(cases)

    def reply(request):
        text = request.json["messages"][0]["content"]
        return fake.unauthorized() if text == "say b" else fake.text(text.upper())

    fake.default = reply
    targets = Targets(spec, anthropic=settings)
    generations = generate_all(list(spec.cases), targets, concurrency=3)
    targets.close()
    assert generations[("a", 0)].output == "SAY A" and generations[("c", 0)].output == "SAY C"
    assert "401" in generations[("b", 0)].error


def test_budget_and_traces(fake, suite, runner_for, tmp_path):
    spec = suite()
    prices = PriceTable({"claude-haiku-4-5": Price(input=1_000_000, output=0)})
    budget = Budget(prices, max_cost_usd=1.0)
    tracer = TraceWriter(tmp_path / "t", secrets=[API_KEY])
    runner = runner_for(spec.cases[0].target, budget=budget, tracer=tracer)
    fake.push(fake.text("first", input_tokens=1, output_tokens=1))
    assert runner.generate(spec.cases[0], 0).output == "first"
    assert budget.calls == 1 and budget.cost_usd == 1.0
    skipped = runner.generate(spec.cases[0], 1)
    assert skipped.error == BUDGET_SKIP_REASON and len(fake.messages_requests()) == 1
    (trace,) = (tmp_path / "t").iterdir()
    data = json.loads(trace.read_text())
    assert data["kind"] == "target" and data["case"] == "refund"
    assert data["request"]["messages"][0]["content"] == "Summarise ticket 4411"
    assert data["response"]["body"]["content"][0]["text"] == "first"
    assert API_KEY not in trace.read_text()
