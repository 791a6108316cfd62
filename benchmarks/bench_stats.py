"""Does the gate tell a regression from model noise? Prints figures, asserts nothing.

A realistic noisy suite (benchmarks/_noisy_suite.py): six engineering questions, three of
them critical, each answered by a stochastic "model" that picks one of 6-7 hand-written
answers (same facts, other words; per-case similarity sd 0.02-0.06 with the real
embedder). `samples: 5`, every other setting default, thresholds set just below every good
answer's score. Each trial, through the CLI's `main()` in this process:

  1. main branch: `driftgate run --all --update-baseline` records a fresh baseline (on a
     local bare `origin`, so each baseline carries the noise history of the previous one);
  2. an unchanged PR: `driftgate run --all` on fresh draws -> exit 1 is a false block;
  3. a regressed PR: one critical case (in turn) answers from a mixture of its good
     answers and hand-written worse ones (a fact dropped or blurred), mixed so that its
     mean similarity falls by DROP_IN_SD x its own sd -> exit 1 is a detection.

Today's rule (commit OLD_REF: max_drop 0.05 and Welch 95% per case, pass@1 >= 1.0 over
samples) runs the same draws through its own CLI in a second interpreter, with a baseline
file recorded from the same main-branch draws. Figures: rates with Wilson 95% intervals,
and the samples each PR run actually spent.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/bench_stats.py [--trials 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _noisy_suite import CASES  # noqa: E402

from driftgate.cli import main as driftgate_main  # noqa: E402
from driftgate.results import read_results  # noqa: E402
from driftgate.score.embedder import Embedder  # noqa: E402

OLD_REF = "3bee59d"  # the last commit with today's rule
SAMPLES = 5
DRAWS = 30  # answers per case in each outputs file: up to the default max_samples (6 x 5)
DROP_IN_SD = 2.0
MARGIN = 0.03  # thresholds: this far below the worst good answer

OLD_DRIVER = """
import contextlib, functools, io, json, sys
import driftgate.score.embedder as e
e.load_model = functools.lru_cache(maxsize=1)(e.load_model)  # speed only: the rule is untouched
from driftgate.cli import main
for line in sys.stdin:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(json.loads(line))
    sys.__stdout__.write(f"{code}\\n")
    sys.__stdout__.flush()
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def similarities() -> dict[str, dict[str, list[float]]]:
    embedder = Embedder("all-MiniLM-L6-v2")
    out = {}
    for name, case in CASES.items():
        texts = [case["expected"], *case["good"], *case.get("worse", [])]
        embedder.encode(texts)
        out[name] = {
            kind: [embedder.similarity(case["expected"], t) for t in case.get(kind, [])]
            for kind in ("good", "worse")
        }
    return out


def suite_text(sims) -> str:
    lines = ["eval_suite:", "  name: noisy", f"  samples: {SAMPLES}", "  target:"]
    lines += ["    type: outputs", "    path: outputs.jsonl", "  cases:"]
    for name, case in CASES.items():
        threshold = math.floor((min(sims[name]["good"]) - MARGIN) * 100) / 100
        lines += [f"    - name: {name}", f"      expected: {json.dumps(case['expected'])}"]
        lines.append(f"      min_similarity: {threshold:.2f}")
        if case["critical"]:
            lines.append("      critical: true")
    return "\n".join(lines) + "\n"


def mixture(sims, name: str) -> float:
    """The share of worse answers that lowers the mean by DROP_IN_SD x the case's sd."""
    good, worse = sims[name]["good"], sims[name]["worse"]
    gap = statistics.fmean(good) - statistics.fmean(worse)
    return min(1.0, DROP_IN_SD * statistics.pstdev(good) / gap)


def draws(rng: random.Random, dropped: str | None, share: float) -> list[str]:
    rows = []
    for name, case in CASES.items():
        for i in range(DRAWS):
            worse = name == dropped and rng.random() < share
            text = rng.choice(case["worse"] if worse else case["good"])
            rows.append(json.dumps({"case": name, "sample": i, "output": text}))
    return rows


def run_new(repo: Path, rows: list[str], *flags: str) -> tuple[int, object]:
    (repo / "outputs.jsonl").write_text("\n".join(rows) + "\n")
    out = repo / "results.json"
    argv = ["run", "--config", str(repo / "llm-evals.yaml"), "--all", "-q"]
    argv += ["--cache-dir", str(repo.parent / "cache-new"), "--output-json", str(out), *flags]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = driftgate_main(argv)
    return code, read_results(out)


