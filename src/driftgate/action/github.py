"""The GitHub REST calls the action makes, through PyGithub: PR files, the sticky comment, status.

The sticky comment is ours alone: its first line is a marker derived from the suite (and shard
key) by a hash, so no suite name can spell another suite's marker, and it counts only if the
token's own identity wrote it. `GET /user` names that identity; an Actions installation token
gets 403 there, and then it is `github-actions[bot]` (as python-coverage-comment-action does).

Writes are never retried blindly: a create that fails with 5xx is retried only after listing
the comments again, because GitHub may have saved it before the error. Rate limits are waited
out only within the run's WaitBudget. A read-only token (fork PRs) makes every write fail with
403. Each of these becomes CannotPost with the fix, which the caller turns into a warning:
the gate's verdict never depends on being able to post.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException
from github.IssueComment import IssueComment
from urllib3.util.retry import Retry

from driftgate.ratelimit import WaitBudget, github_wait_s
from driftgate.text import plural, shorten

# GitHub's documented cap of the PR files listing; at the cap the list may be incomplete.
FILES_CAP = 3000
COMMENT_LIMIT = 65536
STATUS_DESCRIPTION_LIMIT = 140
STATUS_CONTEXT_LIMIT = 100
ACTIONS_LOGIN = "github-actions[bot]"
CREATE_ATTEMPTS = 3
RATE_LIMIT_ATTEMPTS = 5
CUT_NOTE = (
    "\n\n> ⚠️ This report was cut to fit GitHub's 65,536-character comment limit; the whole "
    "report is in the job summary and the results file.\n"
)
OUTDATED = (
    "_This driftgate report is outdated: the current one is {url}_\n\n"
    "<details><summary>Why</summary>\n\nSeveral driftgate comments for the same suite were "
    "found (a race between runs); driftgate keeps the newest up to date.\n</details>\n"
)

NO_WRITE_PERMISSION = (
    "the token cannot {what} (HTTP {status}: {message}). On a pull request from a fork the "
    "token is read-only: the report is in the job summary; to post it, use the workflow_run "
    "pattern (docs/action.md#pull-requests-from-forks). Otherwise add `{permission}` to the "
    "job's `permissions:`."
)
RATE_LIMITED = (
    "GitHub's rate limit: the next try is allowed in {wait:.0f} s, past driftgate's bound "
    "on waiting ({total:.0f} s in all per run, {left:.0f} s left; input `max-wait`): could not "
    "{what}. The report is in the job summary; the gate's verdict is unchanged."
)

T = TypeVar("T")


class CannotPost(Exception):
    """A write to GitHub failed; the message says why and what to change."""


class RateLimited(CannotPost):
    """GitHub asked for a wait longer than the run's budget has left."""


@dataclass(frozen=True)
class ChangedFiles:
    paths: tuple[str, ...]
    truncated: bool  # the listing hit GitHub's cap: callers must run everything


@dataclass(frozen=True)
class Posted:
    """Where the comment is (None: nothing posted) and what the job summary should say."""

    url: str | None
    notes: tuple[str, ...] = field(default=())


def marker(suite: str, shard_key: str | None = None) -> str:
    """The hidden first line naming our comment. The key is a hash, so no name can spell
    another's; the readable label (letters, digits, hyphens) is only for people."""
    key = hashlib.sha256(json.dumps([suite, shard_key or ""]).encode()).hexdigest()[:32]
    label = re.sub(r"[^a-z0-9]+", "-", suite.lower()).strip("-")[:40] or "suite"
    return f"<!-- driftgate-report suite={label} key={key} -->"


def legacy_marker(suite: str, shard_key: str | None = None) -> str:
    """The marker of earlier driftgate versions (quoted names): still recognised on comments
    our own identity wrote, so upgrading does not leave a stale comment behind."""
    key = f"suite={quote(suite, safe='')}"
    if shard_key:
        key += f" shard={quote(shard_key, safe='')}"
    return f"<!-- driftgate-report {key} -->"


def fit_comment(tag: str, body: str, limit: int = COMMENT_LIMIT) -> str:
    """`tag` then `body`, cut (and saying so) if longer than GitHub accepts: never an error."""
    text = f"{tag}\n{body}"
    if len(text) <= limit:
        return text
    return text[: limit - len(CUT_NOTE)] + CUT_NOTE


