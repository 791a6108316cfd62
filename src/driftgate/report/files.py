"""Where the reports go: checked before the run, written results-first after it.

A report path that can't be written is found before the first paid call (exit 2), and
after the run one failed write never loses the others: the results JSON, the record
everything else is rebuilt from, is written first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from driftgate.errors import UsageError
from driftgate.fileio import write_text
from driftgate.results import RunResults


def unwritable(path: Path) -> str | None:
    """Why `path` can't be written as a file, or None."""
    if path.is_dir():
        return "is a folder; name a file"
    if path.exists():
        return None if os.access(path, os.W_OK) else "is not writable"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent  # the folders in between are created on write
    if not parent.is_dir():
        return f"{parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create files in {parent}"
    return None


def check_writable(paths: Iterable[tuple[str, Path | None]]) -> None:
    """UsageError naming every report path (`(flag, path)`) that could not be written."""
    problems = [
        f"{flag} {path}: {why}"
        for flag, path in paths
        if path is not None and (why := unwritable(Path(path)))
    ]
    if problems:
        raise UsageError("; ".join(problems) + " (checked before running anything)")


def write_reports(
    results: RunResults, reports: Iterable[tuple[str, Path | None, Callable[[Path], None]]]
) -> tuple[list[str], list[str]]:
    """Each `(flag, path, write)` in order, going on past a failure: (written, failures)."""
    written: list[str] = []
    failures: list[str] = []
    for flag, path, write in reports:
        if path is None:
            continue
        try:
            write(Path(path))
        except Exception as exc:  # one report's failure must not lose the others
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            failures.append(f"{flag} {path}: {why}")
        else:
            written.append(str(path))
    return written, failures


def results_first(
    results: RunResults, output_json: Path | None, report_md: Path | None, junit: Path | None
) -> list[tuple[str, Path | None, Callable[[Path], None]]]:
    """The CLI's reports, the results JSON first."""
    from driftgate.report.junit import write_junit
    from driftgate.report.markdown import render_markdown

    def markdown(path: Path) -> None:
        write_text(path, render_markdown(results))

    return [
        ("--output-json", output_json, results.write),
        ("--report-md", report_md, markdown),
        ("--junit", junit, lambda path: write_junit(results, path)),
    ]
