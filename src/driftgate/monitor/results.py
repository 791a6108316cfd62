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
from driftgate.text import unwrap_descriptions

SCHEMA_VERSION = 1
FLAG_KINDS = ("grounding", "check", "judge", "error")
KEEP_WORST = 2000  # flagged samples listed in full, worst first


class Model(BaseModel):
    # Attribute docstrings become the fields' descriptions in `driftgate schema --monitor`.
    model_config = ConfigDict(
        extra="forbid", use_attribute_docstrings=True, json_schema_extra=unwrap_descriptions
    )


class SampleRecord(Model):
    """One production sample's flags and scores (its texts are not copied here)."""

    line: int
    """Its line number in the log, counting from 1."""
    id: str | None = None
    """The log's `id` for it, which `driftgate promote --id` picks it by."""
    case: str | None = None
    """The suite case it names, whose checks and `expected` apply; null when it names none
    the suite has."""
    task: str | None = None
    """Its `task` label, or its case's task."""
    group: str
    """The group it is counted in: `case NAME`, `task NAME` or `(no label)`."""
    created_at: str | None = None
    """When it was logged (ISO 8601; a naive time is taken as UTC)."""
    flags: list[str] = []
    """Kinds of flag it raised: grounding, check, judge, error; empty when not flagged."""
    reasons: list[str] = []
    """Why it was flagged, one line per finding (a quoted sentence clipped to 80 characters)."""
    grounding_ratio: float | None = None
    """Share of its sentences the context supports; null without a context or with
    check_grounding off."""
    judge_score: int | None = None
    """The judge's grade, 1 to 5; null when the judge did not grade it."""
    judge_cost_usd: float = 0.0
    """US dollars the judge's grade cost in this run; 0 for a cached grade."""
    judge_cached: bool = False
    """The grade came from the judge cache."""
    judge_skipped: str | None = None
    """Why the judge, though the policy picked it, did not grade it (no key, the budget)."""
    similarity: float | None = None
    """Cosine similarity to its case's `expected`; reported, never a flag, since a production
    input is not the case's input; null for a sample of no case."""
    below_expected: bool | None = None
    """similarity is below the case's `min_similarity` (a NaN counts below); null for a sample
    of no case."""
    latency_s: float | None = None
    """The latency the log recorded, in seconds."""
    model: str | None = None
    """The model the log recorded, which prices its tokens."""
    tokens: Tokens | None = None
    """The tokens the log recorded; null when it recorded none."""
    cost_usd: float | None = None
    """The logged call's cost at the suite's prices; null without logged tokens and model."""

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
    """`all samples` for the whole log, else `case NAME`, `task NAME` or `(no label)`."""
    samples: int = 0
    """Samples scored in the group."""
    flagged: int = 0
    """Samples with at least one flag."""
    flag_rate: float | None = None
    """flagged / samples, what `--fail-on-rate` holds; null with no samples."""
    flags: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(FLAG_KINDS, 0))
    """Samples per kind of flag (grounding, check, judge, error); one sample can count under
    several."""
    grounded: int = 0
    """Samples whose grounding was measured (they had a context)."""
    grounding_mean: float | None = None
    """Mean grounding_ratio of those samples; null when there were none."""
    judged: int = 0
    """Samples the judge graded."""
    judge_scores: dict[str, int] = Field(default_factory=lambda: {str(s): 0 for s in range(1, 6)})
    """How many samples got each grade, keyed `1` to `5`."""
    judge_mean: float | None = None
    """Mean judge grade; null when none was graded."""
    compared: int = 0
    """Samples of suite cases, compared with their case's `expected`."""
    similarity_mean: float | None = None
    """Mean similarity of those samples to their case's `expected` (reported, never a flag)."""
    below_expected: int = 0
    """Of those, samples below their case's `min_similarity`."""
    latency_p50_s: float | None = None
    """Median of the logged latencies, in seconds; null when none was logged."""
    latency_p95_s: float | None = None
    """95th percentile (interpolated) of the logged latencies, in seconds."""
    tokens: Tokens = Tokens()
    """Sum of the logged tokens."""
    cost_usd: float = 0.0
    """US dollars of the logged calls at the suite's prices plus this run's judge."""
    cost_p50_usd: float | None = None
    """Median cost of one logged call (the judge's excluded), over samples with a known cost."""
    cost_p95_usd: float | None = None
    """95th percentile of the same costs."""


