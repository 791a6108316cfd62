"""The table a person reads in a terminal or a CI log."""

from __future__ import annotations

from driftgate.cache import summary_line
from driftgate.report.gate import critical_blockers
from driftgate.results import CaseResult, RunResults

MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERR ", "skipped": "SKIP"}


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def case_line(case: CaseResult) -> str:
    sim = fmt(case.similarity)
    if case.threshold is not None and case.similarity is not None:
        sim += f"/{case.threshold:.2f}"
    parts = [f"{MARK.get(case.status, case.status):4}", f"{case.name[:40]:40}", f"sim {sim:9}"]
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
    lines = [f"driftgate · {results.suite}"]
    for case in results.cases:
        if not case.selected:
            continue
        lines.append(case_line(case))
        for reason in case.reasons:
            for i, text in enumerate(reason.splitlines()[:6]):
                lines.append(("      ↳ " if i == 0 else "        ") + text)
    skipped = [c for c in results.cases if not c.selected]
    if skipped:
        lines.append(f"skipped {len(skipped)} case(s): " + ", ".join(c.name for c in skipped[:10]))
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
    lines.extend(f"  - {reason}" for reason in s.gate_reasons)
    return "\n".join(lines)
