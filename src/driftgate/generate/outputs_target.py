"""Outputs produced by an earlier workflow step in the team's own environment (JSONL).

One JSON object per line: `{"case": name, "sample": i, "output": text}` (`sample` is
optional, 0 by default). A bad line is an error for that line's case only, named by
FILE:LINE; every other case is still scored. Two lines for one (case, sample) are an error
naming both, because which one is the answer would be a guess.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from driftgate.config import CaseSpec
from driftgate.config.schema import OutputsTarget
from driftgate.generate.base import Generation
from driftgate.text import finite_json

LINE_FORMAT = '{"case": name, "sample": i, "output": text} ("sample" optional, 0 by default)'
CASE_FIELD = re.compile(r'"case"\s*:\s*("(?:[^"\\]|\\.)*")')
SAMPLE_FIELD = re.compile(r'"sample"\s*:\s*(\d+)(?![\d.eE])')
MAX_SHOWN = 3


class LineProblem(Exception):
    """One line that gives no usable output; `case`/`sample` when they can be told."""

    def __init__(self, message: str, case: str | None = None, sample: int | None = None):
        super().__init__(message)
        self.case = case
        self.sample = sample


class OutputsFile:
    """Reads the file once; a bad line fails the case it names, never the whole run."""

    def __init__(self, spec: OutputsTarget, root: Path, suite_dir: Path):
        self.spec = spec
        self.path = self.resolve(spec.path, root, suite_dir)
        self.outputs: dict[tuple[str, int], str] = {}
        self.lines: dict[tuple[str, int], int] = {}  # where each output was read
        self.problems: dict[tuple[str, int | None], list[str]] = {}  # None: every sample
        self.orphans: list[str] = []  # bad lines whose case can't be told
        self.problem: str | None = None  # the whole file
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
            data = self.path.read_bytes()
        except OSError as exc:
            self.problem = f"cannot read outputs file {self.path}: {exc.strerror or exc}"
            return
        for number, raw in enumerate(data.split(b"\n"), start=1):
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            where = f"{self.path}:{number}"
            try:
                name, sample, output = parse_line(raw, where)
            except LineProblem as problem:
                if problem.case is None:
                    self.orphans.append(str(problem))
                else:
                    self._add_problem((problem.case, problem.sample), str(problem))
                continue
            key = (name, sample)
            if key in self.lines:
                self._add_problem(
                    key,
                    f"{self.path}:{self.lines[key]} and line {number} both give case "
                    f"'{name}' sample {sample}: keep one line per case and sample",
                )
                continue
            self.lines[key] = number
            self.outputs[key] = output

    def _add_problem(self, key: tuple[str, int | None], message: str) -> None:
        self.problems.setdefault(key, []).append(message)

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
        if self.problem:
            return Generation.failed(self.problem)
        problems = self.problems.get((case.name, sample), []) + self.problems.get(
            (case.name, None), []
        )
        if problems:
            return Generation.failed(_join(problems))
        output = self.outputs.get((case.name, sample))
        if output is not None:
            return Generation(output=output.strip())
        message = f"no output for case '{case.name}'"
        if sample:
            message += f" sample {sample}"
        message += f" in {self.path}"
        if self.orphans:
            message += f" (lines that name no readable case: {_join(self.orphans)})"
        return Generation.failed(message)

    def unknown_case_warnings(self, names: Iterable[str]) -> list[str]:
        """Lines for cases the suite doesn't have, or that name no readable case: a typo
        here is a case with no output, and a garbled line is lost output."""
        known = list(names)
        first: dict[str, int] = {}
        for (name, _sample), line in sorted(self.lines.items(), key=lambda item: item[1]):
            if name not in known:
                first.setdefault(name, line)
        for (name, _sample), _problems in self.problems.items():
            if name not in known and name not in first:
                first[name] = 0
        warnings = []
        for name, line in first.items():
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            where = f"{self.path}:{line}" if line else str(self.path)
            warnings.append(f"{where}: no case named '{name}' in the suite{hint} (line ignored)")
        warnings += [f"{orphan} (line ignored)" for orphan in self.orphans]
        return warnings


def parse_line(raw: bytes, where: str) -> tuple[str, int, str]:
    """(case, sample, output) from one line, or LineProblem saying what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        name, sample = _guess(raw.decode("utf-8", errors="replace"))
        raise LineProblem(
            f"{where}: not valid UTF-8 (byte {exc.start + 1} of the line); write the file as UTF-8",
            name,
            sample,
        ) from None
    try:
        row = finite_json(text)
    except (json.JSONDecodeError, ValueError) as exc:
        name, sample = _guess(text)
        what = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else exc
        raise LineProblem(
            f"{where}: not valid JSON ({what}); expected {LINE_FORMAT}", name, sample
        ) from None
    if not isinstance(row, dict):
        raise LineProblem(f"{where}: expected a JSON object {LINE_FORMAT}")
    name = row.get("case")
    if not isinstance(name, str) or not name:
        raise LineProblem(f'{where}: "case" must be the name of a case; expected {LINE_FORMAT}')
    sample = row.get("sample", 0)
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise LineProblem(
            f'{where}: "sample" must be a whole number 0 or more, not {json.dumps(sample)}',
            name,
        )
    output = row.get("output")
    if not isinstance(output, str):
        got = "missing" if "output" not in row else f"{type(output).__name__}, not a string"
        raise LineProblem(f'{where}: "output" is {got}; expected {LINE_FORMAT}', name, sample)
    return name, sample, output


def _guess(text: str) -> tuple[str | None, int | None]:
    """The case (and sample) a broken line was meant for, when its text still shows them."""
    found = CASE_FIELD.search(text)
    if not found:
        return None, None
    try:
        name = json.loads(found.group(1))
    except ValueError:
        return None, None
    sample = SAMPLE_FIELD.search(text)
    if sample:
        return name, int(sample.group(1))
    return name, None if '"sample"' in text else 0


def _join(problems: list[str]) -> str:
    more = f" (+{len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
    return "; ".join(problems[:MAX_SHOWN]) + more
