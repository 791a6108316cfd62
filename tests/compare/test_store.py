"""The baseline branch store against real git: a bare `origin` and clones of it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest

from driftgate.compare.store import (
    BOT_NAME,
    read_baseline_from_branch,
    write_baseline_to_branch,
)
from driftgate.errors import UsageError
from driftgate.git import GitError as GitFailed
from support import git

from .conftest import case, run

BRANCH = "driftgate-baseline"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin with one commit on main, as a hosted repository would be."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed))
    (seed / "app.py").write_text("print('v1')\n")
    git(seed, "add", "app.py")
    git(seed, "commit", "--quiet", "-m", "v1")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    return bare


@pytest.fixture
def clone(tmp_path, origin):
    def make(name: str) -> Path:
        path = tmp_path / name
        git(tmp_path, "clone", "--quiet", str(origin), str(path))
        return path

    return make


def results_at(sha: str, score: float, suite: str = "support bot"):
    return run(
        [case("refunds", [score])], suite=suite, git_sha=sha, created_at="2026-01-01T00:00:00Z"
    )


def commit_change(repo: Path, text: str) -> str:
    (repo / "app.py").write_text(text)
    git(repo, "commit", "--quiet", "-am", text)
    git(repo, "push", "--quiet", "origin", "HEAD:main")
    return git(repo, "rev-parse", "HEAD")


def test_round_trip_prefers_merge_base_and_leaves_the_checkout_alone(clone, origin):
    ci = clone("ci")
    base_sha = git(ci, "rev-parse", "HEAD")
    assert read_baseline_from_branch(ci, BRANCH, "support bot", base_sha) is None

    (ci / "scratch.txt").write_text("user's uncommitted work\n")
    git(ci, "add", "scratch.txt")
    status_before = git(ci, "status", "--porcelain")
    branches_before = git(ci, "branch", "--list")

    first = write_baseline_to_branch(ci, BRANCH, results_at(base_sha, 0.91), base_sha)
    newer_sha = commit_change(clone("dev"), "print('v2')\n")
    second = write_baseline_to_branch(ci, BRANCH, results_at(newer_sha, 0.70), newer_sha)

    assert git(ci, "status", "--porcelain") == status_before  # index and tree untouched
    assert git(ci, "branch", "--list") == branches_before
    assert git(ci, "rev-parse", "HEAD") == base_sha

    # What landed on origin: an orphan branch, bot commits, one file per run plus latest.
    assert git(origin, "rev-parse", BRANCH) == second
    assert git(origin, "rev-parse", f"{second}^") == first
    assert (
        git(origin, "log", "--format=%an <%ae>|%cn", BRANCH).splitlines()
        == [f"{BOT_NAME} <driftgate[bot]@users.noreply.github.com>|{BOT_NAME}"] * 2
    )
    assert git(origin, "rev-list", "--max-parents=0", BRANCH) == first  # no shared history
    files = sorted(git(origin, "ls-tree", "-r", "--name-only", BRANCH).splitlines())
    assert files == sorted(
        [f"support-bot/{base_sha}.json", f"support-bot/{newer_sha}.json", "support-bot/latest.json"]
    )
    latest = json.loads(git(origin, "show", f"{BRANCH}:support-bot/latest.json"))
    assert latest["git_sha"] == newer_sha

    # A PR branched from the first commit compares with the results recorded there.
    pr = clone("pr")
    results, info = read_baseline_from_branch(pr, BRANCH, "support bot", base_sha)
    assert results.case("refunds").similarity == 0.91
    assert info.commit == base_sha and info.at_merge_base is True
    assert info.source == f"branch {BRANCH}:support-bot/{base_sha}.json"
    assert info.age_hours > 0

    # No results at the merge-base: the newest, and the info says so.
    results, info = read_baseline_from_branch(pr, BRANCH, "support bot", "f" * 40)
    assert results.case("refunds").similarity == 0.70
    assert info.commit == newer_sha and info.at_merge_base is False
    assert read_baseline_from_branch(pr, BRANCH, "another suite", base_sha) is None


RACER = """#!/bin/sh
# Fake-free race: before this clone's first push, another clone pushes a baseline.
# (driftgate runs `git -c core.quotePath=false SUBCOMMAND ...`: the subcommand is $3.)
if [ "$3" = "push" ] && [ ! -e "$RACE_MARKER" ]; then
  : > "$RACE_MARKER"
  (cd "$RIVAL" && "$PYTHON" -c "$RIVAL_WRITE") || exit 99
