"""The few git commands selection needs, run without a pager, prompt or locale surprises."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FETCH_TIMEOUT_S = 120


class GitFailed(Exception):
    """git exited non-zero or is missing; the message is git's own, for a reason text."""


def git(args: list[str], root: Path, *, timeout: float = 60) -> bytes:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_PAGER="cat")
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitFailed(f"git {args[0]}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(message[-1] if message else f"git {args[0]} exited {done.returncode}")
    return done.stdout


def split_z(output: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in output.split(b"\0") if p]


def is_shallow(root: Path) -> bool:
    try:
        return git(["rev-parse", "--is-shallow-repository"], root).strip() == b"true"
    except GitFailed:
        return False


def has_commit(sha: str, root: Path) -> bool:
    try:
        git(["cat-file", "-e", f"{sha}^{{commit}}"], root)
        return True
    except GitFailed:
        return False


def tracked_files(root: Path) -> list[str] | None:
    """Every file git tracks under the repository root; None outside a git work tree."""
    try:
        return split_z(git(["ls-files", "-z", "--full-name"], root))
    except GitFailed:
        return None


def show_file(commit: str, relpath: str, root: Path) -> str | None:
    """The file's text at `commit`, or None if it did not exist there."""
    try:
        git(["cat-file", "-e", f"{commit}:{relpath}"], root)
    except GitFailed:
        return None
    return git(["show", f"{commit}:{relpath}"], root).decode("utf-8", "replace")
