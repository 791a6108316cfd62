"""The anthropic target through the cache and the shared 429 backoff, with the real SDK
against the loopback fake Messages API."""

from __future__ import annotations

import threading
import time

import anthropic
import pytest
import yaml

from driftgate.anthropic_client import AnthropicSettings
from driftgate.cache import Cache
from driftgate.config import load_suite
from driftgate.generate import generate_all
from driftgate.generate.cached import CachingGenerator
from driftgate.generate.runner import Targets
from driftgate.ratelimit import Backoff
from fakes.anthropic_server import FakeAnthropic, echo_text

TARGET = {"type": "anthropic", "model": "claude-haiku-4-5", "temperature": 0.7, "max_tokens": 256}


@pytest.fixture
def fake():
    with FakeAnthropic(default=echo_text("answer: ")) as server:
        yield server


def settings(server) -> AnthropicSettings:
    """What an edge builds from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL."""
    return AnthropicSettings(api_key="sk-ant-test-key", base_url=server.base_url)


def run(tmp_path, server, target: dict, samples: int = 2):
    doc = {
        "eval_suite": {
            "name": "s",
            "target": target,
            "samples": samples,
            "cases": [
                {"name": "a", "prompt": "Route {t}", "vars": {"t": "refund"}, "expected": "x"},
                {"name": "b", "prompt": "Summarise the outage", "expected": "y"},
            ],
        }
    }
    path = tmp_path / "llm-evals.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    suite = load_suite(path, root=tmp_path)
    targets = Targets(suite, anthropic=settings(server))
    cache = Cache(tmp_path / "cache")
    generate = CachingGenerator(suite, targets, cache)
    try:
        out = generate_all(list(suite.cases), targets, 8, generate=generate)
    finally:
        targets.close()  # as the pipeline does: no client socket left for the GC
    return out, cache


def sent(fake) -> int:
    count = len(fake.messages_requests())
    fake.requests.clear()
    return count


def test_second_identical_run_makes_no_api_call(tmp_path, fake):
    cold, _ = run(tmp_path, fake, TARGET)
    assert sent(fake) == 4  # 2 cases x 2 samples: temperature > 0 caches per sample
    warm, cache = run(tmp_path, fake, TARGET)
    assert sent(fake) == 0
    assert cache.stats("outputs").hit_rate == 1.0
    for key, generation in warm.items():
        assert generation.cached and generation.output == cold[key].output
        assert generation.tokens == cold[key].tokens  # what it cost, for "cost saved"
        assert generation.model == "claude-haiku-4-5"


@pytest.mark.parametrize(
    ("change", "misses"),
    [
        ({"model": "claude-sonnet-4-5"}, 4),
        ({"temperature": 0.2}, 4),
        ({"max_tokens": 512}, 4),
        ({"system": "Answer in French."}, 4),
        ({"timeout_s": 5.0, "max_retries": 4}, 0),  # how we call, not what is produced
    ],
)
def test_target_parameters_that_change_the_output_miss(tmp_path, fake, change, misses):
    run(tmp_path, fake, TARGET)
    sent(fake)
    run(tmp_path, fake, {**TARGET, **change})
    assert sent(fake) == misses


def test_another_endpoint_is_another_model(tmp_path, fake):
    run(tmp_path, fake, TARGET)
    sent(fake)
    with FakeAnthropic(default=echo_text("other: ")) as other:
        run(tmp_path, other, TARGET)
        assert len(other.messages_requests()) == 4


def test_failed_calls_are_not_cached(tmp_path, fake):
    fake.push(fake.unauthorized())
    first, _ = run(tmp_path, fake, TARGET, samples=1)
    assert sum(g.error is not None for g in first.values()) == 1
    sent(fake)
    second, _ = run(tmp_path, fake, TARGET, samples=1)
    assert sent(fake) == 1  # only the one that failed is asked again
    assert not any(g.error for g in second.values())


def herd(middleware: list, later_calls: int = 4) -> tuple[float, list[float]]:
    """One call is refused with retry-after 0.5 s; others start during the pause.

    Returns when the refusal was sent and when every later request reached the server.
    """
    arrivals: list[float] = []
    lock = threading.Lock()
    reply = echo_text()
    refused = threading.Event()
    refused_at: list[float] = []

    def answer(request):
        with lock:
            if not refused_at:
                refused_at.append(time.monotonic())
                refused.set()
                return fake.rate_limited(retry_after=0.5)
            arrivals.append(time.monotonic())
        return reply(request)

    with (
        FakeAnthropic(default=answer) as fake,
        anthropic.Anthropic(
            api_key="sk-ant-test", base_url=fake.base_url, max_retries=2, middleware=middleware
        ) as client,
    ):
        errors: list[Exception] = []

        def call() -> None:
            try:
                client.messages.create(
                    model="claude-test", max_tokens=16, messages=[{"role": "user", "content": "hi"}]
                )
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        first = threading.Thread(target=call)
        first.start()
        assert refused.wait(10)
        time.sleep(0.05)  # the refusal has reached the client
        later = [threading.Thread(target=call) for _ in range(later_calls)]
        for thread in later:
            thread.start()
        for thread in [first, *later]:
            thread.join(30)
    assert errors == []
    return refused_at[0], arrivals


def test_a_429_pauses_calls_that_start_during_the_pause():
    backoff = Backoff()
    refused_at, arrivals = herd([backoff])
    assert backoff.pauses == 1
    assert len(arrivals) == 5  # the retry and four new calls
    # Nobody reached the server before the deadline the server gave.
    assert min(arrivals) - refused_at >= 0.5 - 0.01
    # Without the shared pause the new calls go straight into the limit.
    refused_at, arrivals = herd([])
    assert min(arrivals) - refused_at < 0.3


def test_identical_requests_in_one_run_are_sent_once(tmp_path, fake):
    """Two cases grading different expectations of the same prompt share one call."""
    doc = {
        "eval_suite": {
            "name": "s",
            "target": TARGET,
            "cases": [
                {"name": f"c{i}", "prompt": "Summarise the outage", "expected": f"e{i}"}
                for i in range(4)
            ],
        }
    }
    path = tmp_path / "llm-evals.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    suite = load_suite(path, root=tmp_path)
    targets = Targets(suite, anthropic=settings(fake))
    cache = Cache(tmp_path / "cache")
    try:
        out = generate_all(
            list(suite.cases), targets, 4, generate=CachingGenerator(suite, targets, cache)
        )
    finally:
        targets.close()
    assert sent(fake) == 1
    assert len({g.output for g in out.values()}) == 1
    assert sum(g.cached for g in out.values()) == 3
    assert (cache.stats("outputs").lookups, cache.stats("outputs").hits) == (4, 3)
