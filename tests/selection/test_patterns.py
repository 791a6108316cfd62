"""The matching rules users write against, and the pruned index agreeing with plain matching."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from driftgate.select.patterns import ChangedPaths, PatternList, compile_pattern


def included(patterns: list[str], path: str) -> bool:
    return PatternList(patterns).match(path) is not None


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["src/**"], "src/a/b/c.py", True),
        (["src/*"], "src/a.py", True),
        (["src/*"], "src/sub/a.py", False),  # one level: write src/** for every depth
        (["*.py"], "deep/er/a.py", True),
        (["*.py"], "a.pyc", False),
        (["prompts/router/"], "prompts/router/v2/system.txt", True),
        (["prompts/router/"], "prompts/router.txt", False),
        (["prompts/router"], "prompts/router/system.txt", True),
        (["src/**", "!src/legacy/**"], "src/legacy/old.py", False),
        (["src/**", "!src/legacy/**"], "src/new.py", True),
        (["src/**", "!src/legacy/**", "src/legacy/keep.py"], "src/legacy/keep.py", True),
        (["!src/**", "src/**"], "src/a.py", True),  # order matters: the last match wins
        (["src/**", "!src/**"], "src/a.py", False),
        (["/README.md"], "docs/README.md", False),
    ],
)
def test_semantics(patterns, path, expected):
    assert included(patterns, path) is expected


def test_patterns_that_never_match_say_why():
    assert "comment" in compile_pattern("#notes.md").problem
    assert compile_pattern("[").problem is not None
    assert compile_pattern("/").problem is not None
    assert compile_pattern("  ").problem == "empty pattern"
    assert compile_pattern("\\#notes.md").problem is None
    assert not included(["#notes.md"], "#notes.md")


def test_double_star_inside_a_name_gets_a_note():
    assert "'**'" in compile_pattern("foo**/bar").note
    assert compile_pattern("a/b**").note is not None
    assert compile_pattern("src/**/x").note is None
    assert compile_pattern("foo**bar").note is None  # git reads it as '*' too


def test_compiled_once_per_pattern_text():
    assert compile_pattern("src/**") is compile_pattern("src/**")


def test_matched_lists_files_with_the_deciding_pattern():
    changed = ChangedPaths(["src/b.py", "src/a.py", "docs/x.md", "src/legacy/o.py"])
    out = PatternList(["docs/**", "src/**", "!src/legacy/**"]).matched(changed)
    assert out == [("docs/x.md", "docs/**"), ("src/a.py", "src/**"), ("src/b.py", "src/**")]


def random_patterns(rng: random.Random, parts: list[str], count: int) -> list[str]:
    pieces = parts + ["*", "**", "*.py", "?", "[ab]", "s*", "*x*", "r?uter"]
    out = []
    for _ in range(count):
        segs = [rng.choice(pieces) for _ in range(rng.randint(1, 3))]
        text = "/".join(segs)
        text = rng.choice(["", "/", "**/"]) + text + rng.choice(["", "", "/", "/**"])
        out.append(text)
    return out


def test_fast_paths_and_indexes_equal_plain_regex_matching():
    """String shortcuts, the folder binary search and the name index must never lose a
    match or add one: compare with the pattern matched by its regex alone over every path."""
    rng = random.Random(7)
    parts = [
        "src",
        "src0",
        "src-x",
        "a",
        "b",
        "router",
        "outer",
        "prompts",
        "x.py",
        "y.txt",
        "z.md",
    ]
    paths = sorted(
        {"/".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) for _ in range(600)}
    )
    patterns = [
        "src/**",
        "src/*",
        "/src/a/**",
        "src/a/",
        "a/**/router/**",
        "*.py",
        "src0/**/*.txt",
        "router",
        "router/",
        "**/router",
        "prompts/router/",
        "prompts/router",
        "/x.py",
        "src/[ab]/**",
        "src/a?/**",
        "src\\-x/**",
        "**/b/*.md",
        "src-x/a",
        "a/b/",
        "src/**/",
        "*",
        "**",
        "*/",
        "b*/",
    ] + random_patterns(rng, parts, 400)
    changed = ChangedPaths(paths)
    kinds = set()
    for text in patterns:
        pattern = compile_pattern(text)
        kinds.add(pattern.kind)
        reference = replace(pattern, kind="regex", required="", name_only=False, prefix=None)
        expected = {i for i, p in enumerate(changed.paths) if reference.matches(p)}
        assert {i for i, p in enumerate(changed.paths) if pattern.matches(p)} == expected, text
        assert changed.hits(pattern) == expected, text
    assert kinds == {"regex", "inside", "path", "name"}
