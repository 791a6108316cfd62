"""Where a baseline comes from and how old it is, for a results file given by path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from driftgate.results import BaselineInfo, RunResults, read_results


def load_baseline_file(path: str | Path) -> tuple[RunResults, BaselineInfo]:
    """Read `--baseline PATH`; a bad file is a UsageError naming it (via read_results)."""
    results = read_results(path)
    info = BaselineInfo(
        source=str(path),
        commit=results.git_sha,
        created_at=results.created_at,
        age_hours=age_hours(results.created_at),
    )
    return results, info


def age_hours(created_at: str | None, now: datetime | None = None) -> float | None:
    """Hours since an ISO-8601 timestamp; None when absent or unreadable (age is advisory)."""
    if not created_at:
        return None
    try:
        then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return round(max(0.0, (now - then).total_seconds() / 3600.0), 2)
