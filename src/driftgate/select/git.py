"""The few git questions selection asks, through the run's one `Git` (driftgate.git)."""

from __future__ import annotations

from pathlib import Path

from driftgate.git import Git, GitError, check_rev


def git(args: list[str], root: Path, *, timeout: float = 60, runner: Git | None = None) -> bytes:
    done = (runner or Git()).call(root, *args, timeout=timeout)
    if not done.ok:
        message = done.stderr.strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} exited {done.returncode}")
    return done.stdout


def split_z(output: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in output.split(b"\0") if p]


def is_shallow(root: Path, runner: Git | None = None) -> bool:
    return (runner or Git()).is_shallow(root)


def has_commit(sha: str, root: Path, runner: Git | None = None) -> bool:
    try:
        return (runner or Git()).has_commit(root, sha)
    except GitError:
        return False


def tracked_files(root: Path, runner: Git | None = None) -> list[str] | None:
    """Every file git tracks under the repository root; None outside a git work tree."""
    try:
        return split_z(git(["ls-files", "-z", "--full-name"], root, runner=runner))
    except GitError:
        return None


def show_file(commit: str, relpath: str, root: Path, runner: Git | None = None) -> str | None:
    """The file's text at `commit`, or None if it did not exist there."""
    try:
        check_rev(commit, "commit")
        git(["cat-file", "-e", "--end-of-options", f"{commit}:{relpath}"], root, runner=runner)
    except GitError:
        return None
    return git(["show", "--end-of-options", f"{commit}:{relpath}"], root, runner=runner).decode(
        "utf-8", "replace"
    )
