"""Small text helpers several stages share, so each is written (and tested) once."""

from __future__ import annotations

import hashlib
import json
import math


def short_hash(text: str) -> str:
    """16 hex characters of SHA-256: enough to tell versions apart in results and cache
    entries, short enough to read. Changing it changes stored keys: don't."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def shorten(text: str, limit: int, mark: str = "…") -> str:
    """`text` cut to at most `limit` characters, `mark` showing where it was cut."""
    return text if len(text) <= limit else text[: limit - len(mark)] + mark


def noun(count: int, word: str) -> str:
    """`case` or `cases`: real plurals, never `case(s)`."""
    return word if count == 1 else word + "s"


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`."""
    return f"{count} {noun(count, word)}"


def finite_json(text: str):
    """`json.loads` that refuses NaN, Infinity and 1e999 (ValueError): no file driftgate
    reads means anything by them, and a NaN compares false against every threshold."""
    return json.loads(text, parse_constant=_not_a_number, parse_float=_finite_float)


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value
