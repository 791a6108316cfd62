"""Outputs produced by an earlier workflow step in the team's own environment (JSONL)."""

from __future__ import annotations

import json
from pathlib import Path

from driftgate.config import CaseSpec
from driftgate.config.schema import OutputsTarget
from driftgate.generate.base import Generation


class OutputsFile:
    """Reads the file once; a bad file fails each case that needs it, never the whole run."""

    def __init__(self, spec: OutputsTarget, root: Path, suite_dir: Path):
        self.spec = spec
        self.path = self.resolve(spec.path, root, suite_dir)
        self.outputs: dict[tuple[str, int], str] = {}
        self.problem: str | None = None
        self._load()

    @staticmethod
    def resolve(path: str | Path, root: Path, suite_dir: Path) -> Path:
        """Relative to the suite file first (like vars files), then the repo root."""
        path = Path(path)
        if path.is_absolute():
            return path
        candidates = [suite_dir / path, root / path]
        return next((p for p in candidates if p.exists()), candidates[0])

    def identity(self) -> dict:
        return {"type": "outputs", "path": self.spec.path}

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            self.problem = f"cannot read outputs file {self.path}: {exc.strerror or exc}"
            return
        problems = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                name, output = row["case"], row["output"]
                sample = int(row.get("sample", 0))
                if not isinstance(name, str) or not isinstance(output, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                problems.append(
                    f"{self.path}:{number}: expected a JSON object "
                    f'{{"case": name, "output": text}} (optional "sample": i)'
                )
                continue
            self.outputs[(name, sample)] = output
        if problems:
            self.problem = "; ".join(problems[:3]) + (
                f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
            )

    def available(self, name: str) -> int:
        """How many samples (0, 1, ...) the file holds for a case: what sequential
        sampling may draw from it."""
        count = 0
        while (name, count) in self.outputs:
            count += 1
        return count

    def has_output(self, name: str, sample: int) -> bool:
        """Whether a line answers this request (else the cache may: the plan flow)."""
        return (name, sample) in self.outputs

    def case_names(self) -> set[str]:
        """Every case the file has a line for."""
        return {name for name, _sample in self.outputs}

    def generate(self, case: CaseSpec, sample: int) -> Generation:
        output = self.outputs.get((case.name, sample))
        if output is None and sample == 0:
            output = self.outputs.get((case.name, 0))
        if output is not None:
            return Generation(output=output.strip())
        message = f"no output for case '{case.name}'"
        if sample:
            message += f" sample {sample}"
        message += f" in {self.path}"
        if self.problem:
            message += f" ({self.problem})"
        return Generation.failed(message)
