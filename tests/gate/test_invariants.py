"""The gate's invariants (gate.py docstring) checked on generated results."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.errors import EXIT_FAIL, EXIT_PASS
from driftgate.gate import block, exit_code, summarize
from driftgate.metrics import gate_counts
from driftgate.results import CaseResult, GateSettings, RunResults

STATUSES = ["passed", "failed", "error", "skipped"]


@st.composite
def case_results(draw, index: int) -> CaseResult:
    n = draw(st.integers(min_value=1, max_value=6))
    # Inconsistent records on purpose (an error with every sample "passed", a failed case
    # whose samples all passed): the gate must not trust the sample counts of such a case.
    passes = draw(st.integers(min_value=0, max_value=n))
    regression = draw(st.booleans())
    return CaseResult(
        name=f"case-{index}",
        selected=draw(st.booleans()),
        critical=draw(st.booleans()),
        status=draw(st.sampled_from(STATUSES)),
        samples_n=n,
        passes=passes,
        pass_rate=draw(st.sampled_from([passes / n, 1.0, float("nan"), None])),
        regression=regression,
        baseline_similarity=0.9 if regression else None,
        delta=-0.2 if regression else None,
        reasons=["why"],
    )


@st.composite
def run_results(draw) -> RunResults:
    count = draw(st.integers(min_value=0, max_value=8))
    cases = [draw(case_results(i)) for i in range(count)]
    gate = GateSettings(
        min_pass_rate=draw(st.floats(min_value=0.0, max_value=1.0)),
        fail_on_regression=draw(st.booleans()),
        pass_at_k=draw(st.lists(st.integers(min_value=1, max_value=6), max_size=3, unique=True)),
    )
    return RunResults(suite="s", suite_path="s.yaml", embedding_model="m", gate=gate, cases=cases)


def errors_as_failures_rate(results: RunResults) -> float | None:
    """The oracle: mean pass fraction of selected cases that ran, an error passing nothing
    and a failed case never fully passing."""
    rates = []
    for case in results.cases:
        if not case.selected or case.status == "skipped":
            continue
        if case.status == "error":
            rates.append(0.0)
        elif case.status == "failed":
            rates.append(min(case.passes, case.samples_n - 1) / case.samples_n)
        else:
            rates.append(case.passes / case.samples_n)
    return sum(rates) / len(rates) if rates else None


@settings(max_examples=400, deadline=None, database=None)
@given(run_results())
def test_pass_means_no_critical_problem_and_enough_passes(results):
    summary = summarize(results)
    if summary.verdict != "pass":
        assert summary.gate_reasons
        return
    for case in results.cases:
        if case.selected and case.critical:
            assert case.status == "passed", case  # not failed, errored or left unrun
            assert not case.regression, case
    selected = [c for c in results.cases if c.selected]
    if selected:  # the share that passed; an error, a failure or a case not run is not a pass
        share = sum(c.status == "passed" for c in selected) / len(selected)
        assert share >= results.gate.min_pass_rate


@settings(max_examples=300, deadline=None, database=None)
@given(run_results())
def test_errors_count_as_not_passed_everywhere(results):
    summary = summarize(results)
    ran = [c for c in results.cases if c.selected and c.status != "skipped"]
    for case in ran:
        n, c = gate_counts(case)
        if case.status == "error":
            assert c == 0
        if case.status != "passed":
            assert c < n
    if ran and all(c.status == "error" for c in ran):
        assert summary.pass_at_1 == 0.0
        assert all(value == 0.0 for value in summary.pass_at_k.values())
    rate = errors_as_failures_rate(results)
    if rate is not None:
        assert summary.pass_at_1 is not None and math.isfinite(summary.pass_at_1)
        assert summary.pass_at_1 <= rate + 1e-6


def test_an_error_is_not_averaged_into_a_pass():
    """The reported case: a required judge errored, pass@1 said 1.00 and the gate passed."""
    case = CaseResult(name="c", status="error", samples_n=1, passes=1, pass_rate=1.0)
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=[case])
    summary = summarize(results)
    assert summary.pass_at_1 == 0.0 and summary.errors == 1
    assert summary.verdict == "fail"
    assert summary.gate_reasons == ["0 of 1 case passed (0.00) < min_pass_rate 1.00"]


def lenient_run(critical: CaseResult) -> RunResults:
    """`critical` beside a passing case, under a gate that asks no pass rate at all."""
    ok = CaseResult(name="d", status="passed", samples_n=1, passes=1)
    return RunResults(
        suite="s",
        suite_path="s.yaml",
        embedding_model="m",
        gate=GateSettings(min_pass_rate=0.0),
        cases=[critical, ok],
    )


def test_a_critical_error_fails_even_a_lenient_gate():
    case = CaseResult(name="c", critical=True, status="error", samples_n=1, reasons=["boom"])
    summary = summarize(lenient_run(case))
    assert summary.verdict == "fail"
    assert summary.gate_reasons[0] == "critical case 'c' errored: boom"


def test_a_rate_just_below_the_minimum_is_not_rounded_up():
    cases = [CaseResult(name=f"c{i}", status="passed", samples_n=1, passes=1) for i in range(1999)]
    cases.append(CaseResult(name="x", status="failed", samples_n=1, passes=0))
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=cases)
    summary = summarize(results)
    assert summary.verdict == "fail"
    assert summary.gate_reasons == ["1999 of 2000 cases passed (0.999500) < min_pass_rate 1.00"]


def test_a_case_passing_by_its_samples_passes_a_strict_gate():
    """Issue 18: with samples, every case PASS means the gate passes at min_pass_rate 1.0,
    although one sample of one case was below its threshold (pass@1 0.93 is reported)."""
    cases = [
        CaseResult(name="a", status="passed", samples_n=5, passes=4),
        CaseResult(name="b", status="passed", samples_n=5, passes=5),
        CaseResult(name="c", status="passed", samples_n=5, passes=5),
    ]
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=cases)
    summary = summarize(results)
    assert summary.verdict == "pass", summary.gate_reasons
    assert summary.pass_at_1 == pytest.approx(14 / 15, abs=1e-6)
    assert summary.pass_rate == 1.0


def test_summary_line_counts_a_critical_regression_like_the_verdict():
    from driftgate.report.terminal import render_table
    from driftgate.results import BaselineInfo

    case = CaseResult(
        name="c",
        critical=True,
        status="passed",
        samples_n=1,
        passes=1,
        regression=True,
        baseline_similarity=0.95,
        delta=-0.1,
        threshold=0.8,
    )
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=[case])
    results.summary.baseline = BaselineInfo(source="file")
    summarize(results)
    table = render_table(results)
    assert results.summary.verdict == "fail"
    assert "critical failures 1" in table and "verdict: FAIL" in table


@settings(max_examples=200, deadline=None, database=None)
@given(run_results())
def test_the_exit_code_is_the_verdict(results):
    summary = summarize(results)
    assert exit_code(results) == (EXIT_PASS if summary.verdict == "pass" else EXIT_FAIL)
    assert exit_code(results) == (0 if not summary.gate_reasons else 1)


def test_a_blocked_run_fails_first_for_its_reason_though_every_case_passed():
    """A merge missing a shard: its cases can't show why, the gate still fails."""
    case = CaseResult(name="c", status="passed", samples_n=1, passes=1)
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=[case])
    assert summarize(results).verdict == "pass"
    results.summary.gate_reasons = ["a reason from the cases"]
    block(results, "incomplete run")
    assert results.summary.gate_reasons == ["incomplete run", "a reason from the cases"]
    assert results.summary.verdict == "fail" and exit_code(results) == EXIT_FAIL


def test_a_critical_case_the_budget_left_unrun_fails_the_gate():
    """`--max-cost` ran out before a critical case: nothing checked it, so it is no pass."""
    unrun = CaseResult(name="c", critical=True, status="skipped", reasons=["skipped (budget)"])
    summary = summarize(lenient_run(unrun))
    assert summary.verdict == "fail"
    assert summary.gate_reasons == [
        "critical case 'c' was not run (skipped (budget)): raise --max-cost so the run can check it"
    ]


def test_cases_the_budget_left_unrun_count_as_not_passed():
    cases = [
        CaseResult(name="a", status="passed", samples_n=1, passes=1),
        CaseResult(name="b", status="skipped", reasons=["skipped (budget)"]),
    ]
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=cases)
    summary = summarize(results)
    assert summary.pass_rate == 0.5 and summary.pass_at_1 == 1.0  # pass@1: run cases only
    assert summary.gate_reasons == ["1 of 2 cases passed (0.50) < min_pass_rate 1.00"]
    only_unrun = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=cases[1:])
    assert summarize(only_unrun).verdict == "fail"  # nothing ran: never a pass
