"""What every target returns, so later stages never care which kind produced an output."""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.results import Tokens


class TargetError(Exception):
    """The target could not produce an output for this case; the message says why."""


@dataclass(frozen=True)
class Generation:
    output: str | None
    latency_s: float | None = None
    tokens: Tokens = field(default_factory=Tokens)
    error: str | None = None
    model: str | None = None
    cached: bool = False
    calls: int = 0
    warnings: tuple[str, ...] = ()  # e.g. an output cut to max_output_chars, bytes replaced

    @classmethod
    def failed(cls, message: str, latency_s: float | None = None) -> Generation:
        return cls(output=None, error=message, latency_s=latency_s)
