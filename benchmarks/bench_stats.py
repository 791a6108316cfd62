"""Does the gate tell a regression from sampling noise? Prints figures, asserts nothing.

A stochastic target of fixed quality (every sample's similarity ~ N(0.88, 0.03)) on a
20-case suite with 3 critical cases, max_drop 0.05. Each simulated PR compares a fresh run
with a fresh baseline run through the real compare_to_baseline (Welch interval at 95%).
  false block : no real change, yet a critical case is flagged as a regression
  detection   : one critical case really dropped by 0.10, and it is flagged
"Plain rule" is `delta < -max_drop` on the case means with no significance test.

    PYTHONPATH=src python benchmarks/bench_stats.py [--runs 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from driftgate.compare.drift import compare_to_baseline
from driftgate.compare.stats import regression_test
from driftgate.config.load import load_suite
from driftgate.results import CaseResult, RunResults, SampleResult

CASES, CRITICAL, MEAN, SD, DROP, MAX_DROP = 20, 3, 0.88, 0.03, 0.10, 0.05


def suite_file(folder: Path) -> Path:
    lines = ["eval_suite:", "  name: bench", f"  max_drop: {MAX_DROP}", "  cases:"]
    for i in range(CASES):
        lines += [f"    - name: case{i}", f"      expected: answer {i}"]
        if i < CRITICAL:
            lines.append("      critical: true")
    path = folder / "llm-evals.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def simulated_run(rng: np.random.Generator, n: int, dropped: int | None) -> RunResults:
    cases = []
    for i in range(CASES):
        mean = MEAN - (DROP if i == dropped else 0.0)
        scores = np.clip(rng.normal(mean, SD, n), 0.0, 1.0).tolist()
        cases.append(
            CaseResult(
                name=f"case{i}",
                status="passed",
                similarity=statistics.fmean(scores),
                samples_n=n,
                passes=n,
                samples=[SampleResult(index=k, similarity=s) for k, s in enumerate(scores)],
            )
        )
    return RunResults(suite="bench", suite_path="x", embedding_model="m", cases=cases)


def plain_rule_flags(current: RunResults, baseline: RunResults) -> list[bool]:
    """The same regression_test on the case means only: what a gate without statistics does."""
    return [
        regression_test([b.similarity], [c.similarity], MAX_DROP, 0.95)[0]
        for c, b in zip(current.cases, baseline.cases, strict=True)
    ]


def trial(suite, rng, n: int, dropped: int | None) -> tuple[bool, bool, bool]:
    """(critical block with the gate, critical block with the plain rule, any regression)."""
    baseline = simulated_run(rng, n, None)
    current = simulated_run(rng, n, dropped)
    plain = plain_rule_flags(current, baseline)
    compare_to_baseline(current, baseline, None, suite, lambda a, b: 1.0)
    gate_block = current.summary.critical_regressions > 0
    if dropped is not None:  # detection means flagging the case that really dropped
        gate_block = current.cases[dropped].regression
        return gate_block, plain[dropped], current.summary.regressions > 0
    return gate_block, any(plain[:CRITICAL]), current.summary.regressions > 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suite = load_suite(suite_file(Path(tmp)), root=Path(tmp))
    rng = np.random.default_rng(args.seed)
    print(
        f"{args.runs} simulated PRs per row; similarity ~ N({MEAN}, {SD}) per sample, "
        f"{CASES} cases ({CRITICAL} critical), max_drop {MAX_DROP}, planted drop {DROP}\n"
    )
    header = (
        f"{'samples N':>9} | {'false critical block':>20} | {'(plain rule)':>12} | "
        f"{'any false regression':>20} | {'detects 0.10 drop':>17} | {'(plain rule)':>12} | "
        f"{'ms/PR':>5}"
    )
    print(header)
    print("-" * len(header))
    for n in (1, 2, 3, 5, 10):
        started = time.perf_counter()
        null = [trial(suite, rng, n, None) for _ in range(args.runs)]
        hit = [trial(suite, rng, n, 0) for _ in range(args.runs)]
        ms = (time.perf_counter() - started) * 1000 / (2 * args.runs)

        def rate(rows, column):
            return sum(r[column] for r in rows) / len(rows)

        print(
            f"{n:>9} | {rate(null, 0):>20.1%} | {rate(null, 1):>12.1%} | "
            f"{rate(null, 2):>20.1%} | {rate(hit, 0):>17.1%} | {rate(hit, 1):>12.1%} | {ms:>5.1f}"
        )
    print(
        "\nGoals: false critical block <= 1% and detection >= 95% at N = 5. With N = 1 the "
        "gate is the plain rule (one sample cannot show its own noise)."
    )


if __name__ == "__main__":
    main()
