"""One 429 pauses every worker, and they come back staggered, not all at once."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field

import pytest

from driftgate.ratelimit import DEFAULT_PAUSE_S, Backoff, retry_after_s


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@dataclass
class Response:
    status_code: int
    headers: dict = field(default_factory=dict)


def test_retry_after_forms():
    assert retry_after_s({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_s({"retry-after": "2"}) == 2.0
    assert retry_after_s({"retry-after": "0.25"}) == 0.25
    assert retry_after_s({}) is None
    assert retry_after_s({"retry-after": "soon"}) is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_after_s({"retry-after": future}) <= 31


def test_calls_before_any_refusal_do_not_wait():
    clock = Clock()
    backoff = Backoff(clock=clock, sleep=clock.sleep, rand=lambda: 0.5)
    response = backoff(object(), lambda request: Response(200))
    assert response.status_code == 200
    assert clock.slept == []


def test_a_refusal_pauses_everyone_then_staggers_them():
    clock = Clock()
    draws = iter([0.0, 0.25, 0.5, 0.75, 0.99])
    backoff = Backoff(clock=clock, sleep=clock.sleep, rand=lambda: next(draws))
    backoff(object(), lambda request: Response(429, {"retry-after": "2"}))
    assert backoff.pauses == 1

    # Five workers asking 0.5 s later all wait past the deadline, each by a different amount.
    clock.now += 0.5
    waits = [backoff.wait_time() for _ in range(5)]
    assert all(w >= 1.5 for w in waits)
    assert waits == sorted(waits) and len(set(waits)) == 5
    assert waits[-1] - waits[0] == pytest.approx(0.99 * 1.0)  # spread = retry-after / 2

    # Once the window has passed, calls go straight through again.
    clock.now += 2.0 + 1.0
    assert backoff.wait_time() == 0.0


def test_a_refusal_without_retry_after_pauses_by_default():
    clock = Clock()
    backoff = Backoff(clock=clock, sleep=clock.sleep, rand=lambda: 0.0)
    backoff(object(), lambda request: Response(529))
    assert backoff.wait_time() == pytest.approx(DEFAULT_PAUSE_S)


def test_errors_that_are_not_rate_limits_do_not_pause():
    clock = Clock()
    backoff = Backoff(clock=clock, sleep=clock.sleep, rand=lambda: 0.0)
    for status in (400, 401, 404, 500):
        backoff(object(), lambda request, status=status: Response(status, {"retry-after": "9"}))
    assert backoff.pauses == 0
    assert backoff.wait_time() == 0.0


def test_a_later_shorter_refusal_never_shortens_the_pause():
    clock = Clock()
    backoff = Backoff(clock=clock, sleep=clock.sleep, rand=lambda: 0.0)
    backoff.refused(10.0)
    backoff.refused(1.0)
    assert backoff.wait_time() == pytest.approx(10.0)


def test_github_waits_primary_reset_secondary_retry_after_or_a_minute():
    from driftgate.ratelimit import SECONDARY_DEFAULT_S, github_wait_s

    primary = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"}
    assert github_wait_s(primary, now=400.0) == 601.0  # to the reset, plus its second
    assert github_wait_s({"retry-after": "7", **primary}, now=400.0) == 7.0
    assert github_wait_s({"x-ratelimit-remaining": "12"}) == SECONDARY_DEFAULT_S
    assert github_wait_s({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "soon"}) == 60.0


def test_wait_budget_refuses_a_wait_it_cannot_afford_whole():
    from driftgate.ratelimit import WaitBudget

    slept: list[float] = []
    budget = WaitBudget(60, sleep=slept.append)
    assert budget.wait(45) and not budget.wait(20) and budget.wait(15)
    assert slept == [45, 15] and budget.left_s() == 0
    assert not WaitBudget(0, sleep=slept.append).wait(0.5)
