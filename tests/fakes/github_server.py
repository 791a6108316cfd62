"""A loopback fake of the GitHub REST endpoints the action uses, for the REAL PyGithub.

Bodies start from GitHub's official examples (github_examples/, MIT); pagination uses the exact
`Link: <...page=2>; rel="next", <...page=N>; rel="last"` format PyGithub parses. It serves under a
path prefix (`/api/v3`, as GitHub Enterprise does) so tests also prove GITHUB_API_URL is honoured.
`read_only=True` answers every write with GitHub's 403, as for a fork PR's token.

Comments have authors (`user.login`, `user.type`). `GET /user` answers 403 as it does for an
Actions installation token (`login=None`, the default: comments we post are by
`github-actions[bot]`), or 200 with `login` as for a personal access token. `save_then_fail`
saves the next comment POSTs and answers them 502, as GitHub sometimes does; `limit_next`
answers the next requests with a primary or secondary rate-limit refusal and its headers.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

EXAMPLES = Path(__file__).parent / "github_examples"
PREFIX = "/api/v3"
ACTIONS_LOGIN = "github-actions[bot]"
PRIMARY_MESSAGE = "API rate limit exceeded for installation ID 1234567."
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def _example(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


class FakeGitHub:
    def __init__(
        self,
        repository: str = "Codertocat/Hello-World",
        *,
        read_only: bool = False,
        login: str | None = None,
    ):
        self.repository = repository
        self.read_only = read_only
        self.login = login  # the token's user; None: an installation token (GET /user is 403)
        self.save_then_fail = 0  # the next N comment POSTs are saved, then answered 502
        self.limits: list[dict] = []  # queued rate-limit refusals (limit_next)
        self.comments: dict[int, list[dict]] = {}
        self.statuses: list[dict] = []
        self.pr_files: dict[int, list[dict]] = {}
        self.pr_heads: dict[int, str] = {}
        self.requests: list[tuple[str, str, object]] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> FakeGitHub:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    # -- state helpers for tests ---------------------------------------------------------
    def set_pr_files(self, number: int, filenames: list[str]) -> None:
        base = _example("pulls-list-files.200.default.json")[0]
        self.pr_files[number] = [
            {**base, "filename": name, "status": "modified"} for name in filenames
        ]

    def add_comment(self, number: int, body: str, login: str = "someone") -> dict:
        with self._lock:
            return self._create_comment(number, body, login)

    @property
    def poster(self) -> str:
        """Who the comments the token creates are by."""
        return self.login or ACTIONS_LOGIN

    def limit_next(
        self,
        kind: str,
        *,
        count: int = 1,
        retry_after: float | None = None,
        reset_in: float = 3600,
        status: int = 403,
    ) -> None:
        """Refuse the next `count` requests: `primary` (X-RateLimit-Remaining 0 and a reset
        `reset_in` seconds away) or `secondary` (with `retry-after` if given)."""
        for _ in range(count):
            self.limits.append(
                {"kind": kind, "retry_after": retry_after, "reset_in": reset_in, "status": status}
            )

    def writes(self) -> list[tuple[str, str, object]]:
        return [r for r in self.requests if r[0] in ("POST", "PATCH", "PUT", "DELETE")]

    # -- resource shapes -----------------------------------------------------------------
    def _api(self, path: str) -> str:
        return f"{self.base_url}/repos/{self.repository}{path}"

    def _create_comment(self, number: int, body: str, login: str) -> dict:
        self._next_id += 1
        comment = _example("issues-create-comment.201.default.json")
        comment.update(
            id=self._next_id,
            url=self._api(f"/issues/comments/{self._next_id}"),
            html_url=f"https://github.com/{self.repository}/pull/{number}#issuecomment-{self._next_id}",
            issue_url=self._api(f"/issues/{number}"),
            body=body,
        )
        kind = "Bot" if login.endswith("[bot]") else "User"
        comment["user"] = {**comment["user"], "login": login, "type": kind}
        self.comments.setdefault(number, []).append(comment)
        return comment

    def _find_comment(self, comment_id: int) -> dict | None:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    return comment
        return None

    def _pull(self, number: int) -> dict:
        pull = _example("pulls-get.200.default.json")
        pull.update(
            number=number,
            url=self._api(f"/pulls/{number}"),
            issue_url=self._api(f"/issues/{number}"),
            changed_files=len(self.pr_files.get(number, [])),
        )
        if number in self.pr_heads:
            pull["head"] = {**pull["head"], "sha": self.pr_heads[number]}
        return pull

    # -- HTTP ----------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as api.github.com: a client left unclosed keeps its connection open.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no ~40 ms delayed-ACK stall per reply

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body=None, headers: dict | None = None) -> None:
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                defaults = {
                    "X-RateLimit-Limit": "5000",
                    "X-RateLimit-Remaining": "4999",
                    "X-RateLimit-Reset": str(int(time.time()) + 3600),
                }
                for key, value in {**defaults, **(headers or {})}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _page(self, items: list, url) -> None:
                query = parse_qs(url.query)
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                last = max(1, -(-len(items) // per_page))
                chunk = items[(page - 1) * per_page : page * per_page]
                link = f"{fake.base_url.split(PREFIX)[0]}{url.path}?per_page={per_page}&page="
                rels = []
                if page < last:
                    rels += [f'<{link}{page + 1}>; rel="next"', f'<{link}{last}>; rel="last"']
                if page > 1:
                    rels += [f'<{link}{page - 1}>; rel="prev"', f'<{link}1>; rel="first"']
                self._send(200, chunk, {"Link": ", ".join(rels)} if rels else None)

            def _rate_limited(self, limit: dict) -> None:
                if limit["kind"] == "primary":
                    reset = int(time.time() + limit["reset_in"])
                    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
                    message = PRIMARY_MESSAGE
                else:
                    headers = {}
                    if limit["retry_after"] is not None:
                        headers["Retry-After"] = str(limit["retry_after"])
                    message = SECONDARY_MESSAGE
                body = {
                    "message": message,
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                }
                self._send(limit["status"], body, headers)

            def _forbidden(self) -> None:
                self._send(
                    403,
                    {
                        "message": "Resource not accessible by integration",
                        "documentation_url": "https://docs.github.com/rest",
                        "status": "403",
                    },
                )

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake._lock:
                    fake.requests.append((method, url.path, body))
                    self._dispatch(method, url, body)

            def _dispatch(self, method: str, url, body) -> None:
                path = url.path
                if not path.startswith(PREFIX):
                    return self._send(404, {"message": "Not Found (missing /api/v3 prefix)"})
                path = path[len(PREFIX) :]
                if fake.limits:
                    return self._rate_limited(fake.limits.pop(0))
                if path == "/user":  # an installation token (Actions) cannot read it
                    if fake.login is None:
                        return self._forbidden()
                    user = _example("issues-create-comment.201.default.json")["user"]
                    return self._send(200, {**user, "login": fake.login, "type": "User"})
                repo = f"/repos/{fake.repository}"
                if not path.startswith(repo):
                    return self._send(404, {"message": "Not Found"})
                rest = path[len(repo) :]
                writing = method in ("POST", "PATCH", "PUT", "DELETE")
                if writing and fake.read_only:
                    return self._forbidden()
                if m := re.fullmatch(r"/pulls/(\d+)", rest):
                    return self._send(200, fake._pull(int(m[1])))
                if m := re.fullmatch(r"/pulls/(\d+)/files", rest):
                    files = fake.pr_files.get(int(m[1]), [])
                    return self._page(files[:3000], url)  # GitHub's documented cap
                if (m := re.fullmatch(r"/issues/(\d+)/comments", rest)) and method == "GET":
                    return self._page(copy.deepcopy(fake.comments.get(int(m[1]), [])), url)
                if (m := re.fullmatch(r"/issues/(\d+)/comments", rest)) and method == "POST":
                    comment = fake._create_comment(int(m[1]), body["body"], fake.poster)
                    if fake.save_then_fail:  # saved, but the answer is lost on the way
                        fake.save_then_fail -= 1
                        return self._send(502, {"message": "Server Error"})
                    return self._send(201, comment, {"Location": comment["url"]})
                if (m := re.fullmatch(r"/issues/comments/(\d+)", rest)) and method == "PATCH":
                    comment = fake._find_comment(int(m[1]))
                    if comment is None:
                        return self._send(404, {"message": "Not Found"})
                    comment["body"] = body["body"]
                    comment["updated_at"] = "2030-01-01T00:00:00Z"
                    return self._send(200, comment)
                if (m := re.fullmatch(r"/statuses/([0-9a-f]{7,40})", rest)) and method == "POST":
                    status = _example("repos-create-commit-status.201.default.json")
                    status.update(
                        state=body["state"],
                        description=body.get("description"),
                        target_url=body.get("target_url"),
                        context=body.get("context", "default"),
                        sha=m[1],
                    )
                    fake.statuses.append(status)
                    return self._send(201, status, {"Location": fake._api(f"/statuses/{m[1]}")})
                return self._send(404, {"message": f"Not Found: {method} {path}"})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

        return Handler
