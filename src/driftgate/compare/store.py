"""Baselines kept on an orphan branch of `origin`, needing only git (no API, no token
beyond what `actions/checkout` already configured), like benchmark dashboards on gh-pages.

Layout: `<suite-slug>/<commit-sha>.json` per run plus `<suite-slug>/latest.json`. Commits
are built with plumbing (hash-object, a throw-away index, commit-tree) so the user's
checkout, index and branches are never touched; only `refs/remotes/origin/<branch>` moves.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

from pydantic import ValidationError

from driftgate.compare.baseline import age_hours
from driftgate.errors import UsageError
from driftgate.git import NETWORK_TIMEOUT_S, Git, GitError, check_ref, check_sha, scrub
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


# Concurrent writers (a matrix of jobs) each rebuild on the newest tip and push again; one of
# them wins every round, so N writers need at most N rounds. Jittered, growing pauses spread
# them out; the deadline keeps a job from hanging on a remote that keeps moving.
PUSH_ATTEMPTS = 16
PUSH_DEADLINE_S = 180.0
BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 3.0


def suite_slug(name: str) -> str:
    """The suite's folder on the branch: stable, readable, safe as a path."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "suite"


def read_baseline_from_branch(
    root: Path, branch: str, suite_name: str, merge_base: str | None, git: Git | None = None
) -> tuple[RunResults, BaselineInfo] | None:
    """The results recorded at `merge_base` if there are any, else the suite's newest.

    None when there is no `origin`, no such branch yet, or nothing for this suite on it.
    """
    store = _Store(root, git or Git())
    check_ref(branch, "baseline branch")
    if merge_base is not None:
        check_sha(merge_base, "merge base")
    if not store.has_origin():
        return None
    tip = store.fetch(branch)
    if tip is None:
        return None
    slug = suite_slug(suite_name)
    candidates = [(f"{slug}/latest.json", False)]
    if merge_base:
        candidates.insert(0, (f"{slug}/{merge_base}.json", True))
    for path, at_merge_base in candidates:
        text = store.show(tip, path)
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


def has_origin(root: Path, git: Git | None = None) -> bool:
    """Whether there is an `origin` to read the baseline branch from and push it to."""
    return _Store(root, git or Git()).has_origin()


def check_can_record(root: Path, git: Git | None = None) -> None:
    """--update-baseline needs an `origin` to push to: checked before the run's first
    target call, so a local run without one costs nothing."""
    if not has_origin(root, git):
        raise UsageError(
            f"--update-baseline pushes to the '{REMOTE}' remote, and this repository has "
            f"none; add it (git remote add {REMOTE} URL) or drop --update-baseline"
        )


def write_baseline_to_branch(
    root: Path,
    branch: str,
    results: RunResults,
    commit_sha: str,
    retries: int = PUSH_ATTEMPTS - 1,
    git: Git | None = None,
    **push,
) -> str:
    """Record `results` as the baseline at `commit_sha` and push; returns the new branch
    commit. Another job pushing first is retried (fetch, rebuild on its commit, push);
    `push` (deadline_s, rand, sleep) is `commit_files`'s."""
    store = _Store(root, git or Git())
    check_can_record(root, store.git)
    if not re.fullmatch(r"[0-9a-fA-F]{7,64}", commit_sha or ""):
        raise UsageError(f"cannot key a baseline by commit '{commit_sha}': not a commit SHA")
    check_ref(branch, "baseline branch")
    slug = suite_slug(results.suite)
    data = results.to_json()  # redacted: the baseline branch is pushed to origin
    files = {f"{slug}/{commit_sha}.json": data, f"{slug}/latest.json": data}
    message = f"driftgate baseline: {results.suite} at {commit_sha[:12]}"
    what = f"the baseline for commit {commit_sha} (suite '{results.suite}')"
    how = f"`driftgate run --all --update-baseline` on a checkout of {commit_sha}"
    return commit_files(root, branch, files, message, retries, git, what=what, how=how, **push)


def commit_files(
    root: Path,
    branch: str,
    files: dict[str, str],
    message: str,
    retries: int = PUSH_ATTEMPTS - 1,
    git: Git | None = None,
    *,
    deadline_s: float = PUSH_DEADLINE_S,
    rand=random.random,
    sleep=time.sleep,
    what: str = "",
    how: str = "re-running the job",
) -> str:
    """Add `files` (path → text) to the branch in one commit and push it; returns the
    commit. Another job pushing first is retried: fetch, rebuild on its commit, push."""
    store = _Store(root, git or Git())
    if not store.has_origin():
        raise UsageError(
            f"recording on branch '{branch}' pushes to the '{REMOTE}' remote, and this "
            f"repository has none; add it (git remote add {REMOTE} URL)"
        )
    check_ref(branch, "baseline branch")
    what = what or f"{', '.join(files)}"
    blobs = {
        path: store.run("hash-object", "-w", "--stdin", input=text) for path, text in files.items()
    }
    started = time.monotonic()
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        parent = store.fetch(branch)
        tree = store.tree_with(parent, blobs)
        commit = store.run(
            "commit-tree",
            "--no-gpg-sign",
            *(["-p", parent] if parent else []),
            "-m",
            message,
            tree,
            env=BOT_ENV,
        )
        refspec = f"{commit}:refs/heads/{branch}"
        pushed = store.call("push", "--no-verify", "--quiet", REMOTE, "--end-of-options", refspec)
        if pushed.ok:
            store.run("update-ref", f"refs/remotes/{REMOTE}/{branch}", commit)
            return commit
        if store.remote_tip(branch) == parent:  # nobody else moved it: a real failure
            raise GitError(
                f"could not push to branch '{branch}' of {REMOTE}: "
                f"{scrub(pushed.stderr)}; {PUSH_PERMISSION_HINT}"
            )
        elapsed = time.monotonic() - started
        if attempt == attempts or elapsed >= deadline_s:
            break
        # Lost a race with another job: full jitter over a growing window, then rebuild.
        window = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
        sleep(min(rand() * window, max(0.0, deadline_s - elapsed)))
    raise GitError(
        f"{what} was not recorded: other jobs kept pushing to branch '{branch}' first "
        f"({attempt} attempts in {time.monotonic() - started:.0f} s). Record it by re-running "
        f"this job, or with {how}"
    )


