"""The Dockerfile, the workflows and the code pass their linters (tools pinned in dev.txt)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make test` (it installs requirements/dev.txt)")
    return found


def lint(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_dockerfile_is_hadolint_clean():
    done = lint(tool("hadolint"), "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_are_actionlint_clean():
    workflows = sorted(str(p) for p in (REPO / "examples" / "workflows").glob("*.yml"))
    done = lint(
        tool("actionlint"),
        *sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml")),
        *workflows,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_is_ruff_clean():
    done = lint(tool("ruff"), "check", "src", "tests", "benchmarks", "examples")
    assert done.returncode == 0, done.stdout + done.stderr
