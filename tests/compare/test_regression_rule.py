"""The regression rule: each case's own noise, Holm across the cases that can block, the
noise a baseline carries, the fallback for older baselines, and how sure a block is."""

from __future__ import annotations

import pytest

from driftgate.compare.drift import compare_to_baseline
from driftgate.compare.rules import decide_regressions
from driftgate.compare.sequential import more_samples
from driftgate.gate import summarize
from driftgate.report.markdown import render_markdown
from driftgate.results import BaselineInfo, GateSettings

from .conftest import case, run

INFO = BaselineInfo(source="base.json")

SUITE = """
eval_suite:
  name: support bot
  samples: 5
  cases:
    - {name: a, expected: x, critical: true}
    - {name: b, expected: x, critical: true}
    - {name: c, expected: x, critical: true}
    - {name: chat, expected: x}
"""

BASE = [0.90, 0.88, 0.92, 0.89, 0.91]  # sd 0.0158


def same(name, shift=0.0, scores=BASE):
    return case(name, [round(s + shift, 4) for s in scores], threshold=0.5)


def compared(suite, current_shifts, gate=None, base_cases=None):
    base = run(base_cases or [same(n) for n in current_shifts])
    current = run([same(n, s) for n, s in current_shifts.items()])
    current.gate = gate or GateSettings(confidence=0.99)  # alpha 0.01: round numbers
    compare_to_baseline(current, base, INFO, suite, lambda a, b: 1.0)
    return current


@pytest.fixture
def suite(suite_file):
    return suite_file(SUITE)


def test_one_significant_drop_alone_blocks_but_is_corrected_for_three_critical_cases(suite):
    # delta -0.025 against noise 0.0158 (se 0.01): p = 0.018 alone; x3 critical = 0.054
    alone = compared(suite, {"a": -0.025})
    assert alone.case("a").p_value == pytest.approx(0.0184, abs=5e-4)
    assert not alone.case("a").regression  # 0.018 > alpha 0.01 even alone
    current = compared(suite, {"a": -0.046, "b": 0.0, "c": 0.0})
    a = current.case("a")
    assert a.p_value < 0.001 and a.p_adjusted == pytest.approx(3 * a.p_value, rel=1e-3)
    assert a.regression and not current.case("b").regression
    assert "after correction for 3 critical cases" in a.regression_reason
    assert "drop 0.05, 2.9× this case's noise (sd 0.016)" in a.regression_reason


def test_a_drop_significant_alone_does_not_block_once_corrected(suite):
    # p about 0.0045 one by one: below 0.01 alone, above 0.01 after x3
    shifts = {"a": -0.033, "b": 0.0, "c": 0.0}
    current = compared(suite, shifts)
    a = current.case("a")
    assert 0.002 < a.p_value < 0.0099 and a.p_adjusted > 0.01
    assert not a.regression
    assert "within this case's noise" in a.comparison_note
    assert "after correction for 3 critical cases" in a.comparison_note
    alone = compared(suite, {"a": -0.033})
    assert alone.case("a").regression
    assert "the only critical case compared" in alone.case("a").regression_reason


def test_report_only_cases_do_not_cost_the_critical_ones_power(suite):
    current = compared(suite, {"a": -0.033, "chat": 0.0})
    assert current.case("a").regression  # family of one critical case, not two


def test_a_drop_under_the_floor_never_blocks_even_with_no_noise(suite_file):
    suite = suite_file(SUITE.replace("critical: true}", "critical: true, max_drop: 0.10}", 1))
    flat = [0.9] * 5
    base = run([same("a", scores=flat)])
    current = run([same("a", -0.05, scores=flat)])
    compare_to_baseline(current, base, INFO, suite, lambda a, b: 1.0)
    a = current.case("a")
    assert a.noise_sd is not None and a.max_drop == 0.10 and not a.regression


def test_older_baseline_without_noise_falls_back_to_samples_and_says_so(suite):
    current = compared(suite, {"a": -0.046})
    assert current.case("a").noise_df == 8  # 4 from the baseline's samples, 4 from this run
    assert any("records no per-case noise for 1 compared case " in w for w in current.warnings)


def test_a_baseline_carries_its_noise_history_forward(suite):
    base_case = same("a")
    base_case.noise_sd, base_case.noise_df = 0.02, 40
    current = compared(suite, {"a": -0.046}, base_cases=[base_case])
    a = current.case("a")
    assert a.noise_df == 44
    assert a.noise_sd == pytest.approx(((40 * 0.02**2 + 4 * 0.0158**2) / 44) ** 0.5, abs=1e-4)
    assert not any("records no per-case noise" in w for w in current.warnings)


