"""The Markdown report: the same text is the PR comment, the job summary and --report-md.

Most important first, so the first screen says what broke: the verdict, pass@1 against the
baseline, the critical cases with their reasons and the judge's reasoning, then the table,
a chart, the skipped cases and the costs. GitHub rejects comments over 65,536 characters;
with a `limit` the details are shortened first (and the report says so), never the verdict.
"""

from __future__ import annotations

import re

from driftgate.cache import summary_line
from driftgate.redact import redact, redact_model
from driftgate.results import CaseResult, RunResults

ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️"}
CHART_MAX_CASES = 40  # beyond this a bar chart is unreadable; the table has them all
REASONING_MAX = 600

# Levels of detail, tried in order until the report fits the limit.
FULL, NO_SKIPPED_LIST, NO_CHART, NOTABLE_ROWS, BUDGETED = range(5)


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def untrusted(text: object, limit: int | None = None, *, cell: bool = False) -> str:
    """The one way untrusted text (outputs, expected answers, stderr, judge reasoning, case
    and suite names, paths, messages quoting them) enters the Markdown: shown, never read as
    Markdown. One line (nothing can start a block, end a table row or close a <details>),
    clipped to `limit`, in a code span whose fence is longer than any backtick run inside, so
    GitHub renders no mention, link, image, HTML, entity or emphasis from it. In a table
    cell (`cell`) a `|` is escaped, the one character that acts even inside a code span."""
    text = redact(" ".join(str(text).split()))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "–"
    if cell:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _chart_label(name: str) -> str:
    """A case name as a quoted mermaid label: letters, digits and a few safe marks only."""
    label = re.sub(r"[^\w .:/+-]", "_", " ".join(name.split()))
    return '"' + (label[:23] + "…" if len(label) > 24 else label) + '"'


def _clip_middle(text: str, size: int) -> str:
    """Head and tail: an error's last words (a traceback's exception) matter most."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    half = (size - 3) // 2
    return text[:half] + " … " + text[-half:]


def headline(results: RunResults) -> str:
    s, suite = results.summary, untrusted(results.suite, 200)
    if s.selected == 0:
        return f"### ⏭️ driftgate · {suite}: no case affected by this change"
    if s.verdict == "pass":
        return f"### ✅ driftgate · {suite}: passed ({s.passed}/{s.selected} cases)"
    parts = []
    if s.critical_regressions:
        parts.append(f"{s.critical_regressions} critical regression(s)")
    parts.append(f"{s.critical_failures} critical failure(s)")
    parts.append(f"{s.failed + s.errors} failing case(s)")
    return f"### ❌ driftgate · {suite}: failed ({', '.join(parts)})"


def pass_rate_line(results: RunResults) -> str:
    s = results.summary
    now = f"**pass@1 {_num(s.pass_at_1)}**"
    if s.baseline_pass_at_1 is not None and s.pass_at_1 is not None:
        delta = s.pass_at_1 - s.baseline_pass_at_1
        now += f" (baseline {_num(s.baseline_pass_at_1)}, {delta:+.2f})"
    elif s.baseline is None:
        now += " (no baseline yet)"
    counts = (
        f"{s.selected} selected · {s.passed} passed · {s.failed} failed · "
        f"{s.errors} errors · {s.skipped} skipped"
    )
    if s.regressions:
        counts += f" · {s.regressions} regression(s)"
    return f"{now} · {counts}"


def baseline_line(results: RunResults) -> str | None:
    info = results.summary.baseline
    if info is None:
        return None
    parts = [f"baseline: {untrusted(info.source, 200)}"]
    if info.commit:
        parts.append(f"commit {untrusted(info.commit[:12])}")
    if info.age_hours is not None:
        parts.append(f"{info.age_hours:.0f} h old")
    if info.at_merge_base is False:
        parts.append("not at the merge-base (newest used)")
    return "<sub>" + " · ".join(parts) + "</sub>"


def case_row(case: CaseResult) -> str:
    similarity = _num(case.similarity)
    if case.baseline_similarity is not None and case.similarity is not None:
        delta = case.delta if case.delta is not None else case.similarity - case.baseline_similarity
        similarity = f"{case.baseline_similarity:.2f} → {case.similarity:.2f} ({delta:+.2f})"
    grounding = _num(case.grounding_ratio)
    judge = f"{case.judge.score}/5" if case.judge and case.judge.score is not None else "–"
    status = f"{ICON.get(case.status, '')} {case.status}"
    if case.regression:
        status += " 📉"
    return (
        f"| {status} | {untrusted(case.name, 200, cell=True)} | {similarity} "
        f"| {grounding} | {judge} | {'⚠️ yes' if case.critical else ''} |"
    )


def _notable(case: CaseResult) -> bool:
    return case.status in ("failed", "error") or case.regression


def _problem(case: CaseResult) -> list[str]:
    """One failing or regressed case: what broke, and the judge's reasoning if it spoke."""
    what = case.status if case.status != "passed" else "regressed"
    if case.regression and case.status != "passed":
        what += ", regressed"
    details = case.reasons + ([case.regression_reason] if case.regression_reason else [])
    reasons = "; ".join(details) or case.error or what
    label = "**critical** " if case.critical else ""
    line = f"- {label}{untrusted(case.name, 200)} ({what}): {untrusted(_clip_middle(reasons, 800))}"
    if case.line:
        line += f" · line {case.line}"
    base, threshold = case.baseline_similarity, case.threshold
    if not case.regression and base is not None and threshold is not None and base < threshold:
        line += " · already below the threshold in the baseline"
    lines = [line]
    if case.judge and case.judge.reasoning:
        score = f" {case.judge.score}/5" if case.judge.score is not None else ""
        lines.append(f"  - judge{score}: {untrusted(case.judge.reasoning, REASONING_MAX)}")
    return lines


