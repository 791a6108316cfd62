from math import comb

import pytest

from driftgate.compare.stats import (
    mean_difference_ci,
    pass_at_k,
    regression_test,
    suite_pass_at,
)


def test_pass_at_k_matches_hand_computation():
    # n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10
    assert pass_at_k(5, 2, 2) == pytest.approx(0.7)
    # k=1 is the plain pass rate
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    # n=10, c=1, k=3: 1 - C(9,3)/C(10,3) = 1 - 84/120
    assert pass_at_k(10, 1, 3) == pytest.approx(0.3)
    assert pass_at_k(4, 0, 2) == 0.0
    assert pass_at_k(4, 3, 2) == 1.0  # fewer than k failures: some draw must pass
    assert pass_at_k(20, 7, 5) == pytest.approx(1 - comb(13, 5) / comb(20, 5))


def test_pass_at_k_rejects_impossible_counts():
    with pytest.raises(ValueError, match="needs at least 5 samples"):
        pass_at_k(3, 1, 5)
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_suite_pass_at_is_mean_of_case_rates_and_skips_unestimable_k():
    at_1, at_k, skipped = suite_pass_at([(5, 5), (5, 2), (2, 1), (0, 0)], [1, 2, 3])
    assert at_1 == pytest.approx((1 + 0.4 + 0.5) / 3)
    assert at_k["2"] == pytest.approx((1 + 0.7 + 1.0) / 3)
    assert "3" not in at_k and skipped == [3]
    assert suite_pass_at([], [1]) == (None, {}, [])


def test_plain_rule_with_one_sample():
    assert regression_test([0.95], [0.82], 0.05, 0.95) == (True, pytest.approx((-0.13, -0.13)))
    assert regression_test([0.95], [0.91], 0.05, 0.95)[0] is False
    # exactly max_drop is not a regression, despite float noise in 0.95 - 0.90
    assert regression_test([0.95], [0.90], 0.05, 0.95)[0] is False


def test_noise_is_not_a_regression_but_a_consistent_drop_is():
    base = [0.90, 0.80, 0.95, 0.85, 0.92]
    noisy = [0.70, 0.95, 0.90, 0.75, 0.83]  # mean drops 0.058, spread is huge
    is_reg, (low, high) = regression_test(base, noisy, 0.05, 0.95)
    assert not is_reg and low < 0 < high
    tight_base = [0.90, 0.91, 0.89, 0.90, 0.90]
    tight_now = [0.80, 0.81, 0.79, 0.80, 0.82]
    is_reg, (low, high) = regression_test(tight_base, tight_now, 0.05, 0.95)
    assert is_reg and low < -0.098 < high < 0


def test_welch_interval_matches_scipy():
    from scipy import stats

    base = [0.88, 0.91, 0.86, 0.90, 0.87, 0.89]
    now = [0.80, 0.85, 0.79, 0.83]
    low, high = mean_difference_ci(base, now, 0.90)
    res = stats.ttest_ind(now, base, equal_var=False)
    ci = res.confidence_interval(0.90)
    assert (low, high) == pytest.approx((ci.low, ci.high))


def test_zero_variance_samples_use_the_observed_delta():
    assert regression_test([0.9, 0.9], [0.8, 0.8], 0.05, 0.95) == (True, (pytest.approx(-0.1),) * 2)
    assert regression_test([0.9, 0.9], [0.9, 0.9], 0.05, 0.95) == (False, (0.0, 0.0))


def test_unestimable_pass_at_k_is_a_config_warning(suite_file):
    suite = suite_file(
        """
        eval_suite:
          name: s
          samples: 3
          pass_at_k: [2, 5]
          cases:
            - {name: a, expected: x}
            - {name: b, expected: y, samples: 10}
        """
    )
    assert [str(w).split(": ", 1)[1] for w in suite.warnings] == [
        "warning: pass@5 needs 5 samples per case and case 'a' has 3; it is not reported "
        "(raise `samples:` to 5 or more)"
    ]
