"""The one redactor every sink goes through: no secret leaves the process.

The edges (the CLI's `main`, the action's settings) collect the secret values from the
environment with `secrets_from_env` and install a `Redactor` (`installed`); every writer
(results JSON, reports, JUnit, traces, cache, workflow commands, the terminal) calls `redact`
or `redact_data` on what it is about to write. Known token shapes (`sk-ant-…`, `ghp_…`, …)
and the `user:password` of a URL are masked even when no edge installed anything. Masks
are `***`, as GitHub's.

Workflow-command safety lives here too (`neutralize_commands`), because the terminal
streams that redact are also where GitHub would read `::command::` lines.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO, TypeVar

from driftgate.text import shorten, terminal_safe

MASK = "***"
# An environment variable whose name contains one of these is a secret if its value is long
# enough to be one (shorter values such as "1" or "true" would mask half of every report).
SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
MIN_SECRET_LENGTH = 8
# Always secrets, whatever their length (down to a length where masking still makes sense).
NAMED_SECRETS = ("ANTHROPIC_API_KEY", "GITHUB_TOKEN", "INPUT_GITHUB-TOKEN", "GH_TOKEN")
MIN_NAMED_LENGTH = 4
TOKEN_SHAPES = re.compile(
    r"sk-ant-[A-Za-z0-9_\-]{6,}"  # Anthropic API and admin keys
    r"|gh[pousr]_[A-Za-z0-9]{16,}"  # GitHub classic, OAuth, app and refresh tokens
    r"|github_pat_[A-Za-z0-9_]{16,}"  # GitHub fine-grained personal access tokens
    # The `user:password` of a URL (https://user:password@host): an index, proxy or remote
    # configured in a variable whose name says nothing secret (PIP_INDEX_URL, HTTPS_PROXY).
    r"|(?<=://)[^\s/?#@:]+:[^\s/?#@]+(?=@)"
)


def secrets_from_env(env: Mapping[str, str]) -> tuple[str, ...]:
    """The secret values in an environment mapping; called by the edges only."""
    found: list[str] = []
    for name, value in env.items():
        upper = name.upper()
        value = (value or "").strip()
        if upper in NAMED_SECRETS:
            long_enough = len(value) >= MIN_NAMED_LENGTH
        else:
            named = any(part in upper for part in SECRET_NAME_PARTS)
            long_enough = named and len(value) >= MIN_SECRET_LENGTH
        if long_enough and value not in found:
            found.append(value)
    return tuple(found)


def _variants(secret: str) -> set[str]:
    """The forms a secret takes in what we write: raw, trimmed, line by line, and escaped
    for JSON and HTML/XML (so a serialized file can be checked as text too)."""
    lines = [line.strip() for line in secret.strip().splitlines()]
    forms = {secret, secret.strip(), *(ln for ln in lines if len(ln) >= MIN_SECRET_LENGTH)}
    escaped = set()
    for form in forms:
        escaped.add(json.dumps(form, ensure_ascii=False)[1:-1])
        escaped.add(json.dumps(form)[1:-1])
        escaped.add(html.escape(form, quote=False))
        escaped.add(html.escape(form, quote=True))
    return {form for form in forms | escaped if len(form) >= MIN_NAMED_LENGTH}


class Redactor:
    """Masks given secret values and known token shapes in text."""

    def __init__(self, secrets: Iterable[str] = ()):
        values: set[str] = set()
        for secret in secrets:
            if secret and len(secret.strip()) >= MIN_NAMED_LENGTH:
                values |= _variants(secret)
        self._use(values)

    def _use(self, values: set[str]) -> None:
        self.values = tuple(sorted(values, key=len, reverse=True))
        # One pattern for short strings (one C call each); `in` scans for long texts.
        alternatives = [re.escape(v) for v in self.values] + [TOKEN_SHAPES.pattern]
        self._any = re.compile("|".join(alternatives))

    def merged(self, other: Redactor) -> Redactor:
        both = Redactor()
        both._use(set(self.values) | set(other.values))
        return both

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in TOKEN_SHAPES.finditer(text)]
        for value in self.values:
            start = text.find(value)
            while start != -1:  # overlapping occurrences too: each one is masked
                spans.append((start, start + len(value)))
                start = text.find(value, start + 1)
        return spans

    def finds(self, text: str) -> bool:
        if len(text) < 4096:
            return self._any.search(text) is not None
        return any(v in text for v in self.values) or bool(TOKEN_SHAPES.search(text))

    def text(self, text: str) -> str:
        """`text` with every character covered by a secret replaced; overlapping or
        adjacent secrets become one mask, so no part of either survives."""
        while True:
            merged: list[list[int]] = []
            for start, end in sorted(self._spans(text)):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            if not merged:
                return text
            pieces, position = [], 0
            for start, end in merged:
                pieces += [text[position:start], MASK]
                position = end
            pieces.append(text[position:])
            # A mask can only form a new secret if that secret contains `*`; the text is
            # shorter each round, so this ends.
            text = "".join(pieces)

    def data(self, value: Any) -> Any:
        """A JSON-like value with every string (keys too) redacted."""
        if isinstance(value, str):
            return self.text(value) if self.finds(value) else value
        if isinstance(value, dict):
            return {self.data(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.data(v) for v in value)
        return value


_installed = Redactor()
_install_lock = threading.Lock()


def current() -> Redactor:
    return _installed


@contextlib.contextmanager
def installed(redactor: Redactor) -> Iterator[Redactor]:
    """Make `redactor` (plus whatever was installed) the process's for the block."""
    global _installed
    with _install_lock:
        previous = _installed
        _installed = previous.merged(redactor)
    try:
        yield _installed
    finally:
        with _install_lock:
            _installed = previous


