"""`--traces DIR`: one JSON file per target or judge call (request and raw response), for audit.

Secrets never reach disk: credential headers are dropped and every string passes the
redactor (the API key wherever it hides: a header, an echoed error, the prompt itself, a
model output that repeats it) before the file is written.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from driftgate import redact
from driftgate.fileio import write_text
from driftgate.redact import MASK, Redactor

REDACTED = MASK
SECRET_HEADERS = {"authorization", "x-api-key", "proxy-authorization", "cookie", "set-cookie"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def scrub(value, secrets: Iterable[str]):
    """A copy of `value` (JSON-like) with secret headers dropped and secrets masked: the
    given ones and whatever the process's redactor knows."""
    return _scrub(value, Redactor(secrets).merged(redact.current()))


def _scrub(value, redactor: Redactor):
    if isinstance(value, dict):
        return {
            redactor.data(str(k)): (
                REDACTED if str(k).lower() in SECRET_HEADERS else _scrub(v, redactor)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v, redactor) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return redactor.data(value)
    return redactor.data(str(value))


class TraceWriter:
    """Writes numbered trace files; safe to share between the run's worker threads."""

    def __init__(self, directory: str | Path, secrets: Iterable[str] = ()):
        """`secrets`: the values to hide, collected by the edges (AnthropicSettings)."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.secrets = list(secrets)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def write(
        self,
        kind: str,
        case: str,
        request: dict,
        response=None,
        *,
        sample: int = 0,
        attempt: int = 1,
        status: int | None = None,
        headers: dict | None = None,
        error: str | None = None,
        latency_s: float | None = None,
    ) -> Path:
        """Record one call. `response` is the raw body: parsed JSON if it parses, else text."""
        with self._lock:
            number = next(self._numbers)
        record = {
            "kind": kind,
            "case": case,
            "sample": sample,
            "attempt": attempt,
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request": request,
            "response": {"status": status, "headers": headers or {}, "body": _as_json(response)},
            "error": error,
            "latency_s": latency_s,
        }
        name = f"{number:05d}-{kind}-{_UNSAFE.sub('_', case)[:60]}-s{sample}-a{attempt}.json"
        path = self.directory / name
        text = json.dumps(scrub(record, self.secrets), indent=2, ensure_ascii=False, default=str)
        write_text(path, text + "\n")
        return path


def _as_json(body):
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body
