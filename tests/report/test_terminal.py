"""The terminal table: what a person reads in a CI log."""

from __future__ import annotations

from driftgate.report.terminal import render_table
from driftgate.results import RunResults, Summary


def test_a_multi_line_gate_reason_stays_under_its_bullet():
    """A command's stderr tail in a reason must not look like a line of its own."""
    reason = (
        "critical case 'refunds' errored: command exited 2: 'python pipline.py'\n"
        "python: can't open file 'pipline.py': [Errno 2] No such file or directory"
    )
    summary = Summary(verdict="fail", gate_reasons=[reason, "0 of 1 case passed"])
    results = RunResults(suite="s", suite_path="s", embedding_model="m", summary=summary)
    verdict = render_table(results).split("verdict: FAIL\n", 1)[1].splitlines()
    assert verdict == [
        "  - critical case 'refunds' errored: command exited 2: 'python pipline.py'",
        "    python: can't open file 'pipline.py': [Errno 2] No such file or directory",
        "  - 0 of 1 case passed",
    ]
