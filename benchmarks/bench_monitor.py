"""`driftgate monitor` on large production logs: throughput and peak memory. Prints only.

.venv/bin/python benchmarks/bench_monitor.py [SIZES]   (default: 10000,100000)

Each size runs the real CLI in its own process, so the peak RSS printed is that run's alone
(torch and the model included). The log is generated: one in twenty samples carries a
context (grounding embeds them), the rest are checked by their task's rules (one in six
also names a case, so its similarity to the case's expected answer is measured), and 1% of
the lines are broken. Memory is bounded when the 100,000-line peak stays near the
10,000-line one; the seeded `--limit` run shows what sampling buys.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

SUITE = """\
eval_suite:
  name: bench
  target: {type: command, command: "true"}
  judge: {policy: never}
  monitor:
    tasks:
      summarize: {checks: {max_length: 400, not_contains: ["As an AI"]}}
      route: {checks: {regex: ["route to \\\\w+"]}}
      answer: {checks: {max_length: 800}}
  cases:
    - name: refund
      expected: "The customer was charged twice and wants a refund; route to Billing."
      task: route
"""

CONTEXTS = [
    f"Deploy v{n} finished at {h:02d}:{m:02d} UTC with {e} errors. Rollback was not needed. "
    f"The on-call engineer was {name}."
    for n, h, m, e, name in [
        (40 + i, (i * 7) % 24, (i * 13) % 60, i % 3, ["Ana", "Bo", "Chen", "Dee"][i % 4])
        for i in range(50)
    ]
]


def log_line(i: int, rng: random.Random) -> str:
    if i % 100 == 99:
        return "{this line is broken"
    task = ["summarize", "route", "answer"][i % 3]
    row: dict = {"id": f"call-{i}", "task": task, "latency_s": round(rng.uniform(0.2, 4.0), 3),
                 "tokens": {"input": rng.randint(200, 2000), "output": rng.randint(20, 300)},
                 "model": "claude-sonnet-4-5", "created_at": "2026-12-01T10:00:00Z"}
    if i % 20 == 0:
        context = CONTEXTS[rng.randrange(len(CONTEXTS))]
        row["context"] = context
        row["output"] = context.split(". ")[0] + "." if rng.random() < 0.8 else (
            f"Deploy v{rng.randint(1, 99)} failed and was rolled back."
        )
    else:
        row["output"] = (
            f"Ticket {i}: the customer reports a problem with invoice {rng.randint(1000, 9999)}; "
            f"route to {rng.choice(['Billing', 'Support', 'Infra'])}."
        )
        if task == "route" and i % 2:
            row["case"] = "refund"
    return json.dumps(row)


def write_log(path: Path, size: int) -> None:
    rng = random.Random(size)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(size):
            handle.write(log_line(i, rng) + "\n")


MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(done.returncode, time.perf_counter() - t, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stderr.write(done.stderr[-2000:] if done.returncode > 1 else '')\n"
)


def run(folder: Path, log: Path, *extra: str) -> tuple[float, float, dict]:
    out = folder / "m.json"
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "driftgate", "monitor",
               "--config", str(folder / "llm-evals.yaml"), "--samples", str(log),
               "--output-json", str(out), "--no-trend", "--no-cache", "-q", *extra]
    env = {"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    code, seconds, rss_kib = done.stdout.split()
    if int(code) > 1:
        raise SystemExit(f"monitor failed: {done.stderr}")
    return float(seconds), int(rss_kib) / 1024, json.loads(out.read_text())


def main() -> None:
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "10000,100000").split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "llm-evals.yaml").write_text(SUITE, encoding="utf-8")
        for size in sizes:
            log = folder / f"log-{size}.jsonl"
            write_log(log, size)
            seconds, rss, results = run(folder, log)
            rows.append((f"{size:,} lines", results["scored"], seconds, rss, results))
        biggest = folder / f"log-{sizes[-1]}.jsonl"
        seconds, rss, results = run(folder, biggest, "--limit", "2000", "--seed", "1")
        label = f"{sizes[-1]:,} lines, --limit 2000"
        rows.append((label, results["scored"], seconds, rss, results))
    print("| log | samples scored | flagged | wall time | samples/s | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, scored, seconds, rss, results in rows:
        flagged = results["overall"]["flagged"]
        print(f"| {label} | {scored:,} | {flagged:,} | {seconds:.1f} s | "
              f"{scored / seconds:,.0f} | {rss:,.0f} MiB |")
    if len(sizes) >= 2:
        print(f"\npeak RSS {sizes[-1]:,} / {sizes[0]:,} lines: {rows[-2][3] / rows[0][3]:.2f}x "
              f"(bounded memory: the log grew {sizes[-1] / sizes[0]:.0f}x)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")
