"""The monitor's results file: versioned like the run's, fields only ever added.

Aggregates stream: each scored sample is added to its group and to the whole, keeping
counts and the few numbers percentiles need, while only the worst flagged samples are
kept whole (a bounded heap), so a 100,000-line log costs the same memory as a small one.
"""

from __future__ import annotations

import heapq
import statistics
from array import array
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from driftgate.results import Tokens

SCHEMA_VERSION = 1
FLAG_KINDS = ("grounding", "check", "judge", "error")
KEEP_WORST = 2000  # flagged samples listed in full, worst first


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SampleRecord(Model):
    """One production sample's flags and scores (its texts are not copied here)."""

    line: int
    id: str | None = None
    case: str | None = None
    task: str | None = None
    group: str
    created_at: str | None = None
    flags: list[str] = []
    reasons: list[str] = []
    grounding_ratio: float | None = None
    judge_score: int | None = None
    judge_cost_usd: float = 0.0
    judge_cached: bool = False
    judge_skipped: str | None = None
    similarity: float | None = None
    below_expected: bool | None = None
    latency_s: float | None = None
    model: str | None = None
    tokens: Tokens | None = None
    cost_usd: float | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def flag(self, kind: str, reason: str) -> None:
        if kind not in self.flags:
            self.flags.append(kind)
        self.reasons.append(reason)

    def severity(self) -> tuple:
        """Bigger is worse: more kinds of flag, an error, a low grade, weak grounding."""
        return (
            len(self.flags),
            "error" in self.flags,
            5 - (self.judge_score or 5),
            1.0 - (self.grounding_ratio if self.grounding_ratio is not None else 1.0),
            -self.line,
        )


class GroupSummary(Model):
    """Flag rates and distributions for one case, one task, or the whole log."""

    name: str
    samples: int = 0
    flagged: int = 0
    flag_rate: float | None = None
    flags: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(FLAG_KINDS, 0))
    grounded: int = 0
    grounding_mean: float | None = None
    judged: int = 0
    judge_scores: dict[str, int] = Field(default_factory=lambda: {str(s): 0 for s in range(1, 6)})
    judge_mean: float | None = None
    compared: int = 0
    similarity_mean: float | None = None
    below_expected: int = 0
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None
    tokens: Tokens = Tokens()
    cost_usd: float = 0.0
    cost_p50_usd: float | None = None
    cost_p95_usd: float | None = None


class TrendPoint(Model):
    # Read back from the baseline branch, where anyone who can push wrote it: a date is
    # shown in the headline and the chart, so it is a date and nothing else.
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    samples: int
    flag_rate: float | None
    grounding_mean: float | None = None
    judge_mean: float | None = None


class Trend(Model):
    """This run against the previous ones stored on the baseline branch."""

    source: str
    previous: TrendPoint | None = None
    flag_rate_change: float | None = None
    history: list[TrendPoint] = []
    recorded: str | None = None  # the path this run's summary was stored at


class MonitorResults(Model):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["monitor"] = "monitor"
    driftgate_version: str
    suite: str
    suite_path: str
    samples_path: str
    created_at: str
    since: str | None = None
    limit: int | None = None
    seed: int = 0
    lines_read: int = 0
    bad_lines: int = 0
    bad_line_examples: list[str] = []
    before_since: int = 0
    scored: int = 0
    overall: GroupSummary
    groups: list[GroupSummary] = []
    judge_policy: str = "never"
    judge_model: str | None = None
    judge_calls: int = 0
    judge_cost_usd: float = 0.0
    fail_on_rate: float | None = None
    verdict: Literal["pass", "fail"] | None = None
    fail_reasons: list[str] = []
    trend: Trend | None = None
    warnings: list[str] = []
    listed: int = 0  # flagged samples listed below (worst first); at most KEEP_WORST
    samples: list[SampleRecord] = []


class _Tally:
    """Running sums for one group; turned into a GroupSummary at the end."""

    def __init__(self, name: str):
        self.summary = GroupSummary(name=name)
        self.grounding: list[float] = []
        self.judge: list[int] = []
        self.similarity: list[float] = []
        self.latency = array("d")
        self.cost = array("d")

    def add(self, record: SampleRecord) -> None:
        s = self.summary
        s.samples += 1
        s.flagged += record.flagged
        for kind in record.flags:
            s.flags[kind] = s.flags.get(kind, 0) + 1
        if record.grounding_ratio is not None:
            self.grounding.append(record.grounding_ratio)
        if record.judge_score is not None:
            self.judge.append(record.judge_score)
            s.judge_scores[str(record.judge_score)] += 1
        if record.similarity is not None:
            self.similarity.append(record.similarity)
            s.below_expected += bool(record.below_expected)
        if record.latency_s is not None:
            self.latency.append(record.latency_s)
        if record.tokens is not None:
            s.tokens = s.tokens + record.tokens
        spent = (record.cost_usd or 0.0) + record.judge_cost_usd
        if record.cost_usd is not None:
            self.cost.append(record.cost_usd)
        s.cost_usd += spent

    def finish(self) -> GroupSummary:
        s = self.summary
        s.flag_rate = round(s.flagged / s.samples, 6) if s.samples else None
        s.grounded, s.grounding_mean = len(self.grounding), _mean(self.grounding)
        s.judged, s.judge_mean = len(self.judge), _mean(self.judge, 3)
        s.compared, s.similarity_mean = len(self.similarity), _mean(self.similarity)
        s.latency_p50_s, s.latency_p95_s = _percentiles(self.latency)
        s.cost_p50_usd, s.cost_p95_usd = _percentiles(self.cost, 8)
        s.cost_usd = round(s.cost_usd, 8)
        return s


class Aggregate:
    """Adds scored samples as they come; keeps only the worst flagged ones whole."""

    def __init__(self, keep: int = KEEP_WORST):
        self.overall = _Tally("all samples")
        self.groups: dict[str, _Tally] = {}
        self.keep = keep
        self._worst: list[tuple[tuple, int, SampleRecord]] = []
        self.judge_skipped: Counter[str] = Counter()

    def add(self, record: SampleRecord) -> None:
        self.overall.add(record)
        if record.judge_skipped:
            self.judge_skipped[record.judge_skipped] += 1
        self.groups.setdefault(record.group, _Tally(record.group)).add(record)
        if record.flagged:
            item = (record.severity(), record.line, record)
            if len(self._worst) < self.keep:
                heapq.heappush(self._worst, item)
            else:
                heapq.heappushpop(self._worst, item)

    def worst(self) -> list[SampleRecord]:
        return [item[2] for item in sorted(self._worst, reverse=True)]

    def summaries(self) -> tuple[GroupSummary, list[GroupSummary]]:
        groups = sorted(
            (t.finish() for t in self.groups.values()),
            key=lambda g: (-(g.flag_rate or 0.0), -g.samples, g.name),
        )
        return self.overall.finish(), groups


def _mean(values: list, digits: int = 6) -> float | None:
    return round(statistics.fmean(values), digits) if values else None


def _percentiles(values: array, digits: int = 4) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    from driftgate.score.reduce import percentile

    ordered = sorted(values)
    return round(percentile(ordered, 0.5), digits), round(percentile(ordered, 0.95), digits)
