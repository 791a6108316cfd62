"""The GitHub REST calls the action makes, through PyGithub: PR files, the sticky comment, status.

The sticky comment is found by a hidden HTML marker per suite (and shard key) while listing
the PR's comments, never through `GET /user` (an Actions token cannot read it). A read-only
token (fork PRs) makes every write fail with 403; that becomes CannotPost with the fix, which
the caller turns into a warning: the gate's verdict never depends on being able to post.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.IssueComment import IssueComment

# GitHub's documented cap of the PR files listing; at the cap the list may be incomplete.
FILES_CAP = 3000
COMMENT_LIMIT = 65536
STATUS_DESCRIPTION_LIMIT = 140

NO_WRITE_PERMISSION = (
    "the token cannot {what} (HTTP {status}: {message}). On a pull request from a fork the "
    "token is read-only: the report is in the job summary; to post it, use the workflow_run "
    "pattern in the README. Otherwise add `{permission}` to the job's `permissions:`."
)


class CannotPost(Exception):
    """A write to GitHub failed; the message says why and what to change."""


@dataclass(frozen=True)
class ChangedFiles:
    paths: tuple[str, ...]
    truncated: bool  # the listing hit GitHub's cap: callers must run everything


def marker(suite: str, shard_key: str | None = None) -> str:
    """The hidden first line identifying our comment; quoting keeps `-->` out of names."""
    key = f"suite={quote(suite, safe='')}"
    if shard_key:
        key += f" shard={quote(shard_key, safe='')}"
    return f"<!-- driftgate-report {key} -->"


class GitHub:
    """Thin wrapper over a PyGithub client for one repository."""

    def __init__(self, client: Github, repository: str):
        self.client = client
        self.repository = repository
        self._repo = client.get_repo(repository, lazy=True)

    @classmethod
    def connect(
        cls,
        token: str,
        api_url: str,
        repository: str,
        *,
        retries: int = 3,
        throttle: bool = True,
    ) -> GitHub:
        """The real client; `api_url` is GITHUB_API_URL, so GitHub Enterprise works."""
        client = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            per_page=100,
            retry=GithubRetry(total=retries),
            timeout=30,
            lazy=True,
            # GitHub's secondary rate limits want spacing; tests against loopback turn it off.
            seconds_between_requests=0.25 if throttle else None,
            seconds_between_writes=1.0 if throttle else None,
        )
        return cls(client, repository)

    def pr_files(self, number: int) -> ChangedFiles:
        """Every path the PR touches (renames give both names), paginated up to the cap."""
        pull = self._repo.get_pull(number)
        paths: list[str] = []
        count = 0
        for entry in pull.get_files():
            count += 1
            paths.append(entry.filename)
            previous = entry.raw_data.get("previous_filename")
            if previous:
                paths.append(previous)
        return ChangedFiles(tuple(dict.fromkeys(paths)), truncated=count >= FILES_CAP)

    def pr_head_sha(self, number: int) -> str | None:
        try:
            return self._repo.get_pull(number).head.sha
        except GithubException:
            return None

    def find_comment(self, number: int, tag: str) -> IssueComment | None:
        """Our earlier comment on the PR, by marker; the oldest one if users copied it."""
        for comment in self._repo.get_issue(number).get_comments():
            if tag in (comment.body or ""):
                return comment
        return None

    def upsert_comment(
        self, number: int, tag: str, body: str, *, create: bool = True
    ) -> str | None:
        """Edit our comment in place, else create it (if `create`). Returns its URL."""
        text = f"{tag}\n{body}"
        if len(text) > COMMENT_LIMIT:
            raise ValueError(f"comment is {len(text)} characters; the limit is {COMMENT_LIMIT}")
        try:
            existing = self.find_comment(number, tag)
            if existing is not None:
                existing.edit(text)
                return existing.html_url
            if not create:
                return None
            return self._repo.get_issue(number).create_comment(text).html_url
        except GithubException as exc:
            raise _cannot("post the PR comment", "pull-requests: write", exc) from None
        except requests.RequestException as exc:
            raise CannotPost(f"cannot reach GitHub to post the PR comment: {exc}") from None

    def set_status(
        self, sha: str, context: str, state: str, description: str, target_url: str | None = None
    ) -> None:
        if len(description) > STATUS_DESCRIPTION_LIMIT:
            description = description[: STATUS_DESCRIPTION_LIMIT - 1] + "…"
        kwargs = {"target_url": target_url} if target_url else {}
        try:
            self._repo.get_commit(sha).create_status(
                state=state, description=description, context=context, **kwargs
            )
        except GithubException as exc:
            raise _cannot("set the commit status", "statuses: write", exc) from None
        except requests.RequestException as exc:
            raise CannotPost(f"cannot reach GitHub to set the commit status: {exc}") from None


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
