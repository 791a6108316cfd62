"""The table a person reads in a terminal or a CI log.

Untrusted text (names, reasons) passes `shown`: control characters, terminal escape
sequences among them, are printed as visible escapes; the CLI's redacting streams also keep
any line from starting a workflow command.
"""

from __future__ import annotations

from driftgate.cache import summary_line
from driftgate.gate import critical_blockers
from driftgate.redact import redact, redact_model
from driftgate.results import CaseResult, RunResults
from driftgate.text import plural, shorten, visible


def shown(text: str, *, one_line: bool = False) -> str:
    """Untrusted text for a terminal: escapes (colours, cursor moves, bidi overrides),
    zero-width and other control characters become visible `\\x1b`-style text; line breaks
    stay unless `one_line` (names)."""
    return visible(text, one_line=one_line)


OUTPUT_MAX = 200  # what the pipeline said, on one line; the whole text is in the results
MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERR ", "skipped": "SKIP"}


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def case_line(case: CaseResult) -> str:
    sim = fmt(case.similarity)
    if case.threshold is not None and case.similarity is not None:
        sim += f"/{case.threshold:.2f}"
    name = shown(case.name, one_line=True)[:40]
    parts = [f"{MARK.get(case.status, case.status):4}", f"{name:40}", f"sim {sim:9}"]
    if case.grounding_ratio is not None:
        parts.append(f"grounded {fmt(case.grounding_ratio)}")
    if case.delta is not None:
        parts.append(f"Δ {case.delta:+.2f}{' REGRESSION' if case.regression else ''}")
    if case.judge and case.judge.score is not None:
        parts.append(f"judge {case.judge.score}/5")
    if case.critical:
        parts.append("critical")
    return "  ".join(parts)


def render_table(results: RunResults) -> str:
    results = redact_model(results)
    lines = [f"driftgate · {shown(results.suite, one_line=True)}"]
    for case in results.cases:
        if not case.selected:
            continue
        lines.append(case_line(case))
        for reason in case.reasons:
            lines.extend(hanging(reason, "      ↳ ", "        ", max_lines=6))
        said = case.output_to_show() if case.status != "passed" or case.regression else None
        if said:
            clipped = shorten(" ".join(said[1].split()), OUTPUT_MAX)
            lines.append(f"      {said[0]}: {shown(clipped, one_line=True)}")
    skipped = [c for c in results.cases if not c.selected]
    if skipped:
        names = ", ".join(shown(c.name, one_line=True) for c in skipped[:10])
        lines.append(f"skipped {plural(len(skipped), 'case')}: {names}")
    s = results.summary
    lines.append("")
    pass_at_1 = "-" if s.pass_at_1 is None else f"{s.pass_at_1:.2f}"
    # Critical cases counted as the verdict counts them: failed, errored or regressed.
    critical = len(critical_blockers(results))
    lines.append(
        f"{s.selected} selected · {s.passed} passed · {s.failed} failed · {s.errors} errors · "
        f"pass@1 {pass_at_1} · critical failures {critical}"
        + (f" · regressions {s.regressions}" if s.baseline else "")
    )
    cache = summary_line(s)
    if cache:
        lines.append(cache)
    lines.append(f"verdict: {s.verdict.upper()}")
    for reason in s.gate_reasons:
        lines.extend(hanging(reason, "  - ", "    "))
    return redact("\n".join(lines))


def hanging(text: str, first: str, rest: str, max_lines: int | None = None) -> list[str]:
    """A reason under its bullet: a stderr tail's later lines stay indented beneath it."""
    return [
        (rest if i else first) + shown(line) for i, line in enumerate(text.splitlines()[:max_lines])
    ]
