"""Small text helpers several stages share, so each is written (and tested) once."""

from __future__ import annotations

import hashlib
import json
import math
import re

# What changes how text is shown without being seen itself: control characters (a terminal's
# escape sequences among them), bidi overrides, embeddings, isolates and marks (a right-to-left
# override turns the rest of a line around), zero-width characters (two names that look the
# same). Line breaks and tabs are not in it: callers decide about those.
INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_INVISIBLE_OR_BREAK = re.compile(INVISIBLE.pattern[:-1] + r"\t\n]")
# What acts on a terminal: ESC and the C1 controls open escape sequences (colours, cursor
# moves, a window title, OSC 52 writing the clipboard), backspace hides text, bidi controls
# reorder it. Tabs and line ends (\n, \r: a progress redraw) are left to the stream.
_TERMINAL_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def short_hash(text: str) -> str:
    """16 hex characters of SHA-256: enough to tell versions apart in results and cache
    entries, short enough to read. Changing it changes stored keys: don't."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def unwrap_descriptions(schema: dict) -> None:
    """Join a JSON Schema's wrapped description lines (pydantic's `json_schema_extra`):
    docstrings wrap at 100 columns, and editors and schema viewers show a lone line break as
    a new paragraph, which would cut a hover text mid-sentence."""
    for part in (schema, *schema.get("properties", {}).values()):
        if isinstance(part.get("description"), str):
            paragraphs = part["description"].split("\n\n")
            part["description"] = "\n\n".join(" ".join(p.split()) for p in paragraphs)


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
    reads means anything by them, and a NaN compares false against every threshold.
    Nesting deeper than Python's recursion limit is a ValueError too (json raises
    RecursionError, which no reader expects from a bad file)."""
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


def visible(text: str, *, one_line: bool = False) -> str:
    """Untrusted text with every invisible character (and with `one_line`, tabs and line
    breaks) written as its escape (`\\u202e`, `\\x1b`): shown, never applied."""
    pattern = _INVISIBLE_OR_BREAK if one_line else INVISIBLE
    return pattern.sub(_escaped, text)


def terminal_safe(text: str) -> str:
    """A printed line that cannot drive the terminal showing it: its escape sequences and
    other controls are written as escapes (`\\x1b]52;…`); line ends and tabs stay."""
    return _TERMINAL_CONTROL.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    return match.group(0).encode("unicode_escape").decode("ascii")