def redact(text: str) -> str:
    return _installed.text(text) if _installed.finds(text) else text


def redact_data(value: Any) -> Any:
    return _installed.data(value)


def clipped(text: str, limit: int, mark: str = "…") -> str:
    """`shorten` for a quote of untrusted text: redacted before the cut, since a cut inside
    a secret leaves a prefix that is no longer the secret, and no sink would mask it."""
    return shorten(redact(text), limit, mark)


Model = TypeVar("Model")


def redact_model(model: Model) -> Model:
    """A pydantic model with its strings redacted; the same object when nothing is secret."""
    if not _installed.finds(model.model_dump_json()):  # type: ignore[attr-defined]
        return model
    return _redacted_copy(model)


def redacted_json(model: Any, **dump: Any) -> str:
    """`model.model_dump_json(**dump)` with its strings redacted: one dump when it is clean."""
    text = model.model_dump_json(**dump)
    if not _installed.finds(text):
        return text
    return redact(_redacted_copy(model).model_dump_json(**dump))


def _redacted_copy(model: Any) -> Any:
    return type(model).model_validate(redact_data(model.model_dump()))


# -- workflow commands -------------------------------------------------------------------

# GitHub's runner splits output on \n and \r, trims leading whitespace, and reads a line
# that then starts with `::` as a command (`##[` is the legacy form). Anything that could
# be trimmed or be a line break counts as leading here, generously.
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LEADING = r"\s\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
_COMMAND_START = re.compile(rf"(^|[{_LINE_BREAKS}])([{_LEADING}]*)(:(?=:)|#(?=#\[))")
ZERO_WIDTH_SPACE = "\u200b"


def neutralize_commands(text: str) -> str:
    """Text that cannot start a workflow command on any line: a zero-width space goes
    between the two characters that would open one (`:​:error`), invisible to readers."""
    return _COMMAND_START.sub(lambda m: m.group(0) + ZERO_WIDTH_SPACE, text)


class RedactingStream:
    """A text stream that redacts (and optionally neutralizes) whole lines before passing
    them on; a secret split across two writes is still seen whole. Terminal escape
    sequences in them (from a case name, say) are printed as text, never applied."""

    def __init__(self, stream: TextIO, *, commands: bool = True):
        self.stream = stream
        self.commands = commands
        self._pending = ""
        self._lock = threading.Lock()

    def _clean(self, text: str) -> str:
        # Redacted before the escapes (a secret holding a control character is seen whole)
        # and after (an escape cannot spell one).
        text = redact(terminal_safe(redact(text)))
        return neutralize_commands(text) if self.commands else text

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            cut = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
            if cut >= 0:
                ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
                self.stream.write(self._clean(ready))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()

    def close_line(self) -> None:
        """Write what is left without a line end (at the end of the command)."""
        with self._lock:
            if self._pending:
                self.stream.write(self._clean(self._pending))
                self._pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def __getattr__(self, name: str):  # encoding, fileno, ...: the wrapped stream's
        return getattr(self.stream, name)


@contextlib.contextmanager
def guarded_streams(*, commands: bool = True) -> Iterator[None]:
    """sys.stdout and sys.stderr redacted (and command-safe) for the block: whatever is
    printed, by us or a library, passes the redactor."""
    originals = sys.stdout, sys.stderr
    wrapped = [RedactingStream(s, commands=commands) for s in originals]
    sys.stdout, sys.stderr = wrapped
    try:
        yield
    finally:
        for stream in wrapped:
            with contextlib.suppress(Exception):
                stream.close_line()
        sys.stdout, sys.stderr = originals
