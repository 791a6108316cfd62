"""The Dockerfile, the workflows and the code pass their linters (tools pinned in dev.txt)."""

from __future__ import annotations

import subprocess

from support import REPO, tool


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
