"""The monitor's history on the baseline branch: one summary per day and suite.

Stored beside the run baselines as `monitor/<suite-slug>/<date>.json`, so a nightly job
needs nothing but the git access it already has, and a report can show whether today's
flag rate is new or the usual.
"""

from __future__ import annotations

import json
from pathlib import Path

from driftgate.compare.store import commit_files, read_folder, suite_slug
from driftgate.git import Git, GitError
from driftgate.monitor.results import MonitorResults, Trend, TrendPoint
from driftgate.redact import redact_data
from driftgate.text import finite_json

HISTORY = 14  # runs shown in the chart


def folder(suite: str) -> str:
    return f"monitor/{suite_slug(suite)}"


def point(results: MonitorResults) -> TrendPoint:
    o = results.overall
    return TrendPoint(
        date=results.created_at[:10],
        samples=o.samples,
        flag_rate=o.flag_rate,
        grounding_mean=o.grounding_mean,
        judge_mean=o.judge_mean,
    )


def attach_trend(
    results: MonitorResults, root: Path, branch: str | None, record: bool, git: Git | None = None
) -> None:
    """Read the earlier summaries, compare, and (with `record`) store this one."""
    if not branch:
        return
    where = folder(results.suite)
    try:
        stored = read_folder(root, branch, where, git)
    except GitError as exc:
        results.warnings.append(f"no monitor trend: {exc}")
        return
    today = point(results)
    history = _history(stored or {}, results.warnings, exclude=today.date)
    trend = Trend(source=f"branch {branch}:{where}/", history=[*history[-(HISTORY - 1) :], today])
    if history:
        trend.previous = history[-1]
        if today.flag_rate is not None and trend.previous.flag_rate is not None:
            trend.flag_rate_change = round(today.flag_rate - trend.previous.flag_rate, 6)
    if record:
        path = f"{where}/{today.date}.json"
        try:
            commit_files(
                root,
                branch,
                {
                    path: json.dumps(
                        redact_data({"summary": today.model_dump(), **_full(results)}), indent=2
                    )
                },
                f"driftgate monitor: {results.suite} on {today.date}",
                git=git,
            )
            trend.recorded = f"{branch}:{path}"
        except GitError as exc:
            results.warnings.append(f"monitor summary not recorded: {exc}")
    results.trend = trend


def _full(results: MonitorResults) -> dict:
    """What is stored: the summaries, not the samples (they may quote production text)."""
    return results.model_dump(include={"overall", "groups", "scored", "created_at"})


def _history(stored: dict[str, str], warnings: list[str], exclude: str) -> list[TrendPoint]:
    points = []
    for name in sorted(stored):
        if not name.endswith(".json") or name[:-5] == exclude:
            continue
        try:
            points.append(TrendPoint.model_validate(finite_json(stored[name])["summary"]))
        except (ValueError, KeyError, TypeError):
            warnings.append(f"monitor trend: {name} on the baseline branch is unreadable, skipped")
    return points