fi
[ "$3" = "push" ] && echo push >> "$PUSH_LOG"
exec "$REAL_GIT" "$@"
"""

RIVAL_WRITE = """
from pathlib import Path
from driftgate.compare.store import write_baseline_to_branch
from driftgate.results import RunResults
r = RunResults(suite="support bot", suite_path="x", embedding_model="m", git_sha="b" * 40)
write_baseline_to_branch(Path("."), "driftgate-baseline", r, "b" * 40)
"""


def test_non_fast_forward_push_is_retried_on_top_of_the_rival(clone, origin, tmp_path, monkeypatch):
    ci, rival = clone("ci"), clone("rival")
    sha = git(ci, "rev-parse", "HEAD")
    write_baseline_to_branch(ci, BRANCH, results_at("a" * 40, 0.9), "a" * 40)

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(RACER)
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("REAL_GIT", shutil.which("git"))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("RACE_MARKER", str(tmp_path / "raced"))
    monkeypatch.setenv("PUSH_LOG", str(tmp_path / "pushes"))
    monkeypatch.setenv("RIVAL", str(rival))
    monkeypatch.setenv("PYTHON", sys.executable)
    monkeypatch.setenv("RIVAL_WRITE", RIVAL_WRITE)
    monkeypatch.setenv("PYTHONPATH", str(SRC))

    mine = write_baseline_to_branch(ci, BRANCH, results_at(sha, 0.8), sha)

    rival_commit = git(origin, "rev-parse", f"{BRANCH}^")
    assert git(origin, "rev-parse", BRANCH) == mine
    assert (
        json.loads(git(origin, "show", f"{rival_commit}:support-bot/latest.json"))["git_sha"]
        == "b" * 40
    )
    files = git(origin, "ls-tree", "-r", "--name-only", BRANCH).splitlines()
    assert {f"support-bot/{x}.json" for x in ("a" * 40, "b" * 40, sha)} <= set(files)
    # the rival's push plus two of ours: rejected once, then accepted
    assert (tmp_path / "pushes").read_text().split() == ["push"] * 3


def write_at_once(clones, shas, **options) -> list[Exception]:
    """Every clone records its commit's baseline at the same time; the writers' errors."""
    errors: list[Exception] = []

    def job(repo, sha):
        try:
            write_baseline_to_branch(repo, BRANCH, results_at(sha, 0.9), sha, **options)
        except Exception as exc:  # reported by the caller, with the failing job
            errors.append(exc)

    threads = [threading.Thread(target=job, args=p) for p in zip(clones, shas, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)  # bounded: a hung writer fails the test instead of the suite
    assert not any(t.is_alive() for t in threads)
    return errors


def assert_every_baseline_landed(origin, shas) -> None:
    files = set(git(origin, "ls-tree", "-r", "--name-only", BRANCH).splitlines())
    assert files == {f"support-bot/{s}.json" for s in shas} | {"support-bot/latest.json"}
    assert len(git(origin, "rev-list", BRANCH).splitlines()) == len(shas)


def test_concurrent_writers_all_land(clone, origin):
    clones = [clone(f"job{i}") for i in range(4)]
    shas = [f"{i}" * 40 for i in range(4)]
    assert write_at_once(clones, shas, retries=8) == []
    assert_every_baseline_landed(origin, shas)


def test_rejected_push_is_an_error_with_the_fix(clone, origin):
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'permission denied to driftgate' >&2\nexit 1\n")
    hook.chmod(0o755)
    ci = clone("ci")
    with pytest.raises(GitFailed, match="permission denied.*permissions: contents: write"):
        write_baseline_to_branch(ci, BRANCH, results_at("c" * 40, 0.9), "c" * 40)


def test_without_origin_there_is_no_baseline_and_no_update(tmp_path):
    repo = tmp_path / "local"
    git(tmp_path, "init", "--quiet", str(repo))
    assert read_baseline_from_branch(repo, BRANCH, "support bot", None) is None
    with pytest.raises(UsageError, match="has none; add it"):
        write_baseline_to_branch(repo, BRANCH, results_at("c" * 40, 0.9), "c" * 40)
    with pytest.raises(UsageError, match="not a commit SHA"):
        git(repo, "remote", "add", "origin", str(tmp_path / "nowhere"))
        write_baseline_to_branch(repo, BRANCH, results_at("c" * 40, 0.9), "HEAD")


def test_corrupt_file_on_the_branch_names_it(clone, origin):
    ci = clone("ci")
    write_baseline_to_branch(ci, BRANCH, results_at("d" * 40, 0.9), "d" * 40)
    editor = clone("editor")
    git(editor, "checkout", "--quiet", BRANCH)
    (editor / "support-bot" / "latest.json").write_text('{"schema_version": 1}')
    git(editor, "commit", "--quiet", "-am", "break it")
    git(editor, "push", "--quiet", "origin", BRANCH)
    with pytest.raises(UsageError, match="support-bot/latest.json: not a valid results file"):
        read_baseline_from_branch(ci, BRANCH, "support bot", None)


def test_twelve_concurrent_writers_lose_no_baseline(clone, origin):
    """Twelve jobs of a matrix record their baselines at once: every one lands."""
    writers = 12
    clones = [clone(f"w{i}") for i in range(writers)]
    shas = [f"{i:x}" * 40 for i in range(writers)]
    assert write_at_once(clones, shas, deadline_s=150) == []
    assert_every_baseline_landed(origin, shas)


def test_a_writer_that_keeps_losing_names_the_missing_commit(clone):
    """Past the bound the error says whose baseline is missing and how to record it."""
    from driftgate.git import Done, Git

    class AlwaysBeaten(Git):  # every push is rejected because another job moved the branch
        def call(self, root, *args, **options):
            if args[0] == "push":
                return Done(1, b"", "! [rejected] (fetch first)")
            if args[0] == "ls-remote":
                return Done(0, b"f" * 40 + b"\trefs/heads/driftgate-baseline\n", "")
            return super().call(root, *args, **options)

    waits: list[float] = []
    sha, ci = "e" * 40, clone("ci")
    write_baseline_to_branch(ci, BRANCH, results_at("a" * 40, 0.9), "a" * 40)  # the branch exists
    with pytest.raises(GitFailed) as caught:
        write_baseline_to_branch(
            ci,
            BRANCH,
            results_at(sha, 0.9),
            sha,
            7,
            AlwaysBeaten(),
            rand=lambda: 1.0,
            sleep=waits.append,
        )
    message = str(caught.value)
    assert f"the baseline for commit {sha}" in message and "8 attempts" in message
    assert "driftgate run --all --update-baseline" in message
    # Full jitter over a window that doubles up to 3 s (rand() = 1 shows the window itself).
    assert waits == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 3.0, 3.0])


def test_forged_refs_never_reach_git_as_options(clone, tmp_path):
    from driftgate.git import GitError

    ci = clone("ci")
    pwned = tmp_path / "pwned"
    forged = f"--upload-pack=touch {pwned}"
    with pytest.raises(GitError, match="not a commit SHA"):
        read_baseline_from_branch(ci, BRANCH, "support bot", forged)
    with pytest.raises(GitError, match="not a valid git ref name"):
        read_baseline_from_branch(ci, f"--upload-pack=touch {pwned}", "support bot", None)
    with pytest.raises(GitError, match="not a valid git ref name"):
        write_baseline_to_branch(ci, "-x", results_at("a" * 40, 0.9), "a" * 40)
    assert not pwned.exists()
