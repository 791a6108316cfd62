"""The statistics behind the gate: pass@k over repeated samples, and a drop test that
separates a real regression from sampling noise: each case's own noise, a one-sided
t test per case, and Holm's correction across the cases of a run.

Kept free of results objects so the benchmark and the tests exercise exactly the code the
gate runs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Float noise (0.95 - 0.90 is 0.04999...) must not decide a block at exactly max_drop.
EPS = 1e-9
NOISE_DF_CAP = 100


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


@dataclass(frozen=True)
class Noise:
    """A case's per-sample similarity spread and the degrees of freedom behind it."""

    sd: float
    df: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Noise | None:
        """The spread of these samples; None with fewer than 2 (one sample shows no noise)."""
        return cls(statistics.stdev(values), len(values) - 1) if len(values) >= 2 else None


def pool_noise(*parts: Noise | None, cap: int = NOISE_DF_CAP) -> Noise | None:
    """One estimate from several (variances weighted by degrees of freedom). Capped so that
    a long history still lets a changed spread show within a few runs."""
    parts = [p for p in parts if p is not None and p.df > 0]
    if not parts:
        return None
    df = sum(p.df for p in parts)
    variance = sum(p.df * p.sd**2 for p in parts) / df
    return Noise(math.sqrt(variance), min(df, cap))


def drop_p_value(delta: float, n_base: int, n_current: int, noise: Noise) -> float:
    """One-sided p-value of a drop: the chance that noise alone makes the mean fall by
    `-delta` or more (pooled t test, `noise.df` degrees of freedom)."""
    se = noise.sd * math.sqrt(1 / n_base + 1 / n_current)
    if se == 0.0:  # deterministic outputs: any drop is real, any rise is not a drop
        return 0.0 if delta < -EPS else 1.0
    from scipy.special import stdtr  # only the t CDF; scipy.stats is slow to import

    return float(stdtr(noise.df, delta / se))


def drop_interval(
    delta: float, n_base: int, n_current: int, noise: Noise, confidence: float
) -> tuple[float, float]:
    """The two-sided interval of the mean difference with the pooled noise."""
    se = noise.sd * math.sqrt(1 / n_base + 1 / n_current)
    if se == 0.0:
        return delta, delta
    from scipy.special import stdtrit

    half = float(stdtrit(noise.df, (1.0 + confidence) / 2.0)) * se
    return delta - half, delta + half


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values: reject where adjusted p <= alpha and the chance
    of any false rejection among all the tests stays <= alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
