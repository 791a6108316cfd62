"""Shared fixtures: one embedding model per test session, suite files in temp repos."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def st_model():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    from driftgate.score.embedder import load_model

    return load_model("all-MiniLM-L6-v2")


@pytest.fixture
def embedder(st_model):
    from driftgate.score.embedder import Embedder

    return Embedder("all-MiniLM-L6-v2", model=st_model)


@pytest.fixture
def write_suite(tmp_path):
    """Write a suite file (dedented) into a temp folder and return its path."""

    def write(text: str, name: str = "llm-evals.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )
    return done.stdout.strip()


@pytest.fixture
def git_repo(tmp_path):
    """An empty git repository with an initial commit on main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    git(repo, "commit", "-q", "--allow-empty", "-m", "init")
    return repo


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
