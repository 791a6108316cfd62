"""Baselines kept on an orphan branch of `origin`, needing only git (no API, no token
beyond what `actions/checkout` already configured), like benchmark dashboards on gh-pages.

Layout: `<suite-slug>/<commit-sha>.json` per run plus `<suite-slug>/latest.json`. Commits
are built with plumbing (hash-object, a throw-away index, commit-tree) so the user's
checkout, index and branches are never touched; only `refs/remotes/origin/<branch>` moves.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import tempfile
import time
from pathlib import Path

from pydantic import ValidationError

from driftgate.compare.baseline import age_hours
from driftgate.errors import UsageError
from driftgate.results import BaselineInfo, RunResults

DEFAULT_BRANCH = "driftgate-baseline"
REMOTE = "origin"
BOT_NAME = "driftgate[bot]"
BOT_EMAIL = "driftgate[bot]@users.noreply.github.com"
BOT_ENV = {
    "GIT_AUTHOR_NAME": BOT_NAME,
    "GIT_AUTHOR_EMAIL": BOT_EMAIL,
    "GIT_COMMITTER_NAME": BOT_NAME,
    "GIT_COMMITTER_EMAIL": BOT_EMAIL,
}
PUSH_PERMISSION_HINT = (
    "give the workflow job `permissions: contents: write` so it can push the baseline "
    "branch; fork pull requests get a read-only token, so update the baseline from "
    "`push` runs on the base branch instead"
)


class GitFailed(UsageError):
    """A git command the store needs failed; the message carries git's own words."""


def suite_slug(name: str) -> str:
    """The suite's folder on the branch: stable, readable, safe as a path."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "suite"


def read_baseline_from_branch(
    root: Path, branch: str, suite_name: str, merge_base: str | None
) -> tuple[RunResults, BaselineInfo] | None:
    """The results recorded at `merge_base` if there are any, else the suite's newest.

    None when there is no `origin`, no such branch yet, or nothing for this suite on it.
    """
    if not _has_origin(root):
        return None
    tip = _fetch(root, branch)
    if tip is None:
        return None
    slug = suite_slug(suite_name)
    candidates = [(f"{slug}/latest.json", False)]
    if merge_base:
        candidates.insert(0, (f"{slug}/{merge_base}.json", True))
    for path, at_merge_base in candidates:
        text = _show(root, tip, path)
        if text is None:
            continue
        try:
            results = RunResults.model_validate_json(text)
        except ValidationError as exc:
            raise UsageError(
                f"baseline branch '{branch}', file {path}: not a valid results file "
                f"({exc.errors()[0]['msg']}); delete the file from the branch or run with "
                f"--update-baseline on the base branch to replace it"
            ) from None
        if not at_merge_base:  # the newest may well be the merge-base's own record
            at_merge_base = results.git_sha == merge_base if merge_base else None
        info = BaselineInfo(
            source=f"branch {branch}:{path}",
            commit=results.git_sha,
            created_at=results.created_at,
            age_hours=age_hours(results.created_at),
            at_merge_base=at_merge_base,
        )
        return results, info
    return None


def write_baseline_to_branch(
    root: Path, branch: str, results: RunResults, commit_sha: str, retries: int = 3
) -> str:
    """Record `results` as the baseline at `commit_sha` and push; returns the new branch
    commit. Another job pushing first is retried (fetch, rebuild on its commit, push)."""
    if not _has_origin(root):
        raise UsageError(
            f"--update-baseline pushes to the '{REMOTE}' remote, and this repository has "
            f"none; add it (git remote add {REMOTE} URL) or drop --update-baseline"
        )
    if not re.fullmatch(r"[0-9a-fA-F]{7,64}", commit_sha or ""):
        raise UsageError(f"cannot key a baseline by commit '{commit_sha}': not a commit SHA")
    slug = suite_slug(results.suite)
    data = results.to_json()  # redacted: the baseline branch is pushed to origin
    blob = _git(root, "hash-object", "-w", "--stdin", input=data)
    files = {f"{slug}/{commit_sha}.json": blob, f"{slug}/latest.json": blob}
    message = f"driftgate baseline: {results.suite} at {commit_sha[:12]}"
    for attempt in range(retries + 1):
        parent = _fetch(root, branch)
        tree = _tree_with(root, parent, files)
        commit = _git(
            root,
            "commit-tree",
            "--no-gpg-sign",
            tree,
            *(["-p", parent] if parent else []),
            "-m",
            message,
            env=BOT_ENV,
        )
        pushed = _run(
            root, "push", "--no-verify", "--quiet", REMOTE, f"{commit}:refs/heads/{branch}"
        )
        if pushed.returncode == 0:
            _git(root, "update-ref", f"refs/remotes/{REMOTE}/{branch}", commit)
            return commit
        if _remote_tip(root, branch) == parent:  # nobody else moved it: a real failure
            raise GitFailed(
                f"could not push the baseline to branch '{branch}' of {REMOTE}: "
                f"{_scrub(pushed.stderr)}; {PUSH_PERMISSION_HINT}"
            )
        if attempt < retries:  # lost a race with another job: back off a little, rebuild
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    raise GitFailed(
        f"could not push the baseline to branch '{branch}': other jobs kept pushing first "
        f"({retries + 1} attempts); re-run the job"
    )


def default_merge_base(root: Path) -> str | None:
    """Where this branch left the remote's default branch, when git can tell."""
    branch = default_branch_ref(root)
    if branch is None:
        return None
    done = _run(root, "merge-base", "HEAD", branch)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def default_branch_ref(root: Path) -> str | None:
    """The remote's default branch as a local ref, without needing `origin/HEAD`.

    `origin/HEAD` is unset after `git remote add` + push (the usual way a repository
    starts), so: origin/HEAD if set, else what the remote says its HEAD is, else
    origin/main or origin/master if fetched."""
    head = _run(root, "symbolic-ref", "--quiet", f"refs/remotes/{REMOTE}/HEAD")
    if head.returncode == 0 and head.stdout.strip():
        return head.stdout.strip()
    if not _has_origin(root):
        return None
    names = []
    listed = _run(root, "ls-remote", "--symref", REMOTE, "HEAD")
    if listed.returncode == 0:
        for line in listed.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ref:" and parts[1].startswith("refs/heads/"):
                names.append(parts[1].removeprefix("refs/heads/"))
    for name in [*names, "main", "master"]:
        ref = f"refs/remotes/{REMOTE}/{name}"
        if _run(root, "rev-parse", "--verify", "--quiet", ref).returncode == 0:
            return ref
    return None


