"""`make demo`: run the bundled example suite offline and print the report.

The example has planted failures, so the gate fails on purpose; the demo itself
exits 0 once it has shown that.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    out = ROOT / ".driftgate" / "demo"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "driftgate",
        "run",
        "--config",
        "examples/llm-evals.yaml",
        "--output-json",
        str(out / "results.json"),
        "--report-md",
        str(out / "report.md"),
    ]
    print("$ driftgate run --config examples/llm-evals.yaml", flush=True)
    code = subprocess.call(command, cwd=ROOT)
    print(f"\nexit code {code} (0 = gate passed, 1 = gate failed, 2 = config error)")
    print(f"results: {out / 'results.json'}\nMarkdown report (the PR comment): {out / 'report.md'}")
    print("\n" + (out / "report.md").read_text() if (out / "report.md").exists() else "")
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
