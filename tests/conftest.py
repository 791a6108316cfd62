"""Shared fixtures: one embedding model per test session, suite files in temp repos."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from support import REPO, git, run_cli  # noqa: F401  (re-exported)

# hypothesis (tests/gate, tests/security) keeps its caches outside the work tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "driftgate-hypothesis")


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
