import pytest

from driftgate.compare.baseline import load_baseline_file
from driftgate.compare.drift import baseline_texts, compare_to_baseline
from driftgate.compare.rules import baseline_gate_reasons
from driftgate.errors import UsageError
from driftgate.results import BaselineInfo, GateSettings
from driftgate.text import short_hash

from .conftest import case, run

SUITE = """
eval_suite:
  name: support bot
  max_drop: 0.05
  {gate}
  cases:
    - name: refunds
      prompt: p
      expected: Refunds take 5 days.
      critical: true
    - name: greeting
      prompt: p
      expected: Hello there.
    - name: tone
      prompt: p
      expected: Be kind.
      max_drop: 0.20
"""

INFO = BaselineInfo(source="base.json", commit="0123456789abcdef", age_hours=3.0)


def gated(results, suite):
    """The gate settings the pipeline records in every results file."""
    gate = suite.gate
    results.gate = GateSettings(
        fail_on_regression=gate.fail_on_regression,
        max_latency_increase=gate.max_latency_increase,
        max_cost_increase=gate.max_cost_increase,
    )
    return results


def words_overlap(a: str, b: str) -> float:
    """A stand-in similarity that is easy to compute by hand: shared words / all words."""
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / len(wa | wb)


@pytest.fixture
def suite(suite_file):
    return suite_file(SUITE.format(gate=""))


