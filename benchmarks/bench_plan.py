"""Plan vs score: what the `mode: plan` step costs next to the scoring step (figures only).

A suite of 200 cases with their own trigger paths in a temporary git repository, each step
in a fresh interpreter as in CI:
1. `driftgate plan --all`, cold cache: wall time, peak memory, whether torch was imported.
2. `driftgate run --all --outputs`: the scoring step that stores the 200 outputs.
3. One case's file edited: `driftgate plan` again lists how many requests.
4. `driftgate run --outputs` on that plan (199 from the cache).

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/bench_plan.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _repo import commit_all

ROOT = Path(__file__).resolve().parent.parent
CASES = 200

PROBE = """
import resource, sys, runpy
sys.argv = ["driftgate", *sys.argv[1:]]
try:
    runpy.run_module("driftgate", run_name="__main__")
except SystemExit as exit:
    code = exit.code
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"PROBE torch={'torch' in sys.modules} peak_mb={peak:.0f} code={code}", file=sys.stderr)
"""


def driftgate(root: Path, *args: str) -> tuple[float, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=root, env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - started
    probe = next(line for line in done.stderr.splitlines() if line.startswith("PROBE"))
    return took, probe.removeprefix("PROBE "), done.stdout


def outputs_for(plan: Path, out: Path) -> int:
    lines = [json.loads(x) for x in plan.read_text().splitlines()]
    out.write_text(
        "".join(
            json.dumps({"case": r["case"], "sample": r["sample"], "output": f"answer {r['case']}"})
            + "\n"
            for r in lines
        )
    )
    return len(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases = []
        for i in range(CASES):
            (root / "answers").mkdir(exist_ok=True)
            (root / "answers" / f"c{i}.txt").write_text(f"answer c{i}\n")
            cases.append(
                {
                    "name": f"c{i}",
                    "prompt": f"question {i}",
                    "expected": f"answer c{i}",
                    "trigger_paths": [f"answers/c{i}.txt"],
                }
            )
        suite = {"eval_suite": {"name": "bench", "cases": cases}}
        (root / "llm-evals.yaml").write_text(yaml.safe_dump(suite))
        commit_all(root, "init")
        common = ["--all", "--cache-dir", ".cache"]
        score_args = [*common, "--baseline-branch", "", "-q", "--outputs", "out.jsonl"]

        plan_s, plan_probe, _ = driftgate(root, "plan", *common, "-o", "plan.jsonl")
        planned = outputs_for(root / "plan.jsonl", root / "out.jsonl")
        score_s, score_probe, _ = driftgate(root, "run", *score_args)
        (root / "answers" / "c7.txt").write_text("changed\n")
        replan_s, replan_probe, _ = driftgate(root, "plan", *common, "-o", "plan.jsonl")
        replanned = outputs_for(root / "plan.jsonl", root / "out.jsonl")
        rescore_s, rescore_probe, _ = driftgate(root, "run", *score_args)

    print(f"{CASES} cases, each step a fresh interpreter")
    print(f"{'step':<34}{'wall s':>8}  requests  probe")
    print(f"{'plan (cold cache)':<34}{plan_s:>8.2f}  {planned:>8}  {plan_probe}")
    print(f"{'score (stores the outputs)':<34}{score_s:>8.2f}  {'':>8}  {score_probe}")
    print(f"{'plan after editing one file':<34}{replan_s:>8.2f}  {replanned:>8}  {replan_probe}")
    print(f"{'score (199 from the cache)':<34}{rescore_s:>8.2f}  {'':>8}  {rescore_probe}")
    print(f"plan / score wall time: {plan_s / score_s:.2f}x")


if __name__ == "__main__":
    main()
