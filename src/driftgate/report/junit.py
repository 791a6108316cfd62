"""Results as JUnit XML, the one format every CI test reporter already reads.

The shape is the Ant/Jenkins one (Jenkins xunit-plugin's junit-10.xsd): `<testsuites>` →
one `<testsuite>` per suite → one `<testcase>` per case, with `<failure>` (gate reasons),
`<error>` (the target, judge or API failed) and `<skipped>` (not selected). A case the
gate holds against the run is a `<failure>` even when its own status is not `failed`: a
blocking regression, or a selected case the `--max-cost` budget left unrun. Each testcase
also carries `<properties>` with its scores, as pytest (xunit1), jest-junit and the Testmo
JUnit spec do; strict-schema consumers ignore them, and the same scores are repeated in
`<system-out>` so every reporter shows them. Cases that another shard runs are left out,
so uploading every shard's file never counts a case twice.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from driftgate.fileio import write_text
from driftgate.redact import redact, redact_model
from driftgate.results import CaseResult, RunResults

# XML 1.0 cannot carry most control characters, even escaped; model output can contain them.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_OUTPUT_CHARS = 4000
_NOT_SCORES = {"status", "critical", "tags", "definition_hash", "prompt_hash", "target"}


def write_junit(results: RunResults, path: str | Path) -> None:
    write_text(path, render_junit(results))


def render_junit(results: RunResults) -> str:
    results = redact_model(results)
    cases = [c for c in results.cases if c.run_by_shard is None]
    counts = {
        "tests": len(cases),
        "failures": sum(_failure_reasons(c, results) is not None for c in cases),
        "errors": sum(c.status == "error" for c in cases),
        "skipped": sum(_is_skipped(c) for c in cases),
    }
    total_time = _seconds(results.summary.duration_s) or _seconds(
        sum(c.latency_s or 0.0 for c in cases)
    )
    root = ET.Element(
        "testsuites",
        _attrs(
            name="driftgate",
            tests=counts["tests"],
            failures=counts["failures"],
            errors=counts["errors"],
            time=total_time,
        ),
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        _attrs(
            name=results.suite,
            **counts,
            time=total_time,
            timestamp=results.created_at,
            file=results.suite_path,
        ),
    )
    _properties(suite, _run_properties(results))
    for case in cases:
        _testcase(suite, case, results)
    ET.indent(root, space="  ")
    return redact('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n")


def _testcase(parent: ET.Element, case: CaseResult, results: RunResults) -> None:
    element = ET.SubElement(
        parent,
        "testcase",
        _attrs(name=case.name, classname=results.suite, time=_seconds(case.latency_s)),
    )
    scores = _case_properties(case)
    _properties(element, scores)
    reasons = case.reasons or []
    failing = _failure_reasons(case, results)
    if failing is not None:
        failure = ET.SubElement(
            element,
            "failure",
            _attrs(message="; ".join(failing) or "failed", type="driftgate.failed"),
        )
        failure.text = _clean("\n".join(failing))
    elif _is_skipped(case):
        ET.SubElement(element, "skipped", _attrs(message=case.selection_reason or "skipped"))
    elif case.status == "error":
        message = case.error or "; ".join(reasons) or "error"
        error = ET.SubElement(element, "error", _attrs(message=message, type="driftgate.error"))
        error.text = _clean("\n".join([*reasons, *([case.error] if case.error else [])]))
    out = [" ".join(f"{name}={value}" for name, value in scores if name not in _NOT_SCORES)]
    if case.output is not None:
        output = case.output
        if len(output) > MAX_OUTPUT_CHARS:
            output = output[:MAX_OUTPUT_CHARS] + f"\n... ({len(case.output)} characters in all)"
        out += ["", "output:", output]
    if case.judge is not None and case.judge.reasoning:
        out += ["", f"judge ({case.judge.score}/5): {case.judge.reasoning}"]
    system_out = ET.SubElement(element, "system-out")
    system_out.text = _clean("\n".join(out))


def _is_skipped(case: CaseResult) -> bool:
    """Not selected: nothing asked for it. (One selected and left unrun is a failure.)"""
    return not case.selected


def _failure_reasons(case: CaseResult, results: RunResults) -> list[str] | None:
    """Why this case is a `<failure>`, or None: it failed, it regressed where a regression
    blocks, or it was selected and not run (the gate counts it as not passed)."""
    if not case.selected:
        return None
    reasons = list(case.reasons or [])
    blocking = case.critical or results.gate.fail_on_regression
    regressed = case.regression and blocking and case.status != "error"
    if regressed:
        reasons.append(f"regressed: {case.regression_reason or 'similarity dropped'}")
    if case.status == "skipped":
        return ["not run: " + ("; ".join(reasons) or "skipped")]
    if case.status == "failed" or regressed:
        return reasons
    return None


def _run_properties(results: RunResults) -> list[tuple[str, str]]:
    summary = results.summary
    baseline = summary.baseline
    pairs = [
        ("driftgate.version", results.driftgate_version),
        ("results.schema_version", results.schema_version),
        ("suite.path", results.suite_path),
        ("suite.hash", results.suite_hash),
        ("embedding.model", results.embedding_model),
        ("judge.model", results.judge_model),
        ("git.sha", results.git_sha),
        ("mode", results.mode),
        ("shard", results.shard),
        ("verdict", summary.verdict),
        ("gate.reasons", "; ".join(summary.gate_reasons) or None),
        ("pass_at_1", summary.pass_at_1),
        ("regressions", summary.regressions),
        ("baseline.source", baseline.source if baseline else None),
        ("baseline.commit", baseline.commit if baseline else None),
        ("cost_usd", summary.cost_usd),
    ]
    return [(name, _text(value)) for name, value in pairs if value is not None]


# Results fields a testcase carries as properties under their own names.
_CASE_FIELDS = (
    "status",
    "critical",
    "similarity",
    "similarity_std",
    "threshold",
    "grounding_ratio",
    "grounding_score",
    "min_grounding_ratio",
    "pass_rate",
    "baseline_similarity",
    "delta",
    "latency_s",
    "definition_hash",
    "prompt_hash",
    "target",
)


def _case_properties(case: CaseResult) -> list[tuple[str, str]]:
    pairs = [(name, getattr(case, name)) for name in _CASE_FIELDS]
    pairs += [
        ("samples", case.samples_n or None),
        ("judge_score", case.judge.score if case.judge else None),
        ("regression", case.regression if case.baseline_similarity is not None else None),
        ("cost_usd", case.cost_usd or None),
        ("tags", ",".join(case.tags) or None),
    ]
    return [(name, _text(value)) for name, value in pairs if value is not None]


def _properties(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        return
    element = ET.SubElement(parent, "properties")
    for name, value in pairs:
        ET.SubElement(element, "property", {"name": name, "value": _clean(value)})


def _attrs(**values) -> dict[str, str]:
    return {k: _clean(_text(v)) for k, v in values.items() if v is not None}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else "nan"
    return str(value)


def _seconds(value: float | None) -> str | None:
    """Ant's time format: plain decimal seconds, never exponent or sign."""
    if value is None:
        return None
    return f"{max(value, 0.0):.3f}"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
