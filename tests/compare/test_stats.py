import statistics
from math import comb

import pytest

from driftgate.compare.stats import (
    Noise,
    drop_interval,
    drop_p_value,
    holm,
    mean_difference_ci,
    pass_at_k,
    pool_noise,
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


def test_noise_pools_by_degrees_of_freedom_and_is_capped():
    assert Noise.of([0.9]) is None
    assert Noise.of([0.8, 0.9, 1.0]) == Noise(pytest.approx(0.1), 2)
    pooled = pool_noise(Noise(0.02, 4), None, Noise(0.04, 12))
    assert pooled.df == 16
    assert pooled.sd == pytest.approx(((4 * 0.02**2 + 12 * 0.04**2) / 16) ** 0.5)
    assert pool_noise(Noise(0.03, 90), Noise(0.03, 30)).df == 100  # history can't drown news
    assert pool_noise(None, None) is None


def test_drop_p_value_is_scipys_one_sided_pooled_t_test():
    from scipy import stats

    base = [0.88, 0.91, 0.86, 0.90, 0.87, 0.89]
    now = [0.80, 0.85, 0.79, 0.83]
    noise = pool_noise(Noise.of(base), Noise.of(now))
    delta = statistics.fmean(now) - statistics.fmean(base)
    expected = stats.ttest_ind(now, base, equal_var=True, alternative="less").pvalue
    assert drop_p_value(delta, len(base), len(now), noise) == pytest.approx(expected)
    low, high = drop_interval(delta, len(base), len(now), noise, 0.90)
    ci = stats.ttest_ind(now, base, equal_var=True).confidence_interval(0.90)
    assert (low, high) == pytest.approx((ci.low, ci.high))


def test_a_rise_is_never_a_drop_and_zero_noise_decides_on_the_sign():
    assert drop_p_value(+0.05, 5, 5, Noise(0.03, 8)) > 0.98
    assert drop_p_value(-0.01, 5, 5, Noise(0.0, 8)) == 0.0
    assert drop_p_value(0.0, 5, 5, Noise(0.0, 8)) == 1.0


def test_holm_matches_statsmodels_free_hand_computation():
    # sorted 0.001, 0.01, 0.04 -> 3*0.001, max(.., 2*0.01), max(.., 1*0.04)
    assert holm([0.04, 0.001, 0.01]) == pytest.approx([0.04, 0.003, 0.02])
    # monotone: a later step never gets a smaller adjusted p than an earlier one
    assert holm([0.01, 0.011, 0.5]) == pytest.approx([0.03, 0.03, 0.5])
    assert holm([0.6, 0.7]) == [1.0, 1.0]
    assert holm([]) == []


def test_welch_interval_matches_scipy():
    from scipy import stats

    base = [0.88, 0.91, 0.86, 0.90, 0.87, 0.89]
    now = [0.80, 0.85, 0.79, 0.83]
    low, high = mean_difference_ci(base, now, 0.90)
    res = stats.ttest_ind(now, base, equal_var=False)
    ci = res.confidence_interval(0.90)
    assert (low, high) == pytest.approx((ci.low, ci.high))


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
