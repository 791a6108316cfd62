"""The merge-base is found without `origin/HEAD`, which `git remote add` + push never sets."""

from __future__ import annotations

from pathlib import Path

from driftgate.compare.store import (
    default_branch_ref,
    default_merge_base,
    read_baseline_from_branch,
    write_baseline_to_branch,
)
from support import git

from .test_store import BRANCH, results_at


def pushed_repo(tmp_path: Path, default: str = "main") -> tuple[Path, str]:
    """A repository started the usual way: init, commit, `remote add`, push."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", default, str(bare))
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "-b", default)
    (repo / "app.py").write_text("v1\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "--quiet", "-m", "v1")
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "--quiet", "-u", "origin", default)
    return repo, git(repo, "rev-parse", "HEAD")


def test_merge_base_without_origin_head(tmp_path):
    repo, base = pushed_repo(tmp_path, default="trunk")
    assert git(repo, "for-each-ref", "refs/remotes/origin/HEAD") == ""  # the usual state
    write_baseline_to_branch(repo, BRANCH, results_at(base, 0.9), base)
    git(repo, "checkout", "--quiet", "-b", "feature")
    (repo / "app.py").write_text("v2\n")
    git(repo, "commit", "--quiet", "-am", "v2")

    assert default_branch_ref(repo) == "refs/remotes/origin/trunk"
    assert default_merge_base(repo) == base
    _, info = read_baseline_from_branch(repo, BRANCH, "support bot", default_merge_base(repo))
    assert info.at_merge_base is True


def test_newest_baseline_at_the_merge_base_is_not_called_stale(tmp_path):
    repo, base = pushed_repo(tmp_path)
    write_baseline_to_branch(repo, BRANCH, results_at(base, 0.9), base)
    # Only latest.json can answer (no per-commit file for this merge-base name).
    git(repo, "push", "--quiet", "origin", f":{BRANCH}")
    write_baseline_to_branch(repo, BRANCH, results_at(base, 0.9), "f" * 40)
    _, info = read_baseline_from_branch(repo, BRANCH, "support bot", base)
    assert info.commit == base and info.at_merge_base is True
    _, unknown = read_baseline_from_branch(repo, BRANCH, "support bot", None)
    assert unknown.at_merge_base is None  # not known, so not "not at the merge-base"
