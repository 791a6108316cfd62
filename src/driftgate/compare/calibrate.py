"""Thresholds from evidence: run the known-good system N times, put each case's
`min_similarity` just below where its scores cluster, record its noise (`noise_sd` over
`noise_samples`) for the regression test, and show the distribution that justifies both.

Writing keeps the suite file as the user wrote it: ruamel.yaml's round-trip parser finds
where each case and key sit, and only those few lines are edited; everything else stays
byte for byte (comments, quoting, blank lines, key order).
"""

from __future__ import annotations

import json
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from driftgate.compare.drift import scores
from driftgate.config.load import SuiteSpec
from driftgate.errors import UsageError
from driftgate.fileio import line_end, read_as_written
from driftgate.results import RunResults
from driftgate.score.reduce import percentile
from driftgate.text import visible

MARGIN = 0.02  # below the 5th percentile: room for a sample the calibration run didn't see
LOW_MEDIAN = 0.6  # a known-good case scoring this low has a wrong expected text, not noise
GROUNDING_FLOOR = 0.30  # below this a grounding threshold passes unrelated text: say so


class PatchNotWritten(UsageError):
    """`--write` could not edit the file; `patch` is what the user should apply by hand."""

    def __init__(self, message: str, patch: str):
        super().__init__(message)
        self.patch = patch


@dataclass(frozen=True)
class Proposal:
    case: str
    line: int
    scores: tuple[float, ...]
    was: dict[str, float]
    new: dict[str, float]  # empty when the case produced fewer than 2 scores
    note: str | None = None

    def distribution(self) -> str:
        s = sorted(self.scores)
        sd = statistics.stdev(s)
        return (
            f"n={len(s)} min {s[0]:.3f} p5 {percentile(s, 0.05):.3f} "
            f"median {statistics.median(s):.3f} max {s[-1]:.3f} sd {sd:.3f}"
        )


def propose(suite: SuiteSpec, results: RunResults) -> list[Proposal]:
    """One proposal per case that ran; thresholds rounded outward to 2 decimals."""
    proposals = []
    for spec in suite.cases:
        case = results.case(spec.name)
        if case is None or not case.selected or case.status == "skipped":
            continue
        values = tuple(scores(case))
        was = {
            "min_similarity": spec.min_similarity,
            "noise_sd": spec.noise_sd,
            "noise_samples": spec.noise_samples,
        }
        if len(values) < 2:
            why = case.error or "; ".join(case.reasons) or "no similarity"
            proposals.append(
                Proposal(spec.name, spec.line, values, was, {}, f"not calibrated: {why}")
            )
            continue
        ordered = sorted(values)
        # Rounded outward to 2 decimals; 1e-6 keeps float dust (0.97999999) from costing 0.01.
        floor = max(0.0, math.floor((percentile(ordered, 0.05) - MARGIN) * 100 + 1e-6) / 100)
        # Rounded up to 3 decimals: a noise understated by rounding would block more often.
        sd = math.ceil(statistics.stdev(values) * 1000 - 1e-6) / 1000
        note = None
        if statistics.median(values) < LOW_MEDIAN:
            note = (
                f"median similarity {statistics.median(values):.2f} is low for a known-good "
                f"system: check the expected text before accepting this threshold"
            )
        elif spec.samples == 1 and sd > 0.02:
            note = (
                f"sd {sd:.3f} with samples: 1: a critical drop needs about "
                f"{4 * sd * math.sqrt(2):.2f} to be caught; `samples: 5` catches about "
                f"{4 * sd * math.sqrt(0.4):.2f}"
            )
        new = {
            "min_similarity": round(floor, 2),
            "noise_sd": round(sd, 3),
            "noise_samples": len(values),
        }
        grounding, grounding_note = propose_grounding(spec, case)
        if grounding is not None:
            was["grounding_threshold"] = spec.grounding_threshold
            new["grounding_threshold"] = grounding
        notes = (_errored(case), note, grounding_note)
        note = "; ".join(n for n in notes if n) or None
        proposals.append(Proposal(spec.name, spec.line, values, was, new, note))
    return proposals


def _errored(case) -> str | None:
    """The proposal rests on the samples that did not error: say how many did, and why."""
    errored = sum(sample.similarity is None for sample in case.samples)
    if not errored:
        return None
    why = case.error or next((s.error for s in case.samples if s.error), None)
    return f"{errored} of {len(case.samples)} samples errored" + (f" ({why})" if why else "")