def test_critical_drop_blocks_even_above_threshold(suite):
    baseline = run([case("refunds", [0.95]), case("greeting", [0.90]), case("tone", [0.9])])
    current = run([case("refunds", [0.82]), case("greeting", [0.84]), case("tone", [0.75])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    refunds = current.case("refunds")
    assert refunds.baseline_similarity == 0.95 and refunds.delta == pytest.approx(-0.13)
    assert refunds.regression and refunds.comparable and refunds.delta_ci is None
    greeting = current.case("greeting")
    assert greeting.regression and not greeting.critical
    assert not current.case("tone").regression  # its own max_drop is 0.20
    assert current.summary.regressions == 2 and current.summary.critical_regressions == 1

    reasons = baseline_gate_reasons(gated(current, suite))
    assert len(reasons) == 1  # non-critical regressions only fail with fail_on_regression
    assert "critical case 'refunds' regressed: similarity 0.95 → 0.82" in reasons[0]
    assert "still above its threshold 0.80" in reasons[0]


def test_fail_on_regression_fails_on_any_regression(suite_file):
    suite = suite_file(SUITE.format(gate="gate: {fail_on_regression: true}"))
    baseline = run([case("greeting", [0.90])])
    current = run([case("greeting", [0.84])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    assert [r.split(":")[0] for r in baseline_gate_reasons(gated(current, suite))] == [
        "case 'greeting' regressed"
    ]


def test_sampling_noise_is_reported_not_blocked(suite):
    baseline = run([case("refunds", [0.90, 0.80, 0.95, 0.85, 0.92])])
    current = run([case("refunds", [0.70, 0.95, 0.90, 0.75, 0.83])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    refunds = current.case("refunds")
    assert refunds.delta < -0.05 and not refunds.regression
    low, high = refunds.delta_ci
    assert low < 0 < high
    assert "within this case's noise (p = 0.15" in refunds.comparison_note
    assert baseline_gate_reasons(gated(current, suite)) == []


def test_significant_drop_with_samples_blocks(suite):
    baseline = run([case("refunds", [0.90, 0.91, 0.89, 0.90])])
    current = run([case("refunds", [0.80, 0.81, 0.79, 0.80])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    refunds = current.case("refunds")
    assert refunds.regression and refunds.delta_ci[1] < 0
    assert refunds.noise_df == 6 and refunds.p_adjusted < 0.001
    reason = baseline_gate_reasons(gated(current, suite))[0]
    assert "drop 0.10, 12.2× this case's noise (sd 0.008), p < 0.001" in reason


def test_other_embedding_model_is_not_comparable(suite):
    baseline = run([case("refunds", [0.95])], embedding_model="all-mpnet-base-v2")
    current = run([case("refunds", [0.60], output="an other answer")])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    refunds = current.case("refunds")
    assert refunds.comparable is False and not refunds.regression and refunds.delta is None
    assert "all-mpnet-base-v2" in refunds.comparison_note
    # output drift does not depend on the scoring model: still reported
    assert refunds.output_drift == pytest.approx(2 / 3, abs=1e-4)
    assert current.summary.critical_regressions == 0


def test_changed_expected_text_is_not_comparable(suite):
    old = case("refunds", [0.95], expected_hash=short_hash("Refunds take 10 days."))
    same = case("greeting", [0.95], expected_hash=short_hash("Hello there."))
    baseline = run([old, same])
    current = run(
        [
            case("refunds", [0.50], expected_hash=short_hash("Refunds take 5 days.")),
            case("greeting", [0.50], expected_hash=short_hash("Hello there.")),
        ]
    )
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    refunds, greeting = current.case("refunds"), current.case("greeting")
    assert refunds.comparable is False and not refunds.regression
    assert refunds.comparison_note.startswith("expected text changed since the baseline")
    assert "0123456" in refunds.comparison_note
    assert greeting.comparable and greeting.regression


def test_errored_baseline_case_is_not_comparable(suite):
    baseline = run([case("refunds", [None])])
    current = run([case("refunds", [0.9])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    assert current.case("refunds").comparable is False
    assert "baseline has no similarity" in current.case("refunds").comparison_note


def test_new_and_removed_cases_and_review_warning(suite):
    baseline = run([case("refunds", [0.90]), case("greeting", [0.90]), case("retired", [0.9])])
    skipped = case("tone", [0.9], selected=False)
    skipped.status = "skipped"
    current = run([case("refunds", [0.86]), case("greeting", [0.83]), skipped])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    s = current.summary
    assert s.removed_cases == ["retired"]
    assert s.new_cases == []  # 'tone' did not run: neither new nor compared
    assert current.case("tone").comparable is None
    assert s.mean_delta == pytest.approx(-0.055)
    assert "mean similarity dropped by 0.055 over 2 compared cases" in s.review_warning
    assert s.baseline is INFO

    current = run([case("refunds", [0.90]), case("tone", [0.9])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    assert current.summary.new_cases == ["tone"] and current.summary.review_warning is None
    assert current.case("tone").comparison_note == "new case: no baseline result yet"


def test_output_drift_and_baseline_texts(suite):
    baseline = run(
        [
            case("refunds", [0.9], output="refunds take five days"),
            case("greeting", [0.9], output="hi"),
        ]
    )
    current = run([case("refunds", [0.9], output="refunds take ten days")])
    assert baseline_texts(baseline, ["refunds"]) == ["refunds take five days"]
    asked = []

    def similarity(a, b):
        asked.append(a)
        return words_overlap(a, b)

    compare_to_baseline(current, baseline, INFO, suite, similarity)
    assert current.case("refunds").output_drift == pytest.approx(3 / 5, abs=1e-4)
    assert set(asked) <= set(baseline_texts(baseline, ["refunds"]))


def test_latency_and_cost_drift_ignore_cache_hits(suite_file):
    suite = suite_file(SUITE.format(gate="gate: {max_latency_increase: 0.5, max_cost_increase: 1}"))
    baseline = run(
        [
            case("refunds", [0.9, 0.9], latency=1.0, cost=0.01),
            case("greeting", [0.9], latency=2.0, cost=0.02),
            case("tone", [0.9], latency=0.0, cost=0.0, cached=True),  # a cache hit
        ]
    )
    current = run(
        [
            case("refunds", [0.9, 0.9], latency=1.8, cost=0.01),
            case("greeting", [0.9], latency=3.2, cost=0.02),
            case("tone", [0.9], latency=5.0, cost=0.5),  # no real baseline call to compare with
        ]
    )
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    s = current.summary
    assert current.case("refunds").baseline_latency_s == 1.0
    assert current.case("tone").baseline_latency_s is None
    assert s.baseline_latency_median_s == 1.0
    assert s.latency_increase == pytest.approx(0.8)  # median 1.8 vs 1.0
    assert s.cost_increase == pytest.approx(0.0)
    reasons = baseline_gate_reasons(gated(current, suite))
    assert reasons == [
        "median latency +80% against the baseline (gate.max_latency_increase allows +50%)"
    ]


def test_baseline_pass_at_1_over_compared_cases(suite):
    baseline = run(
        [case("refunds", [0.9, 0.7]), case("greeting", [0.9, 0.9]), case("retired", [0.1])]
    )
    current = run([case("refunds", [0.9, 0.9]), case("greeting", [0.9, 0.9])])
    compare_to_baseline(current, baseline, INFO, suite, words_overlap)
    assert current.summary.baseline_pass_at_1 == pytest.approx(0.75)


def test_no_baseline_leaves_comparison_empty(suite):
    current = run([case("refunds", [0.9])])
    compare_to_baseline(current, None, None, suite, words_overlap)
    assert current.summary.baseline is None and current.case("refunds").comparable is None


def test_load_baseline_file(tmp_path):
    path = tmp_path / "base.json"
    run([case("refunds", [0.9])], git_sha="abc123", created_at="2020-01-01T00:00:00Z").write(path)
    results, info = load_baseline_file(path)
    assert results.case("refunds").similarity == 0.9
    assert info.commit == "abc123" and info.source == str(path) and info.age_hours > 40000
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(UsageError, match=r"bad.json:1:2: not valid JSON"):
        load_baseline_file(tmp_path / "bad.json")
