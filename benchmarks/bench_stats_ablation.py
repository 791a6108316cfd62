"""What each part of the regression rule buys: a fast in-process model of the rule on the
answer pools of bench_stats.py (the same similarities, drawn directly instead of through
the CLI), with one part switched off at a time. bench_stats.py is the measurement of
record; this is how the defaults were chosen. Prints figures, asserts nothing.

Only the three critical cases are modelled (they alone can block). Per trial: a baseline
with `--baseline-samples` answers per critical case (its noise pooled with the previous
baseline's), an unchanged PR and a PR whose critical case (in turn) regressed by 2 sd.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/bench_stats_ablation.py [--trials 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stats import CASES, mixture, similarities  # noqa: E402

from driftgate.compare.sequential import FUTILITY_P  # noqa: E402
from driftgate.compare.stats import Noise, drop_p_value, holm, pool_noise  # noqa: E402

SAMPLES = 5


def simulate(sims, trials, seed, *, alpha, max_samples, base_n, use_holm=True, history=True):
    rng = random.Random(seed)
    critical = [n for n, c in CASES.items() if c["critical"]]
    shares = {n: mixture(sims, n) for n in critical}
    first_alpha = 0.2 * alpha if max_samples > SAMPLES else 0.0
    recorded: dict[str, Noise | None] = {}

    def draw(name, k, dropped):
        q = shares[name] if dropped else 0.0
        return [rng.choice(sims[name]["worse" if rng.random() < q else "good"]) for _ in range(k)]

    def correct(ps):
        return holm(ps) if use_holm else list(ps)

    def trial(dropped):
        base = {n: draw(n, base_n, False) for n in critical}
        for n in critical:
            own = Noise.of(base[n])
            recorded[n] = pool_noise(recorded.get(n), own) if history else own
        now = {n: draw(n, SAMPLES, n == dropped) for n in critical}

        def test(n):
            delta = statistics.fmean(now[n]) - statistics.fmean(base[n])
            noise = pool_noise(recorded[n], Noise.of(now[n]))
            return drop_p_value(delta, len(base[n]), len(now[n]), noise), delta

        first = {n: test(n) for n in critical}
        early = {
            n
            for n, p in zip(critical, correct([first[n][0] for n in critical]), strict=True)
            if p <= first_alpha and first[n][1] < -0.02
        }
        last = dict(first)
        for n in critical:
            while n not in early and len(now[n]) < max_samples:
                p, delta = last[n]
                if delta >= 0 or p >= FUTILITY_P:
                    break
                now[n] += draw(n, SAMPLES, n == dropped)
                last[n] = test(n)
        late = correct([last[n][0] for n in critical])
        blocked = early | {
            n
            for n, p in zip(critical, late, strict=True)
            if p <= alpha - first_alpha and last[n][1] < -0.02
        }
        return blocked, sum(len(v) for v in now.values())

    false = hits = 0
    spent = []
    for t in range(trials):
        blocked, used = trial(None)
        false += bool(blocked)
        spent.append(used)
        dropped = critical[t % len(critical)]
        hits += dropped in trial(dropped)[0]
    return false / trials, hits / trials, statistics.fmean(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    sims = similarities()
    default = dict(alpha=0.005, max_samples=30, base_n=30)
    rows = [
        ("defaults (confidence 0.995, max_samples 30, baseline 30)", {}),
        ("no Holm correction (each case at alpha)", {"use_holm": False}),
        ("no noise history (baseline's own samples only)", {"history": False}),
        ("no sequential sampling (max_samples 5)", {"max_samples": 5}),
        ("baseline not enlarged (5 per critical case)", {"base_n": 5}),
        (
            "confidence 0.99, max_samples 20, baseline 20",
            dict(alpha=0.01, max_samples=20, base_n=20),
        ),
        ("confidence 0.995, max_samples 20, baseline 20", dict(max_samples=20, base_n=20)),
    ]
    print(f"{args.trials} trials each (seed {args.seed}), critical cases only\n")
    header = f"{'variant':56} | {'false block':>11} | {'detection':>9} | critical samples / PR"
    print(header)
    print("-" * len(header))
    for label, change in rows:
        false, hit, spent = simulate(sims, args.trials, args.seed, **{**default, **change})
        print(f"{label:56} | {false:>11.2%} | {hit:>9.1%} | {spent:.1f} (unchanged PR)")


if __name__ == "__main__":
    main()
