"""Which files a change touched, or an honest "unknown" that makes every case run.

Every source returns a ChangeSet; none raises for a git problem, because a change list we
can't determine must mean "run everything, and say why", never a crash or a silent skip.
Only a user mistake (an unreadable --changed-files file) is a UsageError.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TextIO

from driftgate.errors import UsageError
from driftgate.git import NETWORK_TIMEOUT_S, Git, GitError, check_rev, check_sha
from driftgate.select.git import git, has_commit, is_shallow, split_z

SHALLOW_HINT = (
    "the clone is shallow: fetch full history (actions/checkout with `fetch-depth: 0`, "
    "or `git fetch --unshallow`)"
)
DEEPEN_STEPS = ("--deepen=50", "--deepen=500", "--unshallow")


@dataclass(frozen=True)
class ChangeSet:
    """The changed files, or None when they can't be known (then every case runs)."""

    files: frozenset[str] | None
    source: str
    base: str | None = None
    truncated: bool = False
    reason: str | None = None
    note: str | None = None  # what the list leaves out that the user may expect in it

    @property
    def known(self) -> bool:
        return self.files is not None and not self.truncated

    def describe(self) -> str:
        if self.files is None:
            return f"{self.source}: unavailable ({self.reason})"
        count = f"{len(self.files)} changed file{'s' if len(self.files) != 1 else ''}"
        if self.truncated:
            return f"{self.source}: {count}, truncated ({self.reason or 'list incomplete'})"
        return f"{self.source}: {count}"


def unknown(source: str, reason: str, base: str | None = None) -> ChangeSet:
    return ChangeSet(files=None, source=source, base=base, reason=reason)


def changes_from_paths(
    paths: Iterable[str], source: str, truncated: bool = False, base: str | None = None
) -> ChangeSet:
    """Normalise paths from any source (API, list file) to repo-relative posix form."""
    files = frozenset(p for p in (normalise(path) for path in paths) if p)
    reason = "the source returned only part of the list" if truncated else None
    return ChangeSet(files=files, source=source, base=base, truncated=truncated, reason=reason)


def normalise(path: str, root: Path | None = None) -> str:
    path = path.rstrip("\r\n")
    if path.startswith('"') and path.endswith('"') and len(path) > 1:
        path = _unquote_c(path[1:-1])  # git's quoting of unusual names without -z
    if not path.strip():
        return ""
    if root is not None and PurePosixPath(path).is_absolute():
        try:
            path = Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return posixpath.normpath(path)
    path = posixpath.normpath(path)
    return path.lstrip("/") if path not in (".", "/") else ""


def _unquote_c(text: str) -> str:
    raw = bytearray()
    escapes = {"n": 10, "t": 9, '"': 34, "\\": 92, "a": 7, "b": 8, "f": 12, "r": 13, "v": 11}
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "0123" and len(text[i + 1 : i + 4]) == 3 and text[i + 1 : i + 4].isdigit():
                raw.append(int(text[i + 1 : i + 4], 8))
                i += 4
                continue
            if nxt in escapes:
                raw.append(escapes[nxt])
                i += 2
                continue
        raw.extend(char.encode("utf-8"))
        i += 1
    return raw.decode("utf-8", "replace")


def changes_from_list(path_or_dash: str, root: Path, stdin: TextIO | None = None) -> ChangeSet:
    """One path per line (e.g. `git diff --name-only`), from a file or `-` for stdin."""
    if path_or_dash == "-":
        stream = stdin if stdin is not None else sys.stdin
        text = stream.read()
        source = "--changed-files from stdin"
    else:
        try:
            text = Path(path_or_dash).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"--changed-files {path_or_dash}: cannot read it ({exc.__class__.__name__}: "
                f"{exc}); pass a file with one changed path per line, or '-' for stdin"
            ) from None
        source = f"--changed-files {path_or_dash}"
    files = frozenset(p for p in (normalise(line, root) for line in text.splitlines()) if p)
    return ChangeSet(files=files, source=source)


