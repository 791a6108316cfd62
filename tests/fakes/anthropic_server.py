"""A loopback fake of the Anthropic Messages API, driven by the real SDK through `base_url`.

Speaks the wire format of ../shared/fixtures/anthropic/ (message bodies, error bodies,
`request-id`, `retry-after`, `x-should-retry`) so the SDK's own parsing, error classes and
retry rules are what the tests exercise. Scripted per test with a queue of replies; every
request is recorded so tests can assert prompts and where the API key went.

    with FakeAnthropic() as fake:
        fake.push(fake.rate_limited(), fake.text("hello"))
        client = anthropic.Anthropic(api_key="k", base_url=fake.base_url)

The SDK ignores `retry-after: 0` (it falls back to a ~0.5 s backoff), so tests that
want fast retries send a tiny positive value such as 0.001.

Import it as `from fakes.anthropic_server import FakeAnthropic` (pytest puts tests/ on the
path through the root conftest.py; a benchmark script adds `tests/` to sys.path itself).

With an empty queue the fake answers `default` (a Reply or a function of the request),
after `latency_s`: a steady fake model for benchmarks.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
ERROR_MESSAGES = {
    401: "invalid x-api-key",
    429: "This request would exceed your account's rate limit. Please try again later.",
    500: "Internal server error",
    529: "Overloaded",
}


@dataclass
class Reply:
    """One scripted HTTP answer. `body` is JSON-encoded unless it is bytes."""

    status: int = 200
    body: dict | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Request:
    """What the fake received, as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.raw or b"{}")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def api_key(self) -> str:
        """The key the client sent (SDK 2.x: `Authorization: Bearer`; older: `x-api-key`)."""
        bearer = self.header("authorization") or ""
        if bearer.lower().startswith("bearer "):
            return bearer[len("bearer ") :]
        return self.header("x-api-key") or ""

    @property
    def prompt_text(self) -> str:
        """Every text the request carries (system and messages), for prompt assertions."""
        body = self.json
        parts: list[str] = []
        system = body.get("system")
        if isinstance(system, str):
            parts.append(system)
        elif isinstance(system, list):
            parts.extend(b.get("text", "") for b in system)
        for message in body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            else:
                parts.extend(b.get("text", "") for b in content or [])
        return "\n".join(parts)