def read_folder(root: Path, branch: str, folder: str, git: Git | None = None):
    """Every file directly in `folder` of the branch (name → text); None without the branch."""
    store = _Store(root, git or Git())
    if not store.has_origin():
        return None
    check_ref(branch, "baseline branch")
    tip = store.fetch(branch)
    if tip is None:
        return None
    listed = store.call("ls-tree", "--name-only", "--end-of-options", tip, f"{folder.rstrip('/')}/")
    if not listed.ok:
        return {}
    found = {}
    for path in listed.text.splitlines():
        text = store.show(tip, path)
        if text is not None:
            found[path.rsplit("/", 1)[-1]] = text
    return found


def default_merge_base(root: Path, git: Git | None = None) -> str | None:
    """Where this branch left the remote's default branch, when git can tell."""
    store = _Store(root, git or Git())
    branch = default_branch_ref(root, store.git)
    if branch is None:
        return None
    done = store.call("merge-base", "--end-of-options", "HEAD", branch)
    return (done.text.strip() or None) if done.ok else None


def default_branch_ref(root: Path, git: Git | None = None) -> str | None:
    """The remote's default branch as a local ref, without needing `origin/HEAD`.

    `origin/HEAD` is unset after `git remote add` + push (the usual way a repository
    starts), so: origin/HEAD if set, else what the remote says its HEAD is, else
    origin/main or origin/master if fetched."""
    store = _Store(root, git or Git())
    head = store.call("symbolic-ref", "--quiet", f"refs/remotes/{REMOTE}/HEAD")
    if head.ok and head.text.strip():
        return head.text.strip()
    if not store.has_origin():
        return None
    names = []
    listed = store.call("ls-remote", "--symref", REMOTE, "HEAD")
    if listed.ok:
        for line in listed.text.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ref:" and parts[1].startswith("refs/heads/"):
                names.append(parts[1].removeprefix("refs/heads/"))
    for name in [*names, "main", "master"]:
        ref = f"refs/remotes/{REMOTE}/{name}"
        if store.call("rev-parse", "--verify", "--quiet", "--end-of-options", ref).ok:
            return ref
    return None


class _Store:
    """The git commands of the baseline branch, in one repository."""

    def __init__(self, root: Path, git: Git):
        self.root = root
        self.git = git

    def call(self, *args: str, env: dict | None = None, input: str | None = None):
        return self.git.call(self.root, *args, env=env, input=input, timeout=NETWORK_TIMEOUT_S)

    def run(self, *args: str, env: dict | None = None, input: str | None = None) -> str:
        return self.git.run(
            self.root, *args, env=env, input=input, timeout=NETWORK_TIMEOUT_S
        ).strip()

    def tree_with(self, parent: str | None, files: dict[str, str]) -> str:
        """The parent's tree plus `files` (path → blob), built in a throw-away index."""
        with tempfile.TemporaryDirectory(prefix="driftgate-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if parent:
                self.run("read-tree", "--end-of-options", parent, env=env)
            for path, blob in files.items():
                self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            return self.run("write-tree", env=env)

    def fetch(self, branch: str) -> str | None:
        """Fetch the branch tip into refs/remotes/origin/<branch>; None if it doesn't exist."""
        ref = f"refs/remotes/{REMOTE}/{branch}"
        depth = ["--depth=1"] if self.git.is_shallow(self.root) else []  # CI clones: keep small
        refspec = f"+refs/heads/{branch}:{ref}"
        fetched = self.call(
            "fetch", "--no-tags", "--quiet", *depth, REMOTE, "--end-of-options", refspec
        )
        if not fetched.ok:
            if self.remote_tip(branch) is None:
                self.call("update-ref", "-d", ref)  # deleted upstream: forget the stale copy
                return None
            raise GitError(
                f"could not fetch baseline branch '{branch}' from {REMOTE}: {scrub(fetched.stderr)}"
            )
        return self.run("rev-parse", "--verify", "--end-of-options", ref)

    def remote_tip(self, branch: str) -> str | None:
        listed = self.call(
            "ls-remote", "--heads", REMOTE, "--end-of-options", f"refs/heads/{branch}"
        )
        if not listed.ok:
            raise GitError(f"cannot reach {REMOTE}: {scrub(listed.stderr)}")
        first = listed.text.split()
        return first[0] if first else None

    def show(self, commit: str, path: str) -> str | None:
        shown = self.call("show", "--end-of-options", f"{commit}:{path}")
        return shown.text if shown.ok else None

    def has_origin(self) -> bool:
        return self.call("remote", "get-url", REMOTE).ok
