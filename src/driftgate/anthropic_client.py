"""Everything the target and the judge share about Claude: settings, client, errors, traces.

The Anthropic settings (key, base URL, the secrets traces must hide) are read from the
environment at the two edges only, `cli.py` and `action/settings.py`, and arrive here as a
frozen `AnthropicSettings`; no module below them reads the environment for them, so a test
or the action passes exactly the settings a run uses. Clients are made by `make_client`
(one rate-limit middleware, the suite's retries and timeout) and every call's failure is
described by `describe_api_error` and traced by `trace_call`, the same way for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from driftgate import redact

if TYPE_CHECKING:  # the SDK takes seconds to import: only runs that call Claude pay it
    import anthropic

    from driftgate.traces import TraceWriter

DEFAULT_BASE_URL = "https://api.anthropic.com"
KEY_VARIABLE = "ANTHROPIC_API_KEY"
BASE_URL_VARIABLE = "ANTHROPIC_BASE_URL"


@dataclass(frozen=True)
class AnthropicSettings:
    """What a run needs to reach Claude; empty (no key) unless an edge read the environment."""

    api_key: str = field(default="", repr=False)
    base_url: str | None = None  # None: the public API
    # every secret of the environment (redact.secrets_from_env): hidden from traces
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # A pasted key often ends in a newline: httpx would refuse it as a header value.
        object.__setattr__(self, "api_key", (self.api_key or "").strip())
        object.__setattr__(self, "base_url", (self.base_url or "").strip() or None)
        object.__setattr__(self, "secrets", tuple(s for s in self.secrets if s))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AnthropicSettings:
        """For the edges: build from the environment mapping they were given."""
        key = env.get(KEY_VARIABLE) or ""
        return cls(
            api_key=key,
            base_url=env.get(BASE_URL_VARIABLE),
            secrets=redact.secrets_from_env(env),
        )

    @property
    def endpoint(self) -> str:
        """The API's URL without a trailing slash (part of the output cache's key)."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def trace_secrets(self) -> tuple[str, ...]:
        """The values a trace file must not contain: the key as sent and the other secrets."""
        return tuple(dict.fromkeys((*self.secrets, self.api_key) if self.api_key else self.secrets))


def make_client(
    settings: AnthropicSettings, *, max_retries: int, timeout: float
) -> anthropic.Anthropic:
    """The one way a client is made: the settings' key and URL, the shared 429 pause."""
    import anthropic

    from driftgate import ratelimit

    return anthropic.Anthropic(
        api_key=settings.api_key,
        base_url=settings.endpoint,
        max_retries=max_retries,
        timeout=timeout,
        middleware=[ratelimit.SHARED],  # target and judge share one rate limit (no herd)
    )


def describe_api_error(exc: Exception) -> str:
    """A one-line, secret-free description of an SDK error that says what to do.

    Every message names the HTTP status and error type, says what to do, and carries the
    request-id for support tickets; the API key never appears (the SDK never puts it there).
    """
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return "timed out (raise timeout_s, or check the API's status)"
    if isinstance(exc, anthropic.APIConnectionError):
        return "could not connect to the Anthropic API (check ANTHROPIC_BASE_URL and network)"
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        kind = error.get("type") or type(exc).__name__
        text = error.get("message") or ""
        hint = {
            401: "the API key was rejected: check the ANTHROPIC_API_KEY secret",
            403: "the API key lacks permission for this model",
            404: "unknown model or endpoint: check the model name",
            429: "rate limited after retries: lower `concurrency` or retry later",
            529: "the API is overloaded after retries: retry later",
        }.get(status, "the API failed after retries" if status >= 500 else "")
        request_id = getattr(exc, "request_id", None)
        request = f"request-id {request_id}" if request_id else ""
        parts = [f"HTTP {status} {kind}", text, hint, request]
        return "; ".join(p for p in parts if p)
    return f"{type(exc).__name__}: {exc}"


def trace_call(
    tracer: TraceWriter | None,
    kind: str,
    case: str,
    request: dict,
    response=None,
    *,
    body=None,
    sample: int = 0,
    attempt: int = 1,
    error: str | None = None,
    latency_s: float,
) -> None:
    """Write one call's trace: `response` is the httpx response, an SDK status error (which
    carries one) or None (no response: a timeout, a refused connection)."""
    if tracer is None:
        return
    http = getattr(response, "response", response)
    status = getattr(http, "status_code", None)
    if status is not None and body is None:
        try:
            body = http.text
        except Exception:  # a streamed or closed body: the status says enough
            body = None
    tracer.write(
        kind,
        case,
        request,
        body,
        sample=sample,
        attempt=attempt,
        status=status,
        headers=dict(http.headers) if status is not None else None,
        error=error,
        latency_s=round(latency_s, 4),
    )