class TrendPoint(Model):
    """One monitor run's headline figures, as stored on the baseline branch for the trend."""

    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    """The run's date (YYYY-MM-DD). Read back from the baseline branch, where anyone who can
    push wrote it: it is shown in the headline and the chart, so it is a date and nothing
    else."""
    samples: int
    """Samples that run scored."""
    flag_rate: float | None
    """Its overall flag rate (0 to 1)."""
    grounding_mean: float | None = None
    """Its overall mean grounding ratio."""
    judge_mean: float | None = None
    """Its overall mean judge grade (1 to 5)."""


class Trend(Model):
    """This run against the previous ones stored on the baseline branch."""

    source: str
    """Where the history was read: `branch NAME:monitor/SUITE/`."""
    previous: TrendPoint | None = None
    """The latest earlier run (another date than today's); null when there is none."""
    flag_rate_change: float | None = None
    """This run's flag rate minus the previous run's (0.012: 1.2 points more flagged)."""
    history: list[TrendPoint] = []
    """The last 14 runs, oldest first, this one last: the chart."""
    recorded: str | None = None
    """Where this run's summary was stored (`BRANCH:PATH`); null when not stored."""


class MonitorResults(Model):
    """What `driftgate monitor --output-json` writes."""

    schema_version: int = SCHEMA_VERSION
    """Version of this format."""
    kind: Literal["monitor"] = "monitor"
    """Tells a monitor results file from a run's."""
    driftgate_version: str
    """The driftgate that wrote the file."""
    suite: str
    """The suite's name (`eval_suite.name`)."""
    suite_path: str
    """The suite file, relative to the repository root."""
    samples_path: str
    """The log, as `--samples` gave it."""
    created_at: str
    """When the run started (ISO 8601, UTC); its date keys the trend."""
    since: str | None = None
    """`--since` as an ISO time: older samples and those without `created_at` were skipped."""
    limit: int | None = None
    """`--limit`: the size of the seeded random sample of lines scored; null for all."""
    seed: int = 0
    """`--seed` of that sample: the same seed and log give the same lines."""
    lines_read: int = 0
    """Lines of the log read, blank and bad ones included."""
    bad_lines: int = 0
    """Lines skipped as unreadable (not JSON, not UTF-8, no `output`, ...)."""
    bad_line_examples: list[str] = []
    """The first 20 bad lines as `FILE:LINE: why`, then how many more."""
    before_since: int = 0
    """Good lines skipped because they were logged before `--since`."""
    scored: int = 0
    """Samples scored."""
    overall: GroupSummary
    """Figures for the whole log."""
    groups: list[GroupSummary] = []
    """Figures per case, task or `(no label)`, the highest flag rate first."""
    judge_policy: str = "never"
    """The judge policy applied (never, critical, selected, all), `--judge` or the suite's."""
    judge_model: str | None = None
    """The judge model; null when the policy is never."""
    judge_calls: int = 0
    """Judge API calls made (cache hits make none)."""
    judge_cost_usd: float = 0.0
    """US dollars spent on the judge in this run."""
    fail_on_rate: float | None = None
    """The flag rate the whole log and every group are held to (`--fail-on-rate` or the
    suite's `monitor.fail_on_rate`); null: no verdict."""
    verdict: Literal["pass", "fail"] | None = None
    """fail (exit 1) when the log or any group is flagged more often than fail_on_rate, or
    nothing was scored; null without a rate."""
    fail_reasons: list[str] = []
    """Each group over the rate with its figures, or that no sample could be scored; empty
    when passed."""
    trend: Trend | None = None
    """The flag rate against earlier runs; null without a baseline branch or with
    `--no-trend`."""
    warnings: list[str] = []
    """Problems that did not stop the run (unknown case names, the judge, the budget)."""
    listed: int = 0
    """Flagged samples listed in `samples`, worst first; at most 2,000."""
    samples: list[SampleRecord] = []
    """The worst flagged samples: more kinds of flag, errors, low grades, weak grounding
    first."""


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
