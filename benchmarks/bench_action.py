"""The action's GitHub footprint and the comment's size.

Prints: REST requests per PR run (the first run creates the comment, a re-run edits it) against
the loopback fake GitHub with 130 other comments on the PR, by method and path; and the
comment's length for 50/500/2000 cases, full vs limited to GitHub's 65,536 characters.
No model, no network: the pipeline is replaced by stored results at the `run` seam.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "tests" / "action")]

from action_helpers import action_env, pr_event  # noqa: E402

from driftgate.action.git import Git  # noqa: E402
from driftgate.action.github import COMMENT_LIMIT, GitHub  # noqa: E402
from driftgate.action.main import action  # noqa: E402
from driftgate.action.settings import Settings  # noqa: E402
from driftgate.gate import summarize  # noqa: E402
from driftgate.report.markdown import render_markdown  # noqa: E402
from driftgate.results import CaseResult, JudgeResult, RunResults  # noqa: E402
from fakes.github_server import FakeGitHub  # noqa: E402


def results(n: int) -> RunResults:
    cases = [
        CaseResult(
            name=f"case_{i:04d}_{'routing' if i % 2 else 'summary'}",
            line=5 + 9 * i,
            critical=i % 7 == 0,
            status="failed" if i % 4 == 0 else "passed",
            reasons=["similarity 0.52 < 0.80; grounding 0.61 < 0.85"] if i % 4 == 0 else [],
            similarity=0.52 if i % 4 == 0 else 0.91,
            baseline_similarity=0.9,
            delta=-0.38 if i % 4 == 0 else 0.01,
            regression=i % 4 == 0,
            pass_rate=0.0 if i % 4 == 0 else 1.0,
            judge=JudgeResult(
                status="failed",
                score=2,
                reasoning="The answer routes the "
                "ticket to the wrong team and omits the refund. " * 4,
            )
            if i % 4 == 0
            else None,
        )
        for i in range(n)
    ]
    run = RunResults(
        suite="support",
        suite_path="llm-evals.yaml",
        embedding_model="all-MiniLM-L6-v2",
        cases=cases,
    )
    summarize(run)
    return run


def requests_per_run(tmp: Path) -> list[list[str]]:
    runs = []
    with FakeGitHub() as fake:
        for i in range(130):
            fake.add_comment(2, f"review comment {i}")
        for _ in range(2):
            before = len(fake.requests)
            env = action_env(
                tmp,
                _Repo(tmp),
                "pull_request",
                pr_event("a" * 40, "b" * 40),
                fake.base_url,
                sha="b" * 40,
                ref="refs/pull/2/merge",
            )
            settings = Settings.from_env(env)
            github = GitHub.connect(
                "t", fake.base_url, settings.repository, retries=0, throttle=False
            )
            code = action(
                settings, github, _NoGit(), run=lambda options: results(40), stream=io.StringIO()
            )
            assert code == 1
            prefix = f"/api/v3/repos/{settings.repository}"
            runs.append([f"{m} {p.removeprefix(prefix)}" for m, p, _ in fake.requests[before:]])
    return runs


class _Repo:
    def __init__(self, tmp: Path):
        self.work = tmp


class _NoGit(Git):
    def trust(self, path):
        pass

    def changes(self, base, head, root):
        from driftgate.select.changes import changes_from_paths

        return changes_from_paths(["prompts/route.txt"], "bench")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first, rerun = requests_per_run(Path(tmp))
    print("REST requests per PR run (a PR with 130 other comments; comment + status):")
    print(f"  first run: {len(first)}  ({', '.join(first)})")
    print(f"  re-run:    {len(rerun)}  ({', '.join(rerun)})")
    print("  never GET /user, /repos/{repo} or the PR itself (lazy PyGithub objects)")
    print("\nComment size (characters), full vs limited to GitHub's 65,536:")
    for n in (50, 500, 2000):
        run = results(n)
        started = time.perf_counter()
        full = render_markdown(run)
        limited = render_markdown(run, limit=COMMENT_LIMIT - 60)
        took = (time.perf_counter() - started) * 1000
        print(
            f"  {n:5d} cases: full {len(full):7,d}  limited {len(limited):6,d}  "
            f"({'shortened' if len(limited) < len(full) else 'complete'}, {took:.0f} ms)"
        )


if __name__ == "__main__":
    main()