class OldRule:
    """Today's driftgate, its own CLI in its own interpreter, fed one argv per line."""

    def __init__(self, folder: Path):
        src = folder / "old"
        src.mkdir()
        archive = subprocess.run(
            ["git", "archive", OLD_REF, "src"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": str(src / "src")}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", OLD_DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.folder = folder

    def run(self, repo: Path, rows: list[str], *flags: str) -> int:
        (repo / "outputs.jsonl").write_text("\n".join(rows) + "\n")
        argv = ["run", "--config", str(repo / "llm-evals.yaml"), "--all", "-q"]
        argv += ["--cache-dir", str(self.folder / "cache-old"), "--baseline-branch=", *flags]
        self.proc.stdin.write(json.dumps(argv) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def wilson(hits: int, n: int) -> str:
    if n == 0:
        return "-"
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{p:6.1%} [{max(0, centre - half):.1%}–{min(1, centre + half):.1%}]"


def make_repo(folder: Path, sims) -> Path:
    repo = folder / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "bench")
    (repo / "llm-evals.yaml").write_text(suite_text(sims))
    (repo / ".gitignore").write_text("outputs.jsonl\nresults.json\n*.json\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "suite")
    git(folder, "clone", "-q", "--bare", str(repo), str(folder / "origin.git"))
    git(repo, "remote", "add", "origin", str(folder / "origin.git"))
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sims = similarities()
    critical = [n for n, c in CASES.items() if c["critical"]]
    print(f"suite: {len(CASES)} cases ({len(critical)} critical), samples: {SAMPLES}")
    for name in CASES:
        good = sims[name]["good"]
        line = f"  {name:18} {len(good)} answers, similarity {statistics.fmean(good):.3f}"
        line += f" sd {statistics.pstdev(good):.3f}"
        if name in critical:
            share = mixture(sims, name)
            drop = share * (statistics.fmean(good) - statistics.fmean(sims[name]["worse"]))
            line += f"; regressed: {share:.0%} worse answers, drop {drop:.3f}"
            line += f" = {drop / statistics.pstdev(good):.1f} sd"
        print(line)
    rng = random.Random(args.seed)
    rows = {"new": {"null": [], "drop": []}, "old": {"null": [], "drop": []}}
    spent = {"null": [], "drop": [], "baseline": []}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        repo = make_repo(folder, sims)
        old = OldRule(folder)
        try:
            for trial in range(args.trials):
                dropped = critical[trial % len(critical)]
                main_rows = draws(rng, None, 0.0)
                same_rows = draws(rng, None, 0.0)
                drop_rows = draws(rng, dropped, mixture(sims, dropped))
                _, base = run_new(repo, main_rows, "--update-baseline")
                spent["baseline"].append(base.summary.samples_spent)
                for kind, pr_rows in (("null", same_rows), ("drop", drop_rows)):
                    code, results = run_new(repo, pr_rows)
                    rows["new"][kind].append(code == 1)
                    spent[kind].append(results.summary.samples_spent)
                base_file = folder / "old-base.json"
                old.run(repo, main_rows, "--output-json", str(base_file))
                for kind, pr_rows in (("null", same_rows), ("drop", drop_rows)):
                    rows["old"][kind].append(
                        old.run(repo, pr_rows, "--baseline", str(base_file)) == 1
                    )
                if (trial + 1) % 25 == 0:
                    print(
                        f"  ... {trial + 1} trials, {time.perf_counter() - started:.0f}s",
                        file=sys.stderr,
                    )
        finally:
            old.close()
    n = args.trials
    print(f"\n{n} trials (seed {args.seed}); rates with Wilson 95% intervals\n")
    header = (
        f"{'rule':24} | {'false block (no change)':>26} | {'detects a 2-sd critical drop':>28}"
        " | samples per PR run"
    )
    print(header)
    print("-" * len(header))
    for rule, label in (("old", f"today's rule ({OLD_REF})"), ("new", "new rule (defaults)")):
        null, drop = rows[rule]["null"], rows[rule]["drop"]
        if rule == "old":
            cost = f"{SAMPLES * len(CASES)} always"
        else:
            cost = (
                f"{statistics.fmean(spent['null']):.1f} unchanged, "
                f"{statistics.fmean(spent['drop']):.1f} regressed (max {max(spent['drop'])})"
            )
        print(f"{label:24} | {wilson(sum(null), n):>26} | {wilson(sum(drop), n):>28} | {cost}")
    print(
        f"\nnew rule baseline runs: {statistics.fmean(spent['baseline']):.0f} samples "
        f"(critical cases at max_samples, {6 * SAMPLES} by default); today's: "
        f"{SAMPLES * len(CASES)}"
    )
    print("Goal at samples: 5: false block <= 1% per run, detection >= 90%.")


if __name__ == "__main__":
    main()
