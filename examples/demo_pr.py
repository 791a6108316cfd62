"""The pull-request flow of the GitHub Action, offline: what `driftgate action` does on a PR.

In a throw-away copy of the bundled example (a git repository with a bare `origin`):
1. a push to main runs the whole suite and records the baseline on `driftgate-baseline`;
2. a pull request retunes the router (examples/support/router/rules.py);
3. the action selects the cases that change affects, compares them with the baseline and
   prints the comment exactly as it would post it (no token here, so nothing is posted).
Your checkout and your git config are not touched.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from driftgate.action.git import Git  # noqa: E402
from driftgate.action.github import marker  # noqa: E402
from driftgate.action.main import action  # noqa: E402
from driftgate.action.settings import Settings  # noqa: E402

CHANGE = ('"invoice": "Billing"', '"invoice": "Finance"')


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=demo", "-c", "user.email=demo@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def settings(work: Path, out: Path, event_name: str, event: dict, sha: str, ref: str) -> Settings:
    return Settings(
        config="examples/llm-evals.yaml",
        event_name=event_name,
        event=event,
        workspace=str(work),
        sha=sha,
        ref=ref,
        step_summary_path=str(out),
    )


def show(title: str, log: str) -> None:
    print(f"\n=== {title} ===")
    for line in log.splitlines():
        if not line.startswith(("::group::", "::endgroup::")):
            print(f"  {line}")


def main() -> int:
    from driftgate.score.embedder import Embedder

    embedder = Embedder("all-MiniLM-L6-v2")  # loaded once, shared by both runs
    with tempfile.TemporaryDirectory(prefix="driftgate-demo-") as tmp:
        tmp = Path(tmp)
        os.environ["GIT_CONFIG_GLOBAL"] = str(tmp / "gitconfig")  # safe.directory goes here
        origin, work = tmp / "origin.git", tmp / "work"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
        shutil.copytree(
            ROOT / "examples",
            work / "examples",
            ignore=shutil.ignore_patterns("__pycache__", "workflows"),
        )
        git(work, "init", "-q", "-b", "main")
        git(work, "remote", "add", "origin", str(origin))
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", "example suite")
        main_sha = git(work, "rev-parse", "HEAD")
        git(work, "push", "-q", "origin", "main")
        repository = {"default_branch": "main"}

        stream = io.StringIO()
        push = settings(
            work,
            tmp / "push.md",
            "push",
            {"before": "0" * 40, "after": main_sha, "repository": repository},
            main_sha,
            "refs/heads/main",
        )
        code = action(push, None, Git(), embedder=embedder, stream=stream)
        show(f"1. push to main: full run, baseline recorded (exit {code})", stream.getvalue())

        git(work, "checkout", "-q", "-b", "retune-router")
        rules = work / "examples/support/router/rules.py"
        rules.write_text(rules.read_text().replace(*CHANGE))
        git(work, "commit", "-q", "-am", "Route invoices to Finance")
        head = git(work, "rev-parse", "HEAD")
        print(f"\n=== 2. pull request #7: {CHANGE[0]} -> {CHANGE[1]} in {rules.relative_to(work)}")

        stream = io.StringIO()
        event = {
            "action": "opened",
            "number": 7,
            "pull_request": {
                "number": 7,
                "base": {"sha": main_sha, "ref": "main"},
                "head": {"sha": head},
            },
            "repository": repository,
        }
        pr = settings(work, tmp / "pr.md", "pull_request", event, head, "refs/pull/7/merge")
        code = action(pr, None, Git(), embedder=embedder, stream=stream)
        show(f"3. the action on the pull request (exit {code}: the job fails)", stream.getvalue())
        print("\n=== 4. the PR comment, as it would be posted (and edited on every push) ===\n")
        print(marker("support-assistant"))
        print((tmp / "pr.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