def _tree_with(root: Path, parent: str | None, files: dict[str, str]) -> str:
    """The parent's tree plus `files` (path → blob), built in a throw-away index."""
    with tempfile.TemporaryDirectory(prefix="driftgate-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            _git(root, "read-tree", parent, env=env)
        for path, blob in files.items():
            _git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        return _git(root, "write-tree", env=env)


def _fetch(root: Path, branch: str) -> str | None:
    """Fetch the branch tip into refs/remotes/origin/<branch>; None if it doesn't exist."""
    ref = f"refs/remotes/{REMOTE}/{branch}"
    depth = ["--depth=1"] if _is_shallow(root) else []  # CI clones: keep them small
    refspec = f"+refs/heads/{branch}:{ref}"
    fetched = _run(root, "fetch", "--no-tags", "--quiet", *depth, REMOTE, refspec)
    if fetched.returncode != 0:
        if _remote_tip(root, branch) is None:
            _run(root, "update-ref", "-d", ref)  # deleted upstream: forget the stale copy
            return None
        raise GitFailed(
            f"could not fetch baseline branch '{branch}' from {REMOTE}: {_scrub(fetched.stderr)}"
        )
    return _git(root, "rev-parse", ref)


def _remote_tip(root: Path, branch: str) -> str | None:
    listed = _run(root, "ls-remote", "--heads", REMOTE, f"refs/heads/{branch}")
    if listed.returncode != 0:
        raise GitFailed(f"cannot reach {REMOTE}: {_scrub(listed.stderr)}")
    first = listed.stdout.split()
    return first[0] if first else None


def _show(root: Path, commit: str, path: str) -> str | None:
    shown = _run(root, "show", f"{commit}:{path}")
    return shown.stdout if shown.returncode == 0 else None


def _has_origin(root: Path) -> bool:
    return _run(root, "remote", "get-url", REMOTE).returncode == 0


def _is_shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository") == "true"


def _git(root: Path, *args: str, env: dict | None = None, input: str | None = None) -> str:
    done = _run(root, *args, env=env, input=input)
    if done.returncode != 0:
        raise GitFailed(f"git {args[0]} failed in {root}: {_scrub(done.stderr)}")
    return done.stdout.strip()


def _run(
    root: Path, *args: str, env: dict | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc}); the baseline branch needs git on PATH") from None


def _scrub(text: str) -> str:
    """git may echo a remote URL; never let a token inside one reach a log."""
    text = re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", text or "")
    return " ".join(text.split())[:500] or "no message from git"
