"""A small repository with a suite and a production log, for the monitor's tests."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from support import git

SUITE = """\
# The support bot's suite: comments and layout must survive `promote`.
eval_suite:
  name: "Support bot"
  target: {type: command, command: "python pipeline.py"}
  judge: {policy: never}
  monitor:
    tasks:
      summarize:
        description: "Summarise a support ticket in one sentence"
        checks: {max_length: 120, not_contains: ["As an AI"]}
  cases:
    # the main case
    - name: ticket_summary
      prompt: "Summarize: {ticket}"
      vars: {ticket: "Login fails after reset"}
      expected: "Customer reports login failure after password reset"
      critical: true
      task: summarize
      checks: {not_contains: ["lorem"]}
  # end of the cases
"""

CONTEXT = "The user reset the password on Monday. Login now fails with error 403."


def sample(**fields) -> dict:
    return {"output": "The user cannot log in after the password reset.", **fields}


def write_log(path: Path, rows: list) -> Path:
    lines = [row if isinstance(row, str | bytes) else json.dumps(row) for row in rows]
    data = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    path.write_bytes(data)
    return path


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
