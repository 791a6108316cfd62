"""The shard split: stable under added cases, balanced, and pinned across versions."""

from __future__ import annotations

from collections import Counter

import pytest

from driftgate.errors import UsageError
from driftgate.shard import Shard, parse_shard, shard_of, split

NAMES = [f"case-{i:04d}" for i in range(1200)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1/1", Shard(1, 1)), ("2/4", Shard(2, 4)), (" 3 / 7 ", Shard(3, 7))],
)
def test_parse(text, expected):
    assert parse_shard(text) == expected
    assert str(expected) == f"{expected.index}/{expected.total}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3", "expected I/N, e.g. 2/4"),
        ("a/b", "expected I/N"),
        ("-1/3", "expected I/N"),
        ("0/3", "shard index must be 1 to 3 .*job-index \\+ 1"),
        ("4/3", "shard index must be 1 to 3"),
        ("1/0", "number of shards must be 1 to 256"),
        ("1/999", "number of shards must be 1 to 256"),
    ],
)
def test_parse_errors_say_what_is_valid(text, message):
    with pytest.raises(UsageError, match=message):
        parse_shard(text)


def test_every_case_in_exactly_one_shard():
    for total in (1, 2, 3, 7):
        parts = [split(NAMES, Shard(i, total)) for i in range(1, total + 1)]
        assert sorted(n for part in parts for n in part) == sorted(NAMES)


def test_adding_and_removing_cases_moves_no_other_case():
    before = {name: shard_of(name, 5) for name in NAMES}
    grown = [f"new-{i}" for i in range(100)] + NAMES[::-1]  # added, and reordered
    after = {name: shard_of(name, 5) for name in grown}
    assert all(after[name] == before[name] for name in NAMES)
    assert split(NAMES[:10], Shard(2, 5)) == [n for n in NAMES[:10] if before[n] == 2]


def test_one_more_shard_moves_about_one_case_in_n():
    moved = sum(shard_of(name, 4) != shard_of(name, 5) for name in NAMES)
    assert 0.12 < moved / len(NAMES) < 0.28  # 1/5 expected; a modulo split moves ~4/5
    moved_to = {shard_of(name, 5) for name in NAMES if shard_of(name, 4) != shard_of(name, 5)}
    assert moved_to == {5}  # cases only move to the new shard


def test_split_is_balanced():
    counts = Counter(shard_of(name, 4) for name in NAMES)
    assert set(counts) == {1, 2, 3, 4}
    assert all(240 <= n <= 360 for n in counts.values()), counts  # 300 each expected


def test_assignment_is_pinned():
    """A change here re-splits every user's suite and breaks merging across versions."""
    assert [shard_of(n, 3) for n in ("refund", "outage", "password", "weather")] == [3, 3, 3, 2]
    assert [shard_of(n, 7) for n in "abcde"] == [4, 3, 5, 3, 3]
