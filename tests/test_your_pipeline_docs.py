"""docs/your-pipeline.md can't rot: its Dockerfile lints and is the example's, the
pre-commit hook it documents runs through pre-commit itself, and every input and output of
the plan flow in action.yml is documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import REPO, git

DOC = REPO / "docs" / "your-pipeline.md"
BIN = Path(sys.executable).parent


def doc_block(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- {name} -->")
    return re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL).search(text, start).group(1)


def test_the_your_image_dockerfile_is_the_docs_and_hadolint_clean():
    dockerfile = REPO / "examples" / "your-image" / "Dockerfile"
    assert doc_block("dockerfile") == dockerfile.read_text()
    assert re.search(r"(?m)^FROM ghcr\.io/driftgate/driftgate:v\d", dockerfile.read_text())
    done = subprocess.run(
        [str(BIN / "hadolint"), str(dockerfile)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_plan_flow_input_and_output_is_documented():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    text = DOC.read_text()
    for name in ("plan-path", "outputs"):
        assert name in action["inputs"] and f"| `{name}` |" in text
    for name in ("selected", "requests", "plan-path"):
        assert name in action["outputs"] and f"| `{name}` |" in text
    assert "plan" in action["inputs"]["mode"]["description"]
    assert action["inputs"]["plan-path"]["default"] == "driftgate-plan.jsonl"


def test_the_docs_point_at_nothing_a_user_does_not_have():
    text = DOC.read_text()
    assert "requirements/driftgate.txt" not in text
    assert "make " not in text  # the repository's Makefile is not the user's


@pytest.mark.slow
def test_the_pre_commit_hook_validates_staged_suite_files(tmp_path):
    """`pre-commit try-repo` on this checkout, in a user's repository, as the docs set it up."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == [
        yaml.safe_load(doc_block("pre-commit"))["repos"][0]["hooks"][0]["id"]
    ]
    shim = tmp_path / "bin"  # the installed CLI: `driftgate` on PATH
    shim.mkdir()
    (shim / "driftgate").write_text(
        f'#!/bin/sh\nPYTHONPATH={REPO / "src"} exec {sys.executable} -m driftgate "$@"\n'
    )
    (shim / "driftgate").chmod(0o755)
    user = tmp_path / "user"
    (user / "evals").mkdir(parents=True)
    git(user, "init", "-q")
    (user / "llm-evals.yaml").write_text(
        "eval_suite:\n  name: mine\n  cases:\n    - {name: a, prompt: hi, expected: hello}\n"
    )
    (user / "notes.yaml").write_text("not: a suite\n")
    git(user, "add", ".")
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }

    def try_repo():
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(REPO), "driftgate-validate", "--all-files"],
            cwd=user,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    done = try_repo()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "llm-evals.yaml: ok: suite 'mine'" not in done.stdout  # quiet when it passes
    assert "driftgate validate" in done.stdout and "Passed" in done.stdout

    (user / "evals" / "llm-evals.yml").write_text("eval_suite:\n  name: x\n  casez: []\n")
    git(user, "add", ".")
    done = try_repo()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "evals/llm-evals.yml:3:3: eval_suite.casez: unknown key 'casez'" in done.stdout
    assert "notes.yaml" not in done.stdout  # not a suite file: not passed to the hook
