"""One description of the anthropic SDK's failures, shared by the target and the judge.

Every message names the HTTP status and error type, says what to do, and carries the
request-id for support tickets; the API key never appears (the SDK never puts it there).
"""

from __future__ import annotations


def describe_api_error(exc: Exception) -> str:
    """A one-line, secret-free description of an SDK error that says what to do."""
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
