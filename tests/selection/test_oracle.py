"""Our matcher against git itself, row by row.

Each row states which of git's two readings we agree with (file-level `check-attr`,
gitignore `check-ignore`); a row that differs from one says why, and README.md lists
the same differences. git is run live, so a claim that stops being true fails here.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from driftgate.select.patterns import PatternList

from .git_oracle import git_attr, git_ignore

ROWS = json.loads((Path(__file__).parent / "data" / "oracle_rows.json").read_text("utf-8"))["rows"]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture(scope="module")
def live_git() -> dict[str, dict[str, bool]]:
    """Ask git once per group of rows sharing patterns (paths materialised together)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in ROWS:
        groups[(row.get("group"), tuple(row["patterns"]))].append(row)

    def ask(item):
        (_, patterns), rows = item
        paths = [r["path"] for r in rows]
        return rows, git_ignore(list(patterns), paths), git_attr(list(patterns), paths)

    verdicts: dict[str, dict[str, bool]] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:  # each call is a few git processes
        for rows, ignore, attr in pool.map(ask, groups.items()):
            for row, ig, at in zip(rows, ignore, attr, strict=True):
                verdicts[row["id"]] = {"check-ignore": ig.matched, "check-attr": at.matched}
    return verdicts


def test_rows_cover_the_shared_fixture_and_our_examples():
    ids = {r["id"] for r in ROWS}
    assert {f"fixture-{i}" for i in range(1, 94)} <= ids
    assert any(r["patterns"] == ["prompts/router/"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_matcher_agrees_with_git_exactly_where_claimed(row, live_git):
    ours = PatternList(row["patterns"]).match(row["path"]) is not None
    for oracle in ("check-attr", "check-ignore"):
        claimed = oracle in row["agrees_with"]
        assert (ours == live_git[row["id"]][oracle]) == claimed, (
            f"{row['patterns']} vs {row['path']!r}: ours={ours}, git {oracle}="
            f"{live_git[row['id']][oracle]}, claimed agreement={claimed}"
        )
    assert ("difference" in row) == (len(row["agrees_with"]) < 2)


def test_every_documented_difference_is_in_the_readme_text():
    doc = (Path(__file__).parents[2] / "docs" / "selection.md").read_text("utf-8")
    for row in ROWS:
        if "difference" in row:
            patterns = " ; ".join(row["patterns"])
            assert f"`{patterns}`" in doc, f"docs/selection.md does not list {patterns!r}"
