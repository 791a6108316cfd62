"""The statistics behind the gate: pass@k over repeated samples, and a drop test that
separates a real regression from sampling noise.

Kept free of results objects so the benchmark and the tests exercise exactly the code the
gate runs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

# Float noise (0.95 - 0.90 is 0.04999...) must not decide a block at exactly max_drop.
EPS = 1e-9


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Codex paper): the chance that at least one of k draws passes."""
    if not 0 <= c <= n:
        raise ValueError(f"passes c={c} must be between 0 and samples n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got n={n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def suite_pass_at(
    counts: Iterable[tuple[int, int]], ks: Sequence[int]
) -> tuple[float | None, dict[str, float], list[int]]:
    """Suite pass@1 (mean over cases of c/N) and pass@k for each k every case can estimate.

    `counts` holds (n, c) per case that ran. Returns (pass_at_1, {k: value}, ks left out
    because some case has fewer than k samples).
    """
    counts = [(n, c) for n, c in counts if n > 0]
    if not counts:
        return None, {}, []
    at_1 = statistics.fmean(c / n for n, c in counts)
    at_k: dict[str, float] = {}
    skipped: list[int] = []
    for k in ks:
        if all(n >= k for n, _ in counts):
            at_k[str(k)] = statistics.fmean(pass_at_k(n, c, k) for n, c in counts)
        else:
            skipped.append(k)
    return at_1, at_k, skipped


def mean_difference_ci(
    baseline: Sequence[float], current: Sequence[float], confidence: float
) -> tuple[float, float]:
    """Welch's two-sided interval for mean(current) - mean(baseline); needs ≥ 2 per side.

    Welch rather than Student: a change often alters the spread of the scores too.
    """
    nb, nc = len(baseline), len(current)
    if nb < 2 or nc < 2:
        raise ValueError("a confidence interval needs at least 2 samples on each side")
    delta = statistics.fmean(current) - statistics.fmean(baseline)
    vb = statistics.variance(baseline) / nb
    vc = statistics.variance(current) / nc
    se = math.sqrt(vb + vc)
    if se == 0.0:  # deterministic outputs: the observed delta is the delta
        return delta, delta
    df = (vb + vc) ** 2 / (vb**2 / (nb - 1) + vc**2 / (nc - 1))
    from scipy.special import stdtrit  # only the t quantile; scipy.stats is slow to import

    half = float(stdtrit(df, (1.0 + confidence) / 2.0)) * se
    return delta - half, delta + half


def regression_test(
    baseline_samples: Sequence[float],
    current_samples: Sequence[float],
    max_drop: float,
    confidence: float,
) -> tuple[bool, tuple[float, float]]:
    """Is this a regression? The mean must drop by more than `max_drop` and, with ≥ 2
    samples on both sides, the drop must be significant: the whole interval at
    `confidence` lies below zero. With one sample on a side the plain rule applies and
    the interval is the point delta.
    """
    if not baseline_samples or not current_samples:
        raise ValueError("regression_test needs at least one sample on each side")
    delta = statistics.fmean(current_samples) - statistics.fmean(baseline_samples)
    dropped = delta < -max_drop - EPS
    if len(baseline_samples) < 2 or len(current_samples) < 2:
        return dropped, (delta, delta)
    low, high = mean_difference_ci(baseline_samples, current_samples, confidence)
    return dropped and high < 0.0, (low, high)
