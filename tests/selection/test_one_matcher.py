"""Selection and the cache key read `trigger_paths` with one matcher: a file that selects
a case is a file in its cache key, and no other file is."""

from __future__ import annotations

import pytest

from driftgate.cache import RepoFiles
from driftgate.select.patterns import PatternList
from support import git

FILES = [
    "src/a.py",
    "src/sub/b.py",
    "pkg.py/data.txt",
    "prompts/router/p.txt",
    "pipeline.py",
    "llm-evals.yaml",
]


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    for path in FILES:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(f"{path} v1\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
    return tmp_path


@pytest.mark.parametrize(
    "patterns",
    [["src/*"], ["*.py"], ["src/**", "!src/sub/**"], ["prompts/router"], ["**/data.txt"]],
)
def test_the_cache_key_covers_exactly_what_selects_the_case(repo, patterns):
    selecting = {path for path in FILES if PatternList(patterns).match(path)}
    assert RepoFiles(repo).files(patterns) == selecting


def edit(repo, path: str) -> None:
    (repo / path).write_text(f"{path} v2\n")


@pytest.mark.parametrize(
    ("patterns", "unrelated", "related"),
    [
        (["src/*"], "src/sub/b.py", "src/a.py"),  # git: `src/*` does not reach subfolders
        (["*.py"], "pkg.py/data.txt", "src/sub/b.py"),  # a folder named *.py is not a file
    ],
)
def test_an_edit_that_does_not_select_the_case_keeps_its_cache_key(
    repo, patterns, unrelated, related
):
    before = RepoFiles(repo).files_hash(patterns)
    edit(repo, unrelated)
    assert RepoFiles(repo).files_hash(patterns) == before  # was a miss with GitIgnoreSpec
    edit(repo, related)
    assert RepoFiles(repo).files_hash(patterns) != before


@pytest.mark.parametrize("patterns", [None, [], ["# only a comment"]])
def test_an_untriggered_case_depends_on_every_file(repo, patterns):
    """`trigger_paths: []` selects the case as untriggered: a pipeline edit must miss."""
    before = RepoFiles(repo, ignore=["llm-evals.yaml"]).files_hash(patterns, ["nothing/**"])
    edit(repo, "llm-evals.yaml")  # its cases' inputs are in the key already
    assert RepoFiles(repo, ignore=["llm-evals.yaml"]).files_hash(patterns, ["nothing/**"]) == before
    edit(repo, "pipeline.py")
    assert RepoFiles(repo, ignore=["llm-evals.yaml"]).files_hash(patterns, ["nothing/**"]) != before
