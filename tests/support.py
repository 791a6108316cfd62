"""Helpers the tests import by name (conftest.py can be shadowed by sub-folder conftests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A pinned dev tool (requirements/dev.txt): the venv's copy first, then PATH."""
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make test` (it installs requirements/dev.txt)")
    return found


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity (tests never depend on the machine's git config)."""
    done = subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def shallow_clone(origin: Path, clone: Path, branch: str) -> Path:
    """A depth-1 clone of one branch: what actions/checkout gives by default."""
    url = f"file://{origin}"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", branch, url, str(clone)], check=True
    )
    return clone


def run_cli(*args: str, cwd: Path, env: dict | None = None, stdin: str | None = None):
    """`python -m driftgate ...` in a subprocess, as a user would run it."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "driftgate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        input=stdin,
        timeout=240,
    )