def _chart(cases: list[CaseResult]) -> list[str]:
    with_scores = [c for c in cases if c.similarity is not None][:CHART_MAX_CASES]
    if not with_scores or all(c.baseline_similarity is None for c in with_scores):
        return []
    names = ", ".join(_chart_label(c.name) for c in with_scores)
    base = ", ".join(f"{(c.baseline_similarity or 0):.3f}" for c in with_scores)
    now = ", ".join(f"{c.similarity:.3f}" for c in with_scores)
    lines = [
        "",
        "<details><summary>Similarity chart: baseline (bars) vs now (line)</summary>",
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Similarity to expected: baseline vs now"',
        f"    x-axis [{names}]",
        '    y-axis "similarity" 0 --> 1',
        f"    bar [{base}]",
        f"    line [{now}]",
        "```",
        "",
        "</details>",
    ]
    if len(cases) > CHART_MAX_CASES:
        lines.insert(-2, f"_First {CHART_MAX_CASES} of {len(cases)} cases; the table has all._")
    return lines


def _footer(results: RunResults, run_url: str | None) -> str:
    s = results.summary
    parts = [f"{s.calls} model call(s)", f"${s.cost_usd:.4f}"]
    cache = summary_line(s)
    if cache:
        parts.append(cache)
    if s.duration_s is not None:
        parts.append(f"{s.duration_s:.1f}s")
    if run_url:
        parts.append(f"[run]({run_url})")
    return "<sub>" + " · ".join(parts) + "</sub>"


def _fit(lines: list[str], budget: int, what: str) -> list[str]:
    """As many lines as fit in `budget` characters, then a count of the rest."""
    kept, used = [], 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            kept.append(f"- … {len(lines) - index} more {what} not shown (truncated)")
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def _render(results: RunResults, run_url, level: int, note: str | None, budget: int) -> str:
    s = results.summary
    lines = [headline(results), ""]
    if s.selected == 0:
        commit = f" ({untrusted(results.git_sha[:12])})" if results.git_sha else ""
        lines.append(
            f"The latest push{commit} changed no file any case depends on, so nothing ran; "
            f"the gate passes."
        )
    else:
        lines.append(pass_rate_line(results))
        base = baseline_line(results)
        if base:
            lines.append(base)
    if note:
        lines += ["", note]
    if s.gate_reasons:
        lines += ["", "**Why the gate failed**", ""]
        reasons = [f"- {untrusted(reason, 400)}" for reason in s.gate_reasons]
        lines += _fit(reasons, budget * 15 // 100, "reasons") if level >= BUDGETED else reasons
    selected = [c for c in results.cases if c.selected]
    critical = [c for c in selected if _notable(c) and c.critical]
    others = [c for c in selected if _notable(c) and not c.critical]
    problems = [line for case in critical + others for line in _problem(case)]
    if problems:
        lines += ["", "**Failures and regressions**", ""]
        lines += _fit(problems, budget * 40 // 100, "lines") if level >= BUDGETED else problems
    if selected:
        rows = selected if level < NOTABLE_ROWS else critical + others
        table = [case_row(c) for c in rows]
        if level >= BUDGETED:
            table = _fit(table, budget * 30 // 100, "rows")
        lines += [
            "",
            "| status | case | similarity baseline → now (Δ) | grounding | judge | critical |",
            "|---|---|---|---|---|---|",
            *table,
        ]
        if len(rows) < len(selected):
            lines.append(f"\n_{len(selected) - len(rows)} passing case(s) not listed._")
        if level < NO_CHART:
            lines += _chart(selected)
    skipped = [c for c in results.cases if not c.selected]
    if skipped:
        summary = f"<details><summary>{len(skipped)} skipped case(s)</summary>"
        if level < NO_SKIPPED_LIST:
            lines += ["", summary, ""]
            lines += [
                f"- {untrusted(c.name, 200)}: {untrusted(c.selection_reason, 400)}" for c in skipped
            ]
            lines += ["", "</details>"]
        else:
            lines += ["", f"_{len(skipped)} case(s) skipped (list truncated)._"]
    if results.warnings and level < NOTABLE_ROWS:
        lines += ["", "<details><summary>Warnings</summary>", ""]
        lines += [f"- {untrusted(w, 300)}" for w in results.warnings]
        lines += ["", "</details>"]
    lines += ["", _footer(results, run_url)]
    return "\n".join(lines) + "\n"


def render_markdown(
    results: RunResults,
    *,
    run_url: str | None = None,
    limit: int | None = None,
    artifact_hint: str | None = None,
) -> str:
    """The report; with `limit`, shortened detail by detail until it fits. Redacted first,
    so no escaping can hide a secret from the redactor."""
    return redact(_fitted(redact_model(results), run_url, limit, artifact_hint))


def _fitted(results: RunResults, run_url, limit: int | None, artifact_hint) -> str:
    text = _render(results, run_url, FULL, None, limit or 0)
    if limit is None or len(text) <= limit:
        return text
    where = f"the results file {artifact_hint}" if artifact_hint else "the results file"
    run = f" of [this run]({run_url})" if run_url else ""
    note = (
        f"> ⚠️ This report was shortened to fit GitHub's comment size limit; every case is in "
        f"{where} (the run's artifact{run})."
    )
    for level in (NO_SKIPPED_LIST, NO_CHART, NOTABLE_ROWS, BUDGETED):
        text = _render(results, run_url, level, note, limit - 2000)
        if len(text) <= limit:
            return text
    return text[: limit - len(note) - 10] + "\n\n" + note + "\n"
