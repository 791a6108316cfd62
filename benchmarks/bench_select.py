"""Selection speed: prints figures, asserts nothing.

1. 3000 changed files x 1000 cases x 3 trigger patterns (goal: under 0.5 s), for our matcher
   and, side by side, for pathspec's GitIgnoreSpec compiled per case (the naive way).
2. The whole `select_cases` on a real repository (git ls-files, dead-pattern check included).
3. Wall time of `driftgate run` that selects nothing vs one that scores a single case
   (the first never imports torch / sentence-transformers).

Run: PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/bench_select.py [--skip-run]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pathspec
from _repo import commit_all

from driftgate.config.load import load_suite
from driftgate.select.changes import changes_from_paths
from driftgate.select.patterns import ChangedPaths, PatternList, compile_pattern
from driftgate.select.selection import select_cases

CASES, FILES, FEATURES = 1000, 3000, 2000
SRC = Path(__file__).resolve().parents[1] / "src"


def case_patterns(i: int, kind: str) -> list[str]:
    if kind == "anchored":  # what suites write: each feature's own folders
        return [f"src/features/f{i}/**", f"prompts/f{i}/*.txt", f"!src/features/f{i}/legacy/**"]
    # worst case: every pattern unanchored and different, so no folder can be skipped
    return [f"**/f{i}/**", f"*_f{i}.txt", f"f{i}_*.py"]


def changed_files(rng: random.Random) -> list[str]:
    files = set()
    while len(files) < FILES:
        f = rng.randrange(FEATURES)
        files.add(
            rng.choice(
                [
                    f"src/features/f{f}/mod{rng.randrange(9)}.py",
                    f"src/features/f{f}/legacy/old{rng.randrange(3)}.py",
                    f"prompts/f{f}/system{rng.randrange(3)}.txt",
                    f"docs/f{f}/page{rng.randrange(5)}.md",
                    f"tests/f{f}_test{rng.randrange(5)}.py",
                ]
            )
        )
    return sorted(files)


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_matching() -> None:
    files = changed_files(random.Random(1))
    print(f"1. matching: {FILES} changed files x {CASES} cases x 3 patterns (best of 3)")
    for kind in ("anchored", "unanchored"):
        lists = [case_patterns(i, kind) for i in range(CASES)]

        def ours(lists=lists) -> int:
            compile_pattern.cache_clear()  # include compiling every pattern once
            changed = ChangedPaths(files)
            return sum(bool(PatternList(p).matched(changed, limit=1)) for p in lists)

        def naive(lists=lists) -> int:
            hits = 0
            for patterns in lists:
                spec = pathspec.GitIgnoreSpec.from_lines(patterns)
                hits += any(True for _ in spec.match_files(files))
            return hits

        t_ours = best_of(3, ours)
        t_naive = best_of(1, naive)
        print(
            f"   {kind:10}: driftgate {t_ours:.3f} s ({ours()} cases selected) | "
            f"GitIgnoreSpec per case {t_naive:.2f} s ({naive()} selected) | "
            f"ratio {t_naive / t_ours:.0f}x"
        )


def bench_select_cases(tmp: Path) -> None:
    root = tmp / "big"
    root.mkdir()
    rng = random.Random(2)
    files = changed_files(rng)
    tracked = set(files) | {
        f"{folder}/f{i}/{name}"
        for i in range(CASES)
        for folder, name in (("src/features", "main.py"), ("prompts", "system.txt"))
    }
    for path in sorted(tracked):
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text("x\n")
    lines = [
        "eval_suite:",
        "  name: bench",
        "  target: {type: outputs, path: out.jsonl}",
        "  always_run_paths: [requirements.txt]",
        "  cases:",
    ]
    for i in range(CASES):
        patterns = ", ".join(f'"{p}"' for p in case_patterns(i, "anchored"))
        lines += [f"    - name: c{i}", "      expected: x", f"      trigger_paths: [{patterns}]"]
    (root / "llm-evals.yaml").write_text("\n".join(lines) + "\n")
    commit_all(root, "bench")
    suite = load_suite(root / "llm-evals.yaml")
    changes = changes_from_paths(files, "bench list")
    result = None

    def run() -> None:
        nonlocal result
        compile_pattern.cache_clear()
        result = select_cases(suite, changes)

    took = best_of(3, run)
    print(
        f"2. select_cases: {len(files)} changed of {len(tracked)} tracked files, {CASES} cases, "
        f"all rules and the dead-pattern check (git ls-files): "
        f"{took:.3f} s ({len(result.selected)} selected, "
        f"{len(result.warnings)} warnings)"
    )


SUITE = """\
eval_suite:
  name: wall
  target: {type: command, command: "python -c \\"print('the answer is 42')\\""}
  cases:
    - name: one
      expected: the answer is 42
      trigger_paths: [src/one/**]
    - name: two
      expected: the answer is 42
      trigger_paths: [src/two/**]
"""


def bench_run_wall(tmp: Path) -> None:
    root = tmp / "wall"
    (root / "src" / "one").mkdir(parents=True)
    (root / "src" / "two").mkdir(parents=True)
    (root / "src" / "one" / "a.py").write_text("x\n")
    (root / "src" / "two" / "b.py").write_text("x\n")
    (root / "llm-evals.yaml").write_text(SUITE)
    commit_all(root, "wall")
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}

    def run(changed: str) -> float:
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "driftgate",
                "run",
                "--changed-files",
                "-",
                "--quiet",
                "--no-cache",  # measure the work, not a cache hit
                "--output-json",
                str(tmp / "r.json"),
            ],
            cwd=root,
            input=changed,
            text=True,
            capture_output=True,
            env=env,
            check=False,
        )
        took = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"driftgate run failed: {done.stderr}")
        return took

    nothing = min(run("README.md\n") for _ in range(3))
    one = min(run("src/one/a.py\n") for _ in range(2))
    print(
        f"3. `driftgate run` wall time: selects nothing {nothing:.2f} s | scores one case "
        f"{one:.2f} s | ratio {one / nothing:.1f}x (best of 3 / 2; model load dominates)"
    )


def main() -> None:
    print(
        f"python {sys.version.split()[0]}, pathspec {pathspec.__version__}, {os.cpu_count()} cpus"
    )
    bench_matching()
    with tempfile.TemporaryDirectory() as tmp:
        bench_select_cases(Path(tmp))
        if "--skip-run" not in sys.argv:
            bench_run_wall(Path(tmp))


if __name__ == "__main__":
    main()
