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


def test_a_failing_case_shows_its_output_on_one_line_and_a_passing_one_does_not(tmp_path):
    from .example import example_results

    results = example_results(tmp_path)
    results.case("returns-window").samples[1].output = "line one\n\x1b[31mred\x1b[0m " + "x" * 400
    results.case("returns-window").samples[0].status = "passed"
    table = render_table(results).splitlines()
    refund = table.index(next(line for line in table if "refund-policy" in line))
    assert table[refund + 1 :].index(
        "      output of sample 1 of 3: Good news: your refund will reach your account "
        "within 24 hours."
    ) < 4  # under its case, after its reasons
    said = next(line for line in table if line.startswith("      output of sample 2 of 3: "))
    assert "line one \\x1b[31mred" in said and "\x1b" not in said  # one line, escapes shown
    assert len(said) < 260 and said.endswith("…")
    assert not any("an answer" in line for line in table)  # passing cases' outputs