class FakeAnthropic:
    """The fake server. Start with `with FakeAnthropic() as fake:` or start()/stop()."""

    def __init__(
        self,
        default: Reply | Callable[[Request], Reply] | None = None,
        latency_s: float = 0.0,
    ):
        self.default = default
        self.latency_s = latency_s
        self.requests: list[Request] = []
        self._queue: list[Reply | Callable[[Request], Reply]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()  # the server's ends, while served

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeAnthropic:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: without this, Nagle + the client's
            # delayed ACK add ~40 ms to every reply, a latency no real API has.
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        kept = self.clients_connected()
        if kept and exc[0] is None:
            raise AssertionError(
                f"{kept} client connection(s) to the fake Anthropic API still open when it "
                "stopped: close the client (`with`, .close(), Targets.close()). Left to the "
                "garbage collector, the socket warns 'unclosed' in some later test."
            )

    def clients_connected(self) -> int:
        """Connections whose client has not closed its end (its socket is still open)."""
        with self._lock:
            connections = list(self._connections)
        kept = 0
        for conn in connections:
            try:
                data = conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:  # idle, and the client has not closed: kept alive
                kept += 1
                continue
            except OSError:  # reset, or the server closed it
                continue
            kept += bool(data)  # b"": the client closed it; bytes: a request in flight
        return kept

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting -------------------------------------------------------------------------
    def push(self, *replies: Reply | Callable[[Request], Reply]) -> FakeAnthropic:
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next_id(self) -> int:
        return next(self._ids)

    def _message(
        self,
        content: list[dict],
        stop_reason: str,
        input_tokens: int,
        output_tokens: int,
        model: str | None,
        n: int | None = None,
    ) -> Reply:
        """A successful message (message.200.*.json's shape); `n` numbers its ids."""
        n = self._next_id() if n is None else n
        return Reply(
            body={
                "id": f"msg_fake{n:04d}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            },
            headers={"request-id": f"req_fake{n:04d}"},
        )

    def text(
        self, text: str, input_tokens: int = 10, output_tokens: int = 5, model: str | None = None
    ) -> Reply:
        """A successful message with one text block (message.200.minimal.json's shape).

        `model` defaults to the model the request names, as the real API answers."""
        content = [{"type": "text", "text": text}]
        return self._message(content, "end_turn", input_tokens, output_tokens, model)

    def tool_use(
        self,
        name: str,
        arguments: dict,
        input_tokens: int = 200,
        output_tokens: int = 40,
        model: str | None = None,
    ) -> Reply:
        """A successful message whose content is one tool_use block (a structured reply)."""
        n = self._next_id()
        content = [
            {"type": "tool_use", "id": f"toolu_fake{n:04d}", "name": name, "input": arguments}
        ]
        return self._message(content, "tool_use", input_tokens, output_tokens, model, n)

    def error(
        self,
        status: int,
        message: str | None = None,
        retry_after: float | str | None = None,
        should_retry: bool | None = None,
    ) -> Reply:
        """An API error with the real body shape and headers (errors/<status>.*.json)."""
        n = self._next_id()
        headers = {"request-id": f"req_fake{n:04d}"}
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        if should_retry is not None:
            headers["x-should-retry"] = "true" if should_retry else "false"
        body = {
            "type": "error",
            "error": {
                "type": ERROR_TYPES.get(status, "api_error"),
                "message": message or ERROR_MESSAGES.get(status, "error"),
            },
            "request_id": f"req_fake{n:04d}",
        }
        return Reply(status=status, body=body, headers=headers)

    def unauthorized(self) -> Reply:
        return self.error(401)

    def echoing_key(self, status: int = 401) -> Callable[[Request], Reply]:
        """An error whose message repeats the API key the request carried (as some gateways
        and proxies do): the leak a redactor has to catch. Push it or use it as `default`."""

        def reply(request: Request) -> Reply:
            return self.error(status, f"invalid x-api-key: {request.api_key} (check the key)")

        return reply

    def rate_limited(self, retry_after: float | str = 0.001) -> Reply:
        return self.error(429, retry_after=retry_after)

    def overloaded(self) -> Reply:
        return self.error(529, should_retry=True)

    def server_error(self) -> Reply:
        return self.error(500)

    def slow(self, delay_s: float, reply: Reply | None = None) -> Reply:
        """A reply that arrives after `delay_s`: longer than the client's timeout, it times out."""
        reply = reply or self.text("too late")
        return Reply(reply.status, reply.body, dict(reply.headers), delay_s)

    def malformed(self, status: int = 200) -> Reply:
        """A body that claims to be JSON and is not."""
        return Reply(status=status, body=b'{"id": "msg_broken", "content": [', headers={})

    # -- serving ---------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        request = Request(
            method=handler.command,
            path=handler.path,
            headers={k.lower(): v for k, v in handler.headers.items()},
            raw=raw,
        )
        with self._lock:
            self.requests.append(request)
            reply = self._queue.pop(0) if self._queue else None
        if callable(reply):
            reply = reply(request)
        if reply is None:
            default = self.default
            if callable(default):
                reply = default(request)
            elif default is not None:
                reply = default
            elif handler.path.split("?")[0] != "/v1/messages":
                reply = self.error(404)
            else:
                reply = self.error(500, "fake: no reply scripted for this request")
        if isinstance(reply.body, dict) and "model" in reply.body and reply.body["model"] is None:
            # like the real API, answer with the model the request named (unless scripted)
            asked = _json_or_empty(raw).get("model") or "claude-test"
            body = {**reply.body, "model": asked}
            reply = Reply(reply.status, body, reply.headers, reply.delay_s)
        delay = self.latency_s + reply.delay_s
        if delay:
            time.sleep(delay)
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            handler.send_response(reply.status)
            headers = {"content-type": "application/json", **reply.headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("content-length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    def messages_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == "/v1/messages"]


def _json_or_empty(raw: bytes) -> dict:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def echo_text(prefix: str = "") -> Callable[[Request], Reply]:
    """A default reply that answers each prompt with itself: stable outputs for benchmarks."""

    def reply(request: Request) -> Reply:
        text = request.json.get("messages", [{}])[-1].get("content", "")
        if not isinstance(text, str):
            text = " ".join(b.get("text", "") for b in text)
        words = len(text.split())
        return Reply(
            body={
                "id": "msg_echo",
                "type": "message",
                "role": "assistant",
                "model": request.json.get("model", "claude-test"),
                "content": [{"type": "text", "text": prefix + text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": max(words, 1), "output_tokens": max(words, 1)},
            },
            headers={"request-id": "req_echo"},
        )

    return reply
