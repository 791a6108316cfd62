"""Reading a suite file: the budgeted event-stream loader against the loader it replaced.

    .venv/bin/python benchmarks/bench_suite_load.py [CASES]

Prints, side by side in one run (best of 3): the time to parse a generated suite of CASES
cases (default 2000) with driftgate's loader (positions, duplicate keys, alias budget, depth
limit), with the node-graph loader it replaced (commit 3bee59d, read with `git show`), and
with PyYAML's bare `safe_load` and libyaml's `CSafeLoader` (no positions); then what a
"billion laughs" alias bomb costs each loader: the new one stops at the budget, the old one
expands everything.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
import types
from pathlib import Path

import yaml

from driftgate.config.yaml_positions import YAMLStructureError, load_located

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "3bee59d"


def old_loader():
    """The previous yaml_positions module, loaded from git history."""
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:src/driftgate/config/yaml_positions.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("old_yaml_positions")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, "old_yaml_positions.py", "exec"), module.__dict__)
    return module.load_located


def suite_text(cases: int) -> str:
    rows = ["eval_suite:", "  name: bench", "  cases:"]
    for i in range(cases):
        rows += [
            f"    - name: case_{i}",
            f'      prompt: "Summarize ticket {i}: {{ticket}}"',
            f"      vars: {{ticket: 'T-{i}'}}",
            f"      expected: The customer reports problem number {i} after the update.",
            "      min_similarity: 0.8",
            f"      tags: [t{i % 7}, billing]",
            f'      trigger_paths: ["src/features/f{i % 50}/**"]',
        ]
    return "\n".join(rows) + "\n"


def bomb(levels: int) -> str:
    rows = ["eval_suite:", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        rows.append(f"  l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(rows) + "\n"


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measured(fn) -> tuple[float, float, str]:
    """(seconds, peak MiB of Python allocations, outcome)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        fn()
        outcome = "expanded"
    except YAMLStructureError as exc:
        outcome = f"stopped at line {exc.line}"
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return took, peak, outcome


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    old = old_loader()
    text = suite_text(cases)
    print(f"suite of {cases} cases ({len(text.encode()) / 1024:.0f} KiB), best of 3:")
    new_s = best(lambda: load_located(text))
    old_s = best(lambda: old(text))
    bare_s = best(lambda: yaml.safe_load(text))
    fast_s = best(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    print(f"  driftgate loader (events, budget)     {new_s:7.3f} s  {new_s / old_s:5.2f}x old")
    print(f"  previous loader (node graph)          {old_s:7.3f} s  1.00x")
    print(f"  yaml.safe_load (no positions)         {bare_s:7.3f} s  {bare_s / old_s:5.2f}x old")
    print(f"  yaml CSafeLoader (no positions)       {fast_s:7.3f} s  {fast_s / old_s:5.2f}x old")
    assert load_located(text).data == old(text).data
    print("alias bomb (9 values per level), time and peak Python memory:")
    for levels in (5, 6, 9):
        source = bomb(levels)
        took, peak, outcome = measured(lambda source=source: load_located(source))
        print(
            f"  {levels} levels ({len(source)} bytes, {9**levels:,} values): driftgate "
            f"{took * 1000:8.1f} ms {peak:7.1f} MiB ({outcome})"
        )
        if levels <= 6:  # the old loader would run for minutes beyond this
            took, peak, outcome = measured(lambda source=source: old(source))
            print(f"  {'':>42} previous  {took * 1000:8.1f} ms {peak:7.1f} MiB ({outcome})")


if __name__ == "__main__":
    main()