def status_context(suite: str) -> str:
    """`driftgate/<suite>`, shortened with a hash when the name is too long to be a context."""
    context = f"driftgate/{' '.join(suite.split())}"
    if len(context) <= STATUS_CONTEXT_LIMIT:
        return context
    digest = hashlib.sha256(suite.encode()).hexdigest()[:8]
    return f"{context[: STATUS_CONTEXT_LIMIT - 10]}…{digest}"


class GitHub:
    """Thin wrapper over a PyGithub client for one repository."""

    def __init__(self, client: Github, repository: str, budget: WaitBudget | None = None):
        self.client = client
        self.repository = repository
        self.budget = budget or WaitBudget()
        self._repo = client.get_repo(repository, lazy=True)
        self._login: str | None = None

    @classmethod
    def connect(
        cls,
        token: str,
        api_url: str,
        repository: str,
        *,
        retries: int = 3,
        throttle: bool = True,
        budget: WaitBudget | None = None,
    ) -> GitHub:
        """The real client; `api_url` is GITHUB_API_URL, so GitHub Enterprise works."""
        # Only reads are retried by the transport, and never after a rate limit: a POST that
        # failed may have been saved, and a rate-limit wait must come out of the budget.
        retry = Retry(
            total=retries,
            status_forcelist=range(500, 600),
            allowed_methods=frozenset({"GET", "HEAD"}),
            backoff_factor=0.5,
            respect_retry_after_header=False,
            raise_on_status=False,
        )
        client = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            per_page=100,
            retry=retry,
            timeout=30,
            lazy=True,
            # GitHub's secondary rate limits want spacing; tests against loopback turn it off.
            seconds_between_requests=0.25 if throttle else None,
            seconds_between_writes=1.0 if throttle else None,
        )
        return cls(client, repository, budget)

    def close(self) -> None:
        """Release the pooled connections now, not whenever the garbage collector runs."""
        self.client.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reads ---------------------------------------------------------------------------
    def pr_files(self, number: int) -> ChangedFiles:
        """Every path the PR touches (renames give both names), paginated up to the cap."""

        def listing() -> ChangedFiles:
            paths: list[str] = []
            count = 0
            for entry in self._repo.get_pull(number).get_files():
                count += 1
                paths.append(entry.filename)
                previous = entry.raw_data.get("previous_filename")
                if previous:
                    paths.append(previous)
            return ChangedFiles(tuple(dict.fromkeys(paths)), truncated=count >= FILES_CAP)

        return self._patiently("list the PR's files", listing)

    def pr_head_sha(self, number: int) -> str | None:
        try:
            return self._patiently("read the PR", lambda: self._repo.get_pull(number).head.sha)
        except CannotPost:
            return None

    def identity(self) -> str:
        """The login our comments are written by (cached for the run)."""
        if self._login is None:
            try:
                self._login = self.client.get_user().login
            except GithubException as exc:
                if exc.status != 403 or _rate_limited(exc):
                    raise
                self._login = ACTIONS_LOGIN  # an installation token may not read /user
        return self._login

    def comments_with(
        self, number: int, tags: tuple[str, ...]
    ) -> tuple[list[IssueComment], list[IssueComment]]:
        """(ours, others'): comments whose first line is one of `tags`, oldest first."""
        me = self.identity().lower()
        ours: list[IssueComment] = []
        others: list[IssueComment] = []
        for comment in self._repo.get_issue(number).get_comments():
            first = (comment.body or "").split("\n", 1)[0].strip()
            if first not in tags:
                continue
            login = (comment.user.login if comment.user else "") or ""
            (ours if login.lower() == me else others).append(comment)
        ours.sort(key=lambda c: c.id)
        return ours, others

    # -- writes --------------------------------------------------------------------------
    def upsert_comment(
        self,
        number: int,
        tag: str,
        body: str,
        *,
        create: bool = True,
        legacy: str | None = None,
    ) -> Posted:
        """Edit our comment in place, else create it (if `create`)."""
        text = fit_comment(tag, body)
        tags = (tag, legacy) if legacy else (tag,)
        return self._patiently(
            "post the PR comment", lambda: self._upsert(number, tags, text, create)
        )

    def _upsert(self, number: int, tags: tuple[str, ...], text: str, create: bool) -> Posted:
        ours, others = self.comments_with(number, tags)
        notes: list[str] = []
        if others:
            authors = ", ".join(sorted({_login(c) for c in others}))
            notes.append(
                f"ignored {plural(len(others), 'comment')} by {authors} that carry driftgate's "
                f"marker "
                f"for this suite: driftgate edits only comments written by {self.identity()}"
            )
        if ours:
            newest = ours[-1]
            if newest.body != text:
                newest.edit(text)
            if len(ours) > 1:
                notes.append(
                    f"found {len(ours)} driftgate comments for this suite; edited the newest "
                    f"({newest.html_url}) and marked the {plural(len(ours) - 1, 'older one')} "
                    "outdated"
                )
                for old in ours[:-1]:
                    old.edit(OUTDATED.format(url=newest.html_url))
            return Posted(newest.html_url, tuple(notes))
        if not create:
            return Posted(None, tuple(notes))
        issue = self._repo.get_issue(number)
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                return Posted(issue.create_comment(text).html_url, tuple(notes))
            except (GithubException, requests.RequestException) as exc:
                status = getattr(exc, "status", None)
                if isinstance(exc, GithubException) and (status is None or status < 500):
                    raise
                # GitHub may have saved it before failing: look before posting again.
                ours, _ = self.comments_with(number, tags)
                if ours:
                    notes.append(
                        f"GitHub answered the comment's creation with an error "
                        f"({status or exc.__class__.__name__}) but had saved it: not posted twice"
                    )
                    if ours[-1].body != text:
                        ours[-1].edit(text)
                    return Posted(ours[-1].html_url, tuple(notes))
                if attempt == CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def set_status(
        self, sha: str, context: str, state: str, description: str, target_url: str | None = None
    ) -> None:
        description = shorten(description, STATUS_DESCRIPTION_LIMIT)
        kwargs = {"target_url": target_url} if target_url else {}

        def create() -> None:
            self._repo.get_commit(sha).create_status(
                state=state, description=description, context=context, **kwargs
            )

        self._patiently("set the commit status", create, permission="statuses: write")

    # -- the one place errors and rate limits are handled --------------------------------
    def _patiently(
        self, what: str, call: Callable[[], T], permission: str = "pull-requests: write"
    ) -> T:
        """`call()`, waiting out rate limits within the budget; failures become CannotPost."""
        for attempt in range(1, RATE_LIMIT_ATTEMPTS + 1):
            try:
                return call()
            except GithubException as exc:
                if not _rate_limited(exc) or attempt == RATE_LIMIT_ATTEMPTS:
                    raise _cannot(what, permission, exc) from None
                wait = github_wait_s(_lower(exc.headers))
                if not self.budget.wait(wait):
                    raise RateLimited(
                        RATE_LIMITED.format(
                            wait=wait,
                            total=self.budget.total_s,
                            left=self.budget.left_s(),
                            what=what,
                        )
                    ) from None
            except requests.RequestException as exc:
                raise CannotPost(f"cannot reach GitHub to {what}: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _login(comment: IssueComment) -> str:
    return (comment.user.login if comment.user else None) or "an unknown user"


def _lower(headers) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}


def _rate_limited(exc: GithubException) -> bool:
    """GitHub's rate-limit refusals: 429, or 403 with a rate-limit message or headers."""
    if exc.status not in (403, 429):
        return False
    headers = _lower(exc.headers)
    if "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0":
        return True
    data = exc.data if isinstance(exc.data, dict) else {}
    return "rate limit" in str(data.get("message", "")).lower() or exc.status == 429


def _cannot(what: str, permission: str, exc: GithubException) -> CannotPost:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = data.get("message") or str(exc)
    if exc.status in (401, 403, 404):
        return CannotPost(
            NO_WRITE_PERMISSION.format(
                what=what, status=exc.status, message=message, permission=permission
            )
        )
    return CannotPost(f"GitHub refused to {what} (HTTP {exc.status}: {message})")