def propose_grounding(spec, case) -> tuple[float | None, str | None]:
    """`grounding_threshold` just below the 5th percentile of the thresholds at which each
    known-good sentence still passes (support ÷ its length factor), like min_similarity.

    A sentence flagged by a fact, name, polarity, cause or role check is not a threshold matter:
    it is reported, because a known-good output should not have one."""
    if not (spec.check_grounding and spec.context):
        return None, None
    passing, checked = [], []
    for sample in case.samples:
        for sentence in sample.sentences:
            if sentence.flag not in (None, "support"):
                checked.append(f'"{sentence.text[:50]}": {sentence.reason}')
            elif sentence.bar:  # chunked mode: the bar is threshold × the length factor
                passing.append(sentence.support * spec.grounding_threshold / sentence.bar)
            elif sentence.bar is None and sentence.cosine is None:  # whole mode
                passing.append(sentence.support)
    note = None
    if checked:
        note = f"grounding flagged known-good text ({checked[0]}): fix the context or output"
    if len(passing) < 2:
        return None, note
    ordered = sorted(min(1.0, p) for p in passing)
    value = max(0.0, math.floor((percentile(ordered, 0.05) - MARGIN) * 100 + 1e-6) / 100)
    if value < GROUNDING_FLOOR:
        low = f"grounding threshold {value:.2f} would pass unrelated text: check the context"
        note = "; ".join(n for n in (note, low) if n)
    return round(value, 2), note


def render_patch(proposals: list[Proposal], suite: SuiteSpec, samples: int) -> str:
    """A YAML patch (cases by name) with the observed distribution beside each value."""
    out = [
        f"# driftgate calibrate: {samples} samples per case, suite '{suite.name}' "
        f"({suite.relpath})",
        f"# min_similarity = 5th percentile - {MARGIN}; noise_sd = the sd of the scores over "
        f"noise_samples: the regression test's yardstick for this case",
        f"# grounding_threshold = 5th percentile of the known-good sentences' supports "
        f"- {MARGIN} (grounding cases only)",
        "eval_suite:",
        "  cases:",
    ]
    for p in proposals:
        summary = p.distribution() if len(p.scores) >= 2 else "no spread measured"
        out.append(f"    - name: {_quote(p.case)}  # line {p.line}: {summary}")
        if p.note:  # may quote a target's stderr: one comment line, whatever it holds
            out.append(f"      # {visible(p.note, one_line=True)}")
        for key, value in p.new.items():
            was = p.was.get(key)
            same = "unchanged" if value == was else "new" if was is None else f"was {_text(was)}"
            out.append(f"      {key}: {_text(value)}  # {same}")
    return "\n".join(out) + "\n"


def apply_patch(path: Path, proposals: list[Proposal]) -> int:
    """Write the proposed values into the suite file; returns how many values changed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    text = read_as_written(path)
    try:
        data = YAML(typ="rt").load(text)
        cases = {c["name"]: c for c in data["eval_suite"]["cases"]}
    except (YAMLError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: cannot read the suite file to patch it: {exc}") from None
    lines, newline = text.splitlines(keepends=True), line_end(text)
    replaced: dict[tuple[int, int], str] = {}
    inserted: list[tuple[int, str]] = []
    for p in proposals:
        node = cases.get(p.case)
        if node is None or not p.new:
            continue
        key_line, key_col = node.lc.key("name")
        if node.fa.flow_style() or node.lc.value("name")[0] != key_line:
            raise UsageError(
                f"{path}:{key_line + 1}: case '{p.case}' is not a block mapping with a "
                f"one-line name; apply the printed patch to it by hand"
            )
        for key, value in p.new.items():
            if key in node and _number(node[key]) == value:
                continue
            if key in node:
                replaced[node.lc.value(key)] = _text(value)
            else:
                inserted.append((key_line, f"{' ' * key_col}{key}: {_text(value)}{newline}"))
    for (line, col), value in replaced.items():
        head, tail = lines[line][:col], lines[line][col:]
        lines[line] = head + re.sub(r"""^("[^"]*"|'[^']*'|[^\s#,}\]]+)""", value, tail, count=1)
    # Bottom-up so earlier line numbers stay valid; reversed so keys keep their order.
    for line, new_line in reversed(sorted(inserted, key=lambda item: item[0])):
        lines.insert(line + 1, new_line)
    patched = "".join(lines)
    _check(path, patched, proposals)
    if replaced or inserted:
        path.write_text(patched, encoding="utf-8")
    return len(replaced) + len(inserted)


def _check(path: Path, patched: str, proposals: list[Proposal]) -> None:
    """Never write a file that doesn't say exactly what was proposed."""
    from ruamel.yaml import YAML

    try:
        cases = {c["name"]: c for c in YAML(typ="rt").load(patched)["eval_suite"]["cases"]}
        ok = all(
            _number(cases[p.case][key]) == value for p in proposals for key, value in p.new.items()
        )
    except Exception:  # the patched text must parse; any failure means: don't write
        ok = False
    if not ok:
        raise UsageError(
            f"{path}: could not patch the file safely (unusual YAML layout); nothing was "
            f"written: apply the printed patch by hand"
        )


def _number(value) -> float | None:
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


def _text(value: float | int) -> str:
    """Counts as integers, thresholds with 2 decimals, noise with 3."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}" if round(value, 2) != value else f"{value:.2f}"


def _quote(name: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9_.\- ]+", name) and name.strip() == name
    return name if plain else json.dumps(name)
