"""What the redactor costs on the write paths. Prints figures, asserts nothing.

Results of N cases (each with a 1,500-character output, a reason and judge reasoning) are
serialized the old way (`model_dump_json`) and through the redactor (`to_json`), rendered as
the Markdown report and as JUnit, with the token shapes only (nothing installed, as in a
library call) and with 20 secret values installed (a CI job's environment). One case in
fifty carries a secret, so the slow path (a redacted copy) is measured too.

    PYTHONPATH=src python benchmarks/bench_redact.py [--cases 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import time

from driftgate.redact import Redactor, installed
from driftgate.report.junit import render_junit
from driftgate.report.markdown import render_markdown
from driftgate.results import CaseResult, JudgeResult, RunResults

SECRETS = [f"secret-value-{i:02d}-" + "x" * (8 + i) for i in range(20)]


def make_results(cases: int, leak_every: int | None) -> RunResults:
    rng = random.Random(7)
    words = ["the", "refund", "was", "routed", "to", "billing", "after", "customer", "wrote"]
    made = []
    for i in range(cases):
        output = " ".join(rng.choice(words) for _ in range(250))[:1500]
        if leak_every and i % leak_every == 0:
            output += f" {SECRETS[i % len(SECRETS)]}"
        made.append(
            CaseResult(
                name=f"case-{i:04d}",
                status="failed" if i % 3 == 0 else "passed",
                output=output,
                reasons=["similarity 0.61 < 0.80"] if i % 3 == 0 else [],
                similarity=0.61 if i % 3 == 0 else 0.9,
                judge=JudgeResult(status="passed", score=4, reasoning=output[:400]),
            )
        )
    return RunResults(suite="bench", suite_path="llm-evals.yaml", embedding_model="m", cases=made)


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    clean, leaky = make_results(args.cases, None), make_results(args.cases, 50)
    baseline = best_of(args.repeat, lambda: clean.model_dump_json(indent=2))
    print(f"{args.cases} cases; best of {args.repeat}; ratio = time / plain model_dump_json")
    print(f"{'what':44} {'ms':>8} {'ratio':>7}")
    print(f"{'plain model_dump_json (before)':44} {baseline * 1000:8.1f} {1.0:7.2f}")
    for label, redactor in (("shapes only", Redactor()), ("20 secrets", Redactor(SECRETS))):
        with installed(redactor):
            for name, results in (("no secret", clean), ("1 in 50 leaks", leaky)):
                for what, work in (
                    ("to_json", results.to_json),
                    ("markdown", lambda r=results: render_markdown(r)),
                    ("junit", lambda r=results: render_junit(r)),
                ):
                    seconds = best_of(args.repeat, work)
                    row = f"{what} · {label} · {name}"
                    print(f"{row:44} {seconds * 1000:8.1f} {seconds / baseline:7.2f}")


if __name__ == "__main__":
    main()
