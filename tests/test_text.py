"""The shared text helpers: stored keys depend on short_hash, so its output is pinned."""

import hashlib

from driftgate.text import short_hash, shorten


def test_short_hash_is_the_first_16_hex_of_sha256():
    assert short_hash("Hello there.") == hashlib.sha256(b"Hello there.").hexdigest()[:16]
    assert short_hash("é") == hashlib.sha256("é".encode()).hexdigest()[:16]
    assert len(short_hash("")) == 16


def test_shorten_keeps_short_text_and_marks_the_cut():
    assert shorten("abc", 3) == "abc"
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("x" * 50, 40, "...") == "x" * 37 + "..."
    assert len(shorten("y" * 100, 60)) == 60


def test_finite_json_refuses_deep_nesting_as_a_value_error():
    """Every reader catches ValueError; RecursionError would end the command as an internal
    error instead of naming the file."""
    import pytest

    from driftgate.text import finite_json

    with pytest.raises(ValueError, match="nested"):
        finite_json("[" * 100_000 + "]" * 100_000)
    assert finite_json("[" * 50 + "]" * 50) == eval("[" * 50 + "]" * 50)
