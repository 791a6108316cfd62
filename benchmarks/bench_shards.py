"""Shard split and merge figures: balance, cases moved, merge time. Prints; asserts nothing.

.venv/bin/python benchmarks/bench_shards.py
"""

from __future__ import annotations

import hashlib
import statistics
import time

from driftgate.merge import merge_results
from driftgate.results import CaseResult, RunResults
from driftgate.shard import Shard, apply_shard, assign, preferences

FEATURES = ["routing", "refund", "summary", "search", "sql", "support", "billing", "intent"]


def names(count: int, offset: int = 0) -> list[str]:
    return [f"{FEATURES[i % len(FEATURES)]}_{i:05d}" for i in range(offset, offset + count)]


def pure(all_names: list[str], total: int) -> dict[str, int]:
    """Plain rendezvous: every case in its first-choice shard, whatever the load."""
    return {name: preferences(name, total)[0] for name in all_names}


def modulo(name: str, total: int) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % total + 1


def round_robin(all_names: list[str], total: int) -> dict[str, int]:
    return {name: i % total + 1 for i, name in enumerate(sorted(all_names))}


def largest(owners: dict[str, int], total: int) -> float:
    sizes = [0] * total
    for shard in owners.values():
        sizes[shard - 1] += 1
    return max(sizes) / (len(owners) / total)


def balance() -> None:
    print("Balance: largest shard / mean shard size (1.00 = perfect); bounded | plain rendezvous")
    print(f"{'cases':>6} " + " ".join(f"{'N=' + str(n):>13}" for n in (2, 4, 8, 16)))
    for count in (50, 200, 1000, 5000):
        pool = names(count)
        row = [
            f"{largest(assign(pool, n), n):5.2f} | {largest(pure(pool, n), n):5.2f}"
            for n in (2, 4, 8, 16)
        ]
        print(f"{count:>6} " + " ".join(f"{r:>13}" for r in row))


def weighted() -> None:
    print("\nWork balance when 10% of cases take 10 samples (200 cases): largest shard's")
    print("samples / mean shard's samples")
    pool = names(200)
    weights = {name: 10 if i % 10 == 0 else 1 for i, name in enumerate(pool)}
    for total in (2, 4, 8):
        mean = sum(weights.values()) / total
        rows = []
        for owners in (assign(weights, total), assign(pool, total), pure(pool, total)):
            load = [0] * total
            for name, shard in owners.items():
                load[shard - 1] += weights[name]
            rows.append(max(load) / mean)
        print(
            f"  N={total}: by samples {rows[0]:.2f} · by count {rows[1]:.2f} · plain {rows[2]:.2f}"
        )


def moved_on_resize() -> None:
    print("\nCases moved when going from N to N+1 shards (1000 cases)")
    print(f"{'N':>3} {'bounded':>8} {'plain':>6} {'hash % N':>9} {'ideal':>6}")
    pool = names(1000)
    for total in (2, 4, 8):
        a, b = assign(pool, total), assign(pool, total + 1)
        bounded = sum(a[n] != b[n] for n in pool) / len(pool)
        p, q = pure(pool, total), pure(pool, total + 1)
        plain = sum(p[n] != q[n] for n in pool) / len(pool)
        mod = sum(modulo(n, total) != modulo(n, total + 1) for n in pool) / len(pool)
        print(f"{total:>3} {bounded:>8.1%} {plain:>6.1%} {mod:>9.1%} {1 / (total + 1):>6.1%}")


def moved_on_add() -> None:
    print("\nExisting cases moved when cases are added (1000 cases, 4 shards)")
    pool = names(1000)
    for added in (1, 10, 100):
        new = names(added, offset=1000)
        a, b = assign(pool, 4), assign(pool + new, 4)
        bounded = sum(a[n] != b[n] for n in pool)
        before, after = round_robin(pool, 4), round_robin(pool + new, 4)
        rr = sum(before[n] != after[n] for n in pool)
        print(
            f"  +{added:<3} bounded rendezvous: {bounded:>3} of 1000 moved; plain rendezvous: "
            f"0; sorted round-robin: {rr:>3}"
        )


def merge_time() -> None:
    print("\nmerge_results time (best of 5)")
    for count, total in ((200, 4), (1000, 8), (5000, 16)):
        base = RunResults(
            suite="bench",
            suite_path="llm-evals.yaml",
            suite_hash="0" * 64,
            embedding_model="all-MiniLM-L6-v2",
            cases=[
                CaseResult(name=n, status="passed", similarity=0.9, pass_rate=1.0, samples_n=1)
                for n in names(count)
            ],
        )
        shards = []
        for index in range(1, total + 1):
            part = base.model_copy(deep=True)
            apply_shard(part, Shard(index, total))
            shards.append(part)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            merge_results(shards)
            times.append(time.perf_counter() - started)
        print(
            f"  {count:>5} cases x {total:>2} shards: {min(times) * 1000:7.1f} ms "
            f"(median {statistics.median(times) * 1000:.1f} ms)"
        )


if __name__ == "__main__":
    balance()
    weighted()
    moved_on_resize()
    moved_on_add()
    merge_time()
