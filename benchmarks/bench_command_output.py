"""Peak memory of reading a `command` target that prints a huge stdout.

Usage: .venv/bin/python benchmarks/bench_command_output.py [MEGABYTES] [--e2e]

Each way runs in a fresh Python process (so its peak RSS is its own) against the same
command, side by side: `subprocess.run(capture_output=True, text=True)` as driftgate did
before, and `driftgate.generate.process.run_command` with the default cap
(max_output_chars 1,000,000) as it does now. Prints peak RSS, time and what was kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

WRITER = (
    "import sys\nchunk = b'x' * (1 << 20)\nfor _ in range({mb}): sys.stdout.buffer.write(chunk)\n"
)

BEFORE = """
import resource, subprocess, sys, time, json
started = time.perf_counter()
done = subprocess.run(sys.argv[1], shell=True, capture_output=True, text=True, timeout=600)
kept = len(done.stdout)
print(json.dumps({"s": time.perf_counter() - started, "kept": kept,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

AFTER = """
import resource, sys, time, json
from pathlib import Path
from driftgate.generate.process import run_command
from driftgate.generate.command_target import DEFAULT_MAX_OUTPUT_CHARS, JSON_BYTES_PER_CHAR
started = time.perf_counter()
limit = DEFAULT_MAX_OUTPUT_CHARS * JSON_BYTES_PER_CHAR + 64 * 1024
done = run_command(sys.argv[1], Path("."), b"", 600, limit)
print(json.dumps({"s": time.perf_counter() - started, "kept": len(done.stdout),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(code: str, command: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, command],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout)


def main() -> None:
    mb = int(sys.argv[1]) if sys.argv[1:2] and sys.argv[1] != "--e2e" else 100
    with tempfile.TemporaryDirectory() as tmp:
        writer = Path(tmp) / "writer.py"
        writer.write_text(WRITER.format(mb=mb))
        command = f"{sys.executable} {writer}"
        before = measure(BEFORE, command)
        after = measure(AFTER, command)
    print(f"stdout of {mb} MiB from a command target")
    print(f"{'':34} {'peak RSS':>10} {'time':>8} {'kept':>14}")
    for label, row in (("subprocess.run (before)", before), ("run_command (now)", after)):
        print(f"{label:34} {row['rss'] / 1024:8.0f} MiB {row['s']:7.2f}s {row['kept']:>14,}")
    print(f"peak RSS ratio: {before['rss'] / after['rss']:.1f}x less memory now")


def end_to_end(mb: int) -> None:
    """`driftgate run` on a one-case suite whose target prints `mb` MiB: peak RSS of the
    whole run (model included) and the size of the results file."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "writer.py").write_text(WRITER.format(mb=mb))
        (root / "llm-evals.yaml").write_text(
            "eval_suite:\n  name: big\n"
            f"  target: {{type: command, command: '{sys.executable} writer.py', timeout_s: 600}}\n"
            "  cases:\n    - {name: big, expected: a short answer}\n"
        )
        subprocess.run(
            [sys.executable, "-m", "driftgate", "run", "--all", "--no-cache", "-q",
             "--baseline-branch", "", "--output-json", "results.json"],
            cwd=root,
            capture_output=True,
            env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
            check=False,
        )  # fmt: skip
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = (root / "results.json").stat().st_size / 1e6
    print(f"driftgate run, {mb} MiB stdout: peak RSS {rss:,.0f} MiB, results file {size:.1f} MB")


if __name__ == "__main__":
    main()
    if "--e2e" in sys.argv:
        end_to_end(int(sys.argv[1]) if sys.argv[1:2] != ["--e2e"] else 100)
