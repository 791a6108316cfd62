"""The Markdown report: the same text is the PR comment, the job summary and --report-md."""

from __future__ import annotations

from driftgate.results import CaseResult, RunResults

ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️"}


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def headline(results: RunResults) -> str:
    s = results.summary
    if s.selected == 0:
        return f"### ⏭️ driftgate · {results.suite}: no case affected by this change"
    if s.verdict == "pass":
        return f"### ✅ driftgate · {results.suite}: passed ({s.passed}/{s.selected} cases)"
    return (
        f"### ❌ driftgate · {results.suite}: failed "
        f"({s.critical_failures} critical failure(s), {s.failed + s.errors} failing case(s))"
    )


def case_row(case: CaseResult) -> str:
    similarity = _num(case.similarity)
    if case.baseline_similarity is not None and case.delta is not None:
        similarity = f"{case.baseline_similarity:.2f} → {_num(case.similarity)} ({case.delta:+.2f})"
    grounding = _num(case.grounding_ratio)
    judge = f"{case.judge.score}/5" if case.judge and case.judge.score is not None else "–"
    return (
        f"| {ICON.get(case.status, '')} {case.status} | `{_escape(case.name)}` | {similarity} "
        f"| {grounding} | {judge} | {'⚠️ yes' if case.critical else ''} |"
    )


def render_markdown(results: RunResults) -> str:
    s = results.summary
    lines = [headline(results), ""]
    pass_at_1 = _num(s.pass_at_1)
    lines.append(
        f"**pass@1 {pass_at_1}** · {s.selected} selected · {s.passed} passed · "
        f"{s.failed} failed · {s.errors} errors · {s.skipped} skipped"
    )
    if s.gate_reasons:
        lines += ["", "**Why the gate failed**", ""]
        lines += [f"- {_escape(reason)}" for reason in s.gate_reasons]
    failing = [c for c in results.cases if c.selected and c.status in ("failed", "error")]
    if failing:
        lines += ["", "**Failing cases**", ""]
        for case in failing:
            reasons = "; ".join(case.reasons) or case.status
            lines.append(
                f"- `{case.name}`{' (critical)' if case.critical else ''}: {_escape(reasons)}"
            )
    selected = [c for c in results.cases if c.selected]
    if selected:
        lines += [
            "",
            "| status | case | similarity | grounding | judge | critical |",
            "|---|---|---|---|---|---|",
        ]
        lines += [case_row(c) for c in selected]
    skipped = [c for c in results.cases if not c.selected]
    if skipped:
        lines += ["", f"<details><summary>{len(skipped)} skipped case(s)</summary>", ""]
        lines += [f"- `{c.name}`: {_escape(c.selection_reason)}" for c in skipped]
        lines += ["", "</details>"]
    footer = [f"{s.calls} model call(s)", f"${s.cost_usd:.4f}"]
    if s.duration_s is not None:
        footer.append(f"{s.duration_s:.1f}s")
    lines += ["", "<sub>" + " · ".join(footer) + "</sub>"]
    return "\n".join(lines) + "\n"
