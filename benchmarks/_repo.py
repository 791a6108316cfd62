"""A throwaway git repository for the benchmarks that need one (selection reads git's diff)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))
from support import git  # noqa: E402  (the tests' git: a fixed identity, quiet, checked)


def commit_all(root: Path, message: str = "bench") -> None:
    """Make `root` a repository whose one commit holds everything in it."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
