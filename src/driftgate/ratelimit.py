"""Waiting out rate limits: one pause shared by every Anthropic call of a run, and a bounded
budget for GitHub's limits.

The SDK retries a 429 after exactly `retry-after` seconds, without jitter: N workers that
are refused together retry together and are refused again (a thundering herd), while
the other workers keep starting new calls into the limit. This middleware, given to
every client of the run, makes one refusal pause all calls until the server's deadline,
then releases them spread over a short random window.

    client = anthropic.Anthropic(..., middleware=[ratelimit.SHARED])

GitHub's primary limit names a reset time that may be an hour away; its secondary limits ask
for `retry-after` seconds (or a minute when they name none). A job must not stall on them:
`WaitBudget` caps the total a run waits, and past it the caller skips the comment or status.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable

PAUSE_STATUSES = frozenset({429, 503, 529})
DEFAULT_PAUSE_S = 1.0  # when a refusal names no retry-after
MAX_PAUSE_S = 60.0
MIN_SPREAD_S = 0.1
MAX_SPREAD_S = 5.0


def retry_after_s(headers) -> float | None:
    """The server's requested wait in seconds (`retry-after-ms`, `retry-after` s or date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Backoff:
    """SDK middleware (a sync callable `(request, call_next)`) coordinating every call."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ):
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._lock = threading.Lock()
        self._resume_at = float("-inf")
        self._spread = 0.0
        self.pauses = 0  # refusals seen (for reports and tests)
        self.waited_s = 0.0

    def wait_time(self) -> float:
        """How long a call starting now must wait: to the deadline, plus its place in the spread."""
        with self._lock:
            now = self._clock()
            if now >= self._resume_at + self._spread:
                return 0.0
            return max(0.0, self._resume_at - now) + self._rand() * self._spread

    def refused(self, delay_s: float | None) -> None:
        delay = DEFAULT_PAUSE_S if delay_s is None else min(delay_s, MAX_PAUSE_S)
        with self._lock:
            self.pauses += 1
            self._resume_at = max(self._resume_at, self._clock() + delay)
            self._spread = min(max(delay / 2, MIN_SPREAD_S), MAX_SPREAD_S)

    def __call__(self, request, call_next):
        wait = self.wait_time()
        if wait > 0:
            with self._lock:
                self.waited_s += wait
            self._sleep(wait)
        response = call_next(request)
        if response.status_code in PAUSE_STATUSES:
            self.refused(retry_after_s(response.headers))
        return response


# One per process: the target and the judge share the account's rate limit.
SHARED = Backoff()

DEFAULT_MAX_WAIT_S = 60.0  # GitHub rate limits: total wait per run
SECONDARY_DEFAULT_S = 60.0  # GitHub: "wait at least one minute" when no retry-after is given


def github_wait_s(headers, now: float | None = None) -> float:
    """How long GitHub asks us to wait after a rate-limit refusal (headers lower-cased)."""
    asked = retry_after_s(headers)
    if asked is not None:  # secondary limits, and some primary ones, say it directly
        return asked
    if str(headers.get("x-ratelimit-remaining", "")).strip() == "0":
        try:
            reset = float(headers.get("x-ratelimit-reset", ""))
        except ValueError:
            return SECONDARY_DEFAULT_S
        now = time.time() if now is None else now
        return max(0.0, reset - now) + 1.0  # the reset second itself may not be over
    return SECONDARY_DEFAULT_S


class WaitBudget:
    """At most `total_s` seconds of waiting, shared by every call it is given to."""

    def __init__(self, total_s: float = DEFAULT_MAX_WAIT_S, *, sleep=time.sleep):
        self.total_s = max(0.0, total_s)
        self.spent_s = 0.0
        self._sleep = sleep
        self._lock = threading.Lock()

    def left_s(self) -> float:
        return max(0.0, self.total_s - self.spent_s)

    def wait(self, seconds: float) -> bool:
        """Sleep `seconds` if the budget allows it; False (and no sleep) otherwise."""
        with self._lock:
            if seconds > self.total_s - self.spent_s:
                return False
            self.spent_s += seconds
        self._sleep(seconds)
        return True
