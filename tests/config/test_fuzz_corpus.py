"""Every hostile or broken suite in the corpus: exit 2, a FILE:LINE location, never an
"internal error" or a traceback, from `validate` and from `run` alike."""

from __future__ import annotations

import re

import pytest

from config.corpus import VALID, corpus, materialize
from driftgate.cli import main
from support import REPO, run_cli

CORPUS = corpus()
FAILURES = ("internal error", "Traceback", "DRIFTGATE_DEBUG")


def test_the_corpus_is_large_and_every_entry_is_distinct():
    assert len(CORPUS) >= 100
    assert len({e.name for e in CORPUS}) == len(CORPUS)
    assert len({e.data for e in CORPUS if not e.files and not e.fifo}) >= 100


def test_the_base_suite_is_valid(tmp_path, capsys):
    (tmp_path / "llm-evals.yaml").write_text(VALID)
    assert main(["validate", "--config", str(tmp_path / "llm-evals.yaml")]) == 0, (
        capsys.readouterr().err
    )


def _check(entry, suite, code: int, err: str) -> None:
    assert code == 2, f"{entry.name}: exit {code}\n{err}"
    for marker in FAILURES:
        assert marker not in err, f"{entry.name}: {err}"
    located = re.findall(rf"^{re.escape(str(suite))}:(\d+)(?::\d+)?: ", err, re.MULTILINE)
    assert located, f"{entry.name}: no {suite}:LINE location in\n{err}"
    if entry.line is not None:
        assert int(located[0]) == entry.line, f"{entry.name}: wanted line {entry.line}\n{err}"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_hostile_suite_is_exit_2_with_a_location(entry, command, tmp_path, capsys):
    suite = materialize(entry, tmp_path / "repo")
    argv = [command, "--config", str(suite)]
    if command == "run":
        argv += ["--no-cache", "--baseline-branch", "", "-q"]
    code = main(argv)
    _check(entry, suite, code, capsys.readouterr().err)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["alias-bomb-9x9", "deep-flow-[-5000", "utf16-le-bom", "ref-symlink-loop"]
)
def test_hostile_suite_through_the_installed_entry_point(name, tmp_path):
    entry = next(e for e in CORPUS if e.name == name)
    suite = materialize(entry, tmp_path / "repo")
    done = run_cli("validate", "--config", str(suite), cwd=tmp_path)
    _check(entry, suite, done.returncode, done.stderr)
    done = run_cli("run", "--config", str(suite), "--no-cache", cwd=tmp_path)
    _check(entry, suite, done.returncode, done.stderr)


def test_the_troubleshooting_page_states_the_corpus_size():
    page = (REPO / "docs" / "troubleshooting.md").read_text("utf-8")
    assert f"builds {len(CORPUS)} hostile or broken suite files" in page
    assert f"({2 * len(CORPUS)} runs in-process" in page


def test_the_readme_states_the_corpus_size():
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"{len(CORPUS)} malformed suites" in readme