def test_a_one_sample_baseline_is_not_called_older(suite):
    """One sample has no spread to record, whatever driftgate wrote it: no warning that the
    baseline is old and that the next one will record noise (it won't, with one sample)."""
    recorded = same("a")
    recorded.noise_sd, recorded.noise_df = 0.02, 4
    current = compared(suite, {"a": 0.0, "chat": 0.0}, base_cases=[recorded, case("chat", [0.9])])
    assert not any("records no per-case noise" in w for w in current.warnings)
    older = compared(suite, {"a": 0.0, "chat": 0.0}, base_cases=[same("a"), same("chat")])
    assert any("records no per-case noise for 2 compared cases" in w for w in older.warnings)


def test_one_sample_each_side_and_no_noise_is_the_plain_rule(suite):
    base = run([case("a", [0.95])])
    current = run([case("a", [0.89])], gate=GateSettings(confidence=0.99))
    compare_to_baseline(current, base, INFO, suite, lambda a, b: 1.0)
    a = current.case("a")
    assert a.p_value is None and a.max_drop == 0.05 and a.regression
    assert "the plain rule" in a.regression_reason


def test_calibrated_noise_lets_one_sample_be_tested(suite_file):
    calibrated = "critical: true, noise_sd: 0.03, noise_samples: 20}"
    suite = suite_file(SUITE.replace("critical: true}", calibrated, 1))
    base = run([case("a", [0.95])])
    current = run([case("a", [0.89])])
    compare_to_baseline(current, base, INFO, suite, lambda a, b: 1.0)
    a = current.case("a")
    assert a.noise_df == 19 and a.p_value == pytest.approx(0.0867, abs=1e-3)
    assert not a.regression  # a 0.06 drop is 1.4 se with one sample: noise can do that


def test_the_verdict_corrects_across_merged_shards_from_the_results_alone():
    """Two shards each with one critical case at p = 0.006: each alone would block; the
    merged run (summarize reads only the results) corrects for both and does not."""
    cases = []
    for name in ("a", "b"):
        c = case(name, BASE, threshold=0.5, critical=True)
        c.comparable, c.delta, c.baseline_similarity = True, -0.05, 0.90
        c.p_value = c.p_value_first = 0.006
        c.max_drop, c.noise_sd, c.noise_df = 0.02, 0.03, 8
        c.regression = True  # what each shard decided alone
        cases.append(c)
    merged = run(cases, gate=GateSettings(confidence=0.99))
    summarize(merged)
    assert merged.summary.critical_regressions == 0 and merged.summary.verdict == "pass"
    assert all(c.p_adjusted == 0.012 for c in merged.cases)


def test_first_look_spends_its_share_and_the_last_look_the_rest():
    c = case("a", BASE, threshold=0.5, critical=True)
    c.comparable, c.delta, c.baseline_similarity, c.max_drop = True, -0.05, 0.9, 0.02
    c.p_value_first, c.p_value = 0.001, 0.009  # strong at 5 samples; weaker with more
    results = run([c])
    results.gate = GateSettings(confidence=0.99, alpha_first_look=0.002)
    decide_regressions(results)
    assert c.regression and c.p_adjusted == 0.001  # decided at the first look
    c.p_value_first = 0.003  # not at the first look (0.002); 0.009 > 0.008 at the last
    decide_regressions(results)
    assert not c.regression


def test_more_samples_only_for_an_ambiguous_critical_drop(suite):
    current = compared(suite, {"a": -0.025, "b": 0.0, "c": -0.2, "chat": -0.025})
    current.gate.alpha_first_look = 0.002
    decide_regressions(current)
    bounds = {"a": 20, "b": 20, "c": 20, "chat": 20}
    # a: ambiguous; b: no drop; c: decided at the first look; chat: can't block
    assert more_samples(current, suite, bounds) == {"a": 5}
    assert more_samples(current, suite, {**bounds, "a": 5}) == {}  # no room left


def test_the_comment_says_how_sure_the_gate_is(suite):
    current = compared(suite, {"a": -0.046, "b": 0.0, "c": 0.0})
    summarize(current)
    text = render_markdown(current)
    assert "drop 0.05, 2.9× this case's noise (sd 0.016), p = 0.00" in text
    assert "after correction for 3 critical cases" in text


def test_a_nan_similarity_is_never_compared_as_if_it_were_a_number(suite):
    base = run([same("a")])
    current = run([case("a", [0.9, float("nan"), 0.9, 0.9, 0.9], threshold=0.5)])
    compare_to_baseline(current, base, INFO, suite, lambda a, b: 1.0)
    a = current.case("a")
    assert a.comparable is False and a.p_value is None and "not a number" in a.comparison_note
