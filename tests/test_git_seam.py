"""One git for the whole package: every git command goes through driftgate.git.Git, data never
reaches git as an option, and a fake handed in at the edge sees every command of a run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from driftgate.git import Git, GitError, check_ref, check_rev, check_sha
from support import git

SRC = Path(__file__).resolve().parents[1] / "src" / "driftgate"


def test_no_module_but_driftgate_git_runs_git():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "git.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"""\[\s*["']git["']\s*,""", text) or re.search(
            r"""["']git["']\s*,\s*\*""", text
        ):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


@pytest.mark.parametrize(
    "value", ["--upload-pack=touch /tmp/x", "-c", "a..b", "HEAD@{1}", "x y", "", "a:b", "x\n-y"]
)
def test_option_like_or_malformed_refs_are_refused(value):
    with pytest.raises(GitError):
        check_ref(value)
    with pytest.raises(GitError):
        check_sha(value)


def test_ordinary_names_pass():
    assert check_ref("driftgate-baseline") == "driftgate-baseline"
    assert check_ref("feature/x.y_z") == "feature/x.y_z"
    assert check_rev("origin/main~2") == "origin/main~2"
    assert check_sha("a" * 40) == "a" * 40


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("a\n")
    git(root, "add", "a.txt")
    git(root, "commit", "-q", "-m", "one")
    return root


def test_end_of_options_keeps_a_forged_value_from_executing_even_unchecked(repo, tmp_path):
    """Defence in depth: had validation been skipped, git still reads it as a name."""
    pwned = tmp_path / "pwned"
    done = Git().call(repo, "fetch", ".", "--end-of-options", f"--upload-pack=touch {pwned}")
    assert not done.ok and not pwned.exists()


def test_selection_and_cli_refuse_forged_revisions(repo, tmp_path):
    from driftgate.select.changes import changes_between, changes_since

    pwned = tmp_path / "pwned"
    forged = f"--upload-pack=touch {pwned}"
    head = git(repo, "rev-parse", "HEAD")
    between = changes_between(forged, head, repo)
    assert between.files is None and "not a commit SHA" in between.reason
    since = changes_since(forged, repo)
    assert since.files is None and "not a valid git ref name" in since.reason
    with pytest.raises(GitError):
        Git().resolve(repo, forged)
    assert not pwned.exists()


def test_git_errors_are_usage_errors_with_gits_words(repo):
    with pytest.raises(GitError, match="git rev-parse failed in .*: fatal"):
        Git().run(repo, "rev-parse", "--verify", "no-such-thing")
    assert Git().head(repo) == git(repo, "rev-parse", "HEAD")
    assert Git().toplevel(repo / ".git") is None or Git().toplevel(repo) == repo.resolve()
