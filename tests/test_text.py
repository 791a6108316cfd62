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
