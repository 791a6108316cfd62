"""Change sources against real git repositories: renames, deletions, shallow clones, lists."""

from __future__ import annotations

import io
import subprocess

import pytest

from driftgate.errors import UsageError
from driftgate.select.changes import (
    changes_between,
    changes_from_list,
    changes_from_paths,
    changes_since,
    normalise,
)
from support import shallow_clone


@pytest.fixture
def forked(repo):
    """main: a.py, old/name.py, gone.txt; branch `feature` edits, renames and deletes."""
    repo.write("a.py")
    repo.write("old/name.py", "same content long enough to be detected as a rename\n" * 5)
    repo.write("gone.txt")
    repo.write("untouched.md")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("a.py", "edited\n")
    (repo.root / "new").mkdir()
    repo.git("mv", "old/name.py", "new/name.py")
    repo.git("rm", "-q", "gone.txt")
    repo.write("added/file.txt")
    repo.commit("feature work")
    return repo, base


def test_changed_since_counts_both_sides_of_a_rename_and_deletions(forked):
    repo, base = forked
    changes = changes_since("main", repo.root)
    assert changes.files == {"a.py", "old/name.py", "new/name.py", "gone.txt", "added/file.txt"}
    assert changes.base == base
    assert changes.known and "merge-base of main" in changes.source


def test_changed_since_uses_the_merge_base_not_the_tip_of_ref(forked):
    repo, base = forked
    repo.git("checkout", "-q", "main")
    repo.write("only-on-main.txt")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")
    changes = changes_since("main", repo.root)
    assert "only-on-main.txt" not in changes.files
    assert changes.base == base


def test_rename_detection_config_does_not_hide_the_old_path(forked):
    repo, _ = forked
    repo.git("config", "diff.renames", "copies")
    assert "old/name.py" in changes_since("main", repo.root).files


def test_uncommitted_edits_are_named_as_not_included(forked):
    repo, _ = forked
    assert "uncommitted" not in changes_since("main", repo.root).source
    repo.write("untouched.md", "edited, not committed\n")
    changes = changes_since("main", repo.root)
    assert "untouched.md" not in changes.files
    assert "uncommitted changes are not part of --changed-since main" in changes.note
    assert "uncommitted" not in changes.source  # said once: the header repeated the warning


def test_unknown_ref_is_an_unknown_change_list_with_a_reason(forked):
    repo, _ = forked
    changes = changes_since("no-such-branch", repo.root)
    assert changes.files is None and not changes.known
    assert "'no-such-branch' is not a commit" in changes.reason


def test_not_a_repository(tmp_path):
    changes = changes_since("main", tmp_path)
    assert changes.files is None and "not a git repository" in changes.reason


def test_shallow_clone_without_the_base_commit_says_so(forked, tmp_path):
    repo, base = forked
    clone = tmp_path / "shallow"
    shallow_clone(repo.root, clone, "feature")
    changes = changes_since(base, clone)
    assert changes.files is None
    assert "shallow" in changes.reason and "fetch-depth: 0" in changes.reason
    # origin/main exists (depth 1) but shares no history with HEAD in this clone
    subprocess.run(["git", "fetch", "-q", "--depth=1", "origin", "main"], cwd=clone, check=True)
    changes = changes_since("FETCH_HEAD", clone)
    assert changes.files is None and "shallow" in changes.reason


def test_changes_between_fetches_what_a_shallow_checkout_lacks(forked, tmp_path):
    repo, base = forked
    head = repo.git("rev-parse", "feature")
    clone = tmp_path / "shallow"
    shallow_clone(repo.root, clone, "feature")
    offline = changes_between(base, head, clone, fetch=False)
    assert offline.files is None and base[:12] in offline.reason
    changes = changes_between(base, head, clone)
    assert changes.files == {"a.py", "old/name.py", "new/name.py", "gone.txt", "added/file.txt"}
    assert changes.base == base


def test_changes_between_uses_the_merge_base(forked):
    repo, base = forked
    repo.git("checkout", "-q", "main")
    repo.write("only-on-main.txt")
    main_tip = repo.commit("main moves on")
    head = repo.git("rev-parse", "feature")
    changes = changes_between(main_tip, head, repo.root, fetch=False)
    assert "only-on-main.txt" not in changes.files and changes.base == base


def test_changed_files_from_stdin_and_file(tmp_path):
    stdin = io.StringIO("src/a.py\n\n./docs/x.md\r\n" + f"{tmp_path}/abs/in_root.txt\n")
    changes = changes_from_list("-", tmp_path, stdin=stdin)
    assert changes.files == {"src/a.py", "docs/x.md", "abs/in_root.txt"}
    assert changes.base is None and "stdin" in changes.source
    listed = tmp_path / "changed.txt"
    listed.write_text('"d\\303\\251j\\303\\240/\\"q\\".txt"\nb.txt\n', encoding="utf-8")
    assert changes_from_list(str(listed), tmp_path).files == {'déjà/"q".txt', "b.txt"}


def test_unreadable_changed_files_is_a_usage_error(tmp_path):
    with pytest.raises(
        UsageError, match="--changed-files .*missing.txt.*one changed path per line"
    ):
        changes_from_list(str(tmp_path / "missing.txt"), tmp_path)


def test_paths_from_an_api_keep_truncation():
    changes = changes_from_paths(["a.py", "/b.py", "c/../d.py"], "GitHub API", truncated=True)
    assert changes.files == {"a.py", "b.py", "d.py"}
    assert changes.truncated and not changes.known


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("./a/b.py", "a/b.py"), ("a//b.py", "a/b.py"), ("", ""), (".", ""), ("a/b/", "a/b")],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_changes_between_fetches_a_missing_head_without_making_a_full_clone_shallow(
    forked, tmp_path
):
    repo, base = forked
    head = repo.git("rev-parse", "feature")
    clone = tmp_path / "full"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--single-branch",
            "--branch",
            "main",
            f"file://{repo.root}",
            str(clone),
        ],
        check=True,
    )
    changes = changes_between(base, head, clone)
    assert changes.files == {"a.py", "old/name.py", "new/name.py", "gone.txt", "added/file.txt"}
    shallow = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], cwd=clone, capture_output=True, text=True
    )
    assert shallow.stdout.strip() == "false"