def changes_since(ref: str, root: Path, runner: Git | None = None) -> ChangeSet:
    """Files changed on HEAD's side since it forked from `ref` (like a PR's diff)."""
    run = runner or Git()
    source = f"--changed-since {ref}"
    try:
        check_rev(ref, "--changed-since")
        git(["rev-parse", "--git-dir"], root, runner=run)
    except GitError as exc:
        return unknown(source, f"not usable ({exc})")
    if not has_commit(ref, root, run):
        hint = SHALLOW_HINT if is_shallow(root, run) else "check the name, or `git fetch` it first"
        return unknown(source, f"'{ref}' is not a commit in this clone; {hint}")
    try:
        merge_base = ["merge-base", "--end-of-options", ref, "HEAD"]
        base = git(merge_base, root, runner=run).decode().strip()
    except GitError:
        hint = SHALLOW_HINT if is_shallow(root, run) else "they share no history"
        return unknown(source, f"no common ancestor of '{ref}' and HEAD; {hint}")
    source = f"git diff {base[:12]}..HEAD (merge-base of {ref} and HEAD)"
    note = None  # said once, as a warning of the selection (it used to be in `source` too)
    if _has_uncommitted_changes(root, run):
        note = (
            f"uncommitted changes are not part of --changed-since {ref} (only commits count): "
            f"commit them, or pass --changed-files"
        )
    return replace(_diff(base, "HEAD", root, source, run), note=note)


def _has_uncommitted_changes(root: Path, run: Git) -> bool:
    try:
        status = ["status", "--porcelain", "--untracked-files=no"]
        return bool(git(status, root, runner=run).strip())
    except GitError:
        return False


def changes_between(
    base_sha: str, head_sha: str, root: Path, fetch: bool = True, runner: Git | None = None
) -> ChangeSet:
    """A pull request's files: merge-base(base, head)..head, fetching history a shallow
    checkout lacks (the action's checkout usually has depth 1)."""
    run = runner or Git()
    source = f"git diff {str(base_sha)[:12]}...{str(head_sha)[:12]}"
    try:
        check_sha(base_sha, "base commit")
        check_sha(head_sha, "head commit")
        git(["rev-parse", "--git-dir"], root, runner=run)
    except GitError as exc:
        return unknown(source, f"not usable ({exc})")
    missing = [sha for sha in (base_sha, head_sha) if not has_commit(sha, root, run)]
    if missing and fetch:
        try:
            # --depth only where history is already cut: it would make a full clone shallow
            depth = ["--depth=50"] if is_shallow(root, run) else []
            git(
                ["fetch", "--no-tags", "--quiet", *depth, "origin", "--end-of-options", *missing],
                root,
                timeout=NETWORK_TIMEOUT_S,
                runner=run,
            )
        except GitError as exc:
            return unknown(source, f"could not fetch {', '.join(m[:12] for m in missing)}: {exc}")
    missing = [sha for sha in (base_sha, head_sha) if not has_commit(sha, root, run)]
    if missing:
        return unknown(
            source, f"commit {missing[0][:12]} is not in this clone; {SHALLOW_HINT}", base_sha
        )
    steps = list(DEEPEN_STEPS) if fetch else []
    while True:
        try:
            merge_base = ["merge-base", "--end-of-options", base_sha, head_sha]
            base = git(merge_base, root, runner=run).decode().strip()
            break
        except GitError:
            if not steps or not is_shallow(root, run):
                hint = SHALLOW_HINT if is_shallow(root, run) else "they share no history"
                return unknown(source, f"no common ancestor of the two commits; {hint}", base_sha)
            try:
                deepen = [steps.pop(0), "origin", "--end-of-options", base_sha, head_sha]
                git(
                    ["fetch", "--no-tags", "--quiet", *deepen],
                    root,
                    timeout=NETWORK_TIMEOUT_S,
                    runner=run,
                )
            except GitError as exc:
                return unknown(source, f"could not deepen the shallow clone: {exc}", base_sha)
    return _diff(base, head_sha, root, f"git diff {base[:12]}..{head_sha[:12]}", run)


def _diff(base: str, head: str, root: Path, source: str, run: Git) -> ChangeSet:
    # --no-renames: a rename is reported as a deletion plus an addition, so both paths count.
    diff = ["diff", "--name-only", "--no-renames", "--no-ext-diff", "-z", "--end-of-options"]
    try:
        out = git([*diff, base, head, "--"], root, runner=run)
    except GitError as exc:
        return unknown(source, f"git diff failed: {exc}", base)
    return ChangeSet(files=frozenset(split_z(out)), source=source, base=base)
