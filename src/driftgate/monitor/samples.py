"""Reading a production log: one JSON object per line, streamed, bad lines skipped.

A log is large and written by another system, so nothing here holds the whole file: lines
are parsed one at a time, and `--limit` keeps a seeded reservoir sample of N (the same N
lines for the same seed and file), so memory stays bounded by N, not by the log.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from driftgate.errors import UsageError
from driftgate.text import finite_json, noun

MAX_LINE_BYTES = 4_000_000  # one logged call; longer lines are reported, not parsed
# UTF-8 cannot hold a surrogate, so an unpaired one can only arrive as a `\udXXX` escape:
# only lines with such an escape (an emoji's pair is one too) are checked further.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
UNPAIRED = (
    "a string holds half of a UTF-16 pair (an escape such as \\ud800 without its partner): "
    "not text; the log's writer cut a character in two, so fix it or drop the line"
)


class ProductionSample(BaseModel):
    """One logged production call. Only `output` is required; unknown keys are kept out."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    output: str
    id: str | None = None
    case: str | None = None
    task: str | None = None
    prompt: str | None = None
    vars: dict[str, Any] = {}
    context: str | None = None
    created_at: datetime | None = None
    latency_s: float | None = Field(default=None, ge=0)
    tokens: dict[str, Annotated[int, Field(ge=0)]] | None = None  # a count, never negative
    model: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value):
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("latency_s")
    @classmethod
    def _finite(cls, value):
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number of seconds")
        return value

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # a naive time in a log is taken as UTC
        return value


@dataclass(frozen=True)
class Line:
    number: int
    sample: ProductionSample


@dataclass
class Reading:
    """What reading the file found besides the samples: counts and the bad lines."""

    path: str
    lines: int = 0
    before_since: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)

    def problems(self, limit: int = 20) -> list[str]:
        shown = [f"{self.path}:{number}: {why}" for number, why in self.bad[:limit]]
        if len(self.bad) > limit:
            more = len(self.bad) - limit
            shown.append(f"... and {more} more bad {noun(more, 'line')}")
        return shown


def parse_since(text: str | None) -> datetime | None:
    """`--since 2026-12-01` (or a full ISO time); a bad value is a usage error."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since {text!r}: not an ISO date; write it as 2026-12-01 or 2026-12-01T06:00:00Z"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read_samples(path: Path, reading: Reading, since: datetime | None = None) -> Iterator[Line]:
    """Every good line of the log, in order; bad lines go to `reading.bad` with why."""
    if not path.is_file():
        raise UsageError(f"{path}: samples file not found; pass the JSONL log with --samples PATH")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            reading.lines = number
            if len(raw) > MAX_LINE_BYTES:
                reading.bad.append((number, f"line longer than {MAX_LINE_BYTES:,} bytes"))
                continue
            if not raw.strip():
                continue
            sample = _parse(raw, number, reading)
            if sample is None:
                continue
            if since and (sample.created_at is None or sample.created_at < since):
                reading.before_since += 1
                continue
            yield Line(number, sample)


def _parse(raw: bytes, number: int, reading: Reading) -> ProductionSample | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reading.bad.append((number, f"not UTF-8 (byte {exc.start}); re-encode the log as UTF-8"))
        return None
    try:
        data = finite_json(text)
    except ValueError as exc:
        reading.bad.append((number, f"not valid JSON ({exc})"))
        return None
    if not isinstance(data, dict):
        reading.bad.append((number, f"a JSON {type(data).__name__}, not an object"))
        return None
    if _SURROGATE_ESCAPE.search(text) and not _encodable(data):
        reading.bad.append((number, UNPAIRED))
        return None
    try:
        return ProductionSample.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        hint = " (every sample needs the model's `output` text)" if where == "output" else ""
        reading.bad.append((number, f"`{where}`: {first['msg']}{hint}"))
        return None


def _encodable(data: dict) -> bool:
    """False when a string holds half of a UTF-16 pair, which no encoder downstream takes."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def reservoir(lines: Iterator[Line], limit: int | None, seed: int) -> Iterator[Line]:
    """All lines, or a seeded uniform sample of `limit` of them in file order."""
    if limit is None:
        yield from lines
        return
    rng = random.Random(seed)
    kept: list[Line] = []
    for seen, line in enumerate(lines):
        if seen < limit:
            kept.append(line)
        else:
            slot = rng.randrange(seen + 1)
            if slot < limit:
                kept[slot] = line
    yield from sorted(kept, key=lambda line: line.number)


def batches(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    batch: list[Line] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
