"""The team's own pipeline as a subprocess: the system under test, not just a model."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from pathlib import Path

from driftgate.config import CaseSpec
from driftgate.config.schema import CommandTarget
from driftgate.generate.base import Generation

STDERR_TAIL = 1500


def pipeline_request(case: CaseSpec, sample: int) -> dict:
    """What the team's pipeline is sent: on a command's stdin, or as one line of a plan."""
    return {
        "case": case.name,
        "prompt": case.render_prompt() if case.prompt else "",
        "vars": dict(case.vars),
        "context": case.context,
        "sample": sample,
    }


class CommandRunner:
    def __init__(self, spec: CommandTarget, root: Path):
        self.spec = spec
        self.root = root

    def identity(self) -> dict:
        return {"type": "command", "command": self.spec.command}

    def generate(self, case: CaseSpec, sample: int) -> Generation:
        request = pipeline_request(case, sample)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                self.spec.command,
                shell=True,
                cwd=self.root,
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=self.spec.timeout_s,
                env=os.environ.copy(),
            )
        except subprocess.TimeoutExpired:
            return Generation.failed(
                f"command timed out after {self.spec.timeout_s:g}s: {self._short()} "
                f"(raise `timeout_s` on the target if it is legitimately slow)",
                time.perf_counter() - started,
            )
        latency = time.perf_counter() - started
        if done.returncode != 0:
            tail = done.stderr.strip()[-STDERR_TAIL:] or "(no stderr)"
            return Generation.failed(
                f"command exited {done.returncode}: {self._short()}\n{tail}", latency
            )
        return Generation(output=parse_stdout(done.stdout), latency_s=latency, calls=1)

    def _short(self) -> str:
        return shlex.quote(self.spec.command) if len(self.spec.command) < 80 else "(command)"


def parse_stdout(stdout: str) -> str:
    """`{"output": "..."}` when the pipeline speaks JSON, else its stripped text."""
    text = stdout.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(data, dict) and isinstance(data.get("output"), str):
            return data["output"].strip()
    return text
