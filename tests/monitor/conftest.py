"""A small repository with a suite and a bare origin, for the monitor's tests."""

from __future__ import annotations

import subprocess
import textwrap

import pytest
from monitor_helpers import SUITE

from support import git


@pytest.fixture
def project(tmp_path):
    """A git repository holding the suite, with a bare origin for the trend."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    git(work, "remote", "add", "origin", str(origin))
    (work / "llm-evals.yaml").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "suite")
    git(work, "push", "-q", "origin", "main")
    return work
