"""The Markdown report: the same text is the PR comment, the job summary and --report-md.

Written for a reviewer's first five seconds: the headline separates what this change caused
from what was already failing on the base branch; each reason appears once (a suite-level
reason under "Why the gate failed", a case's reasons under that case, never both); the table
gives the numbers, with "new case" or "expected changed" where a delta can't exist; a chart of
per-case deltas when there are enough to compare. GitHub rejects comments over 65,536
characters; with a `limit` the details are shortened first (and the report says so), never the
verdict. Every piece of untrusted text goes through `untrusted`; the only links are the ones
the caller builds from trusted settings (`Links`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftgate.cache import summary_line
from driftgate.redact import redact, redact_model
from driftgate.results import CaseResult, RunResults
from driftgate.text import noun, plural, visible

ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️"}
CHART_MIN_CASES = 3  # fewer deltas say nothing a table doesn't
CHART_MAX_CASES = 40  # beyond this a chart is unreadable; the table has them all
CHART_HALF_WIDTH = 20  # characters of bar on each side of the axis (a drop of 1.0 fills it)
REASONING_MAX = 600
REASON_MAX = 800
OUTPUT_MAX = 300  # enough to see what the pipeline said; the whole text is in the results
NEW_CASE_NOTE = "new case"  # compare/drift.py's comparison_note starts with these
EXPECTED_CHANGED_NOTE = "expected text changed"

# Levels of detail, tried in order until the report fits the limit.
FULL, NO_SKIPPED_LIST, NO_CHART, NOTABLE_ROWS, BUDGETED = range(5)


@dataclass(frozen=True)
class Links:
    """Links the caller builds from trusted settings, never from the results: the workflow
    run, where its artifacts are listed, and the suite file at the PR's head commit (a blob
    URL; `#L19` is appended per case)."""

    run: str | None = None
    artifacts: str | None = None
    suite_file: str | None = None


def untrusted(text: object, limit: int | None = None, *, cell: bool = False) -> str:
    """The one way untrusted text (outputs, expected answers, stderr, judge reasoning, case
        and suite names, paths, messages quoting them) enters the Markdown: shown, never read as
        Markdown. One line (nothing can start a block, end a table row or close a <details>),
        clipped to `limit`, in a code span whose fence is longer than any backtick run inside, so
        GitHub renders no mention, link, image, HTML, entity or emphasis from it. Invisible
    characters (bidi overrides, zero-width, controls) are written as escapes. In a table
        cell (`cell`) a `|` is escaped, the one character that acts even inside a code span."""
    text = visible(redact(" ".join(str(text).split())))
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


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _clip_middle(text: str, size: int) -> str:
    """Head and tail: an error's last words (a traceback's exception) matter most."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    half = (size - 3) // 2
    return text[:half] + " … " + text[-half:]


def _failing(case: CaseResult) -> bool:
    return case.status in ("failed", "error")


def _notable(case: CaseResult) -> bool:
    return _failing(case) or case.regression


def already_failing(case: CaseResult) -> bool:
    """Failing now and already failing in the baseline: not caused by this change."""
    if not _failing(case) or case.regression:
        return False
    if case.baseline_pass_rate is not None:
        return case.baseline_pass_rate < 0.5  # a case passes when half its samples pass
    base, threshold = case.baseline_similarity, case.threshold
    return base is not None and threshold is not None and base < threshold


def _base_name(base_branch: str | None) -> str:
    return untrusted(base_branch, 60) if base_branch else "the base branch"


def headline(results: RunResults, base_branch: str | None = None) -> str:
    s, suite = results.summary, untrusted(results.suite, 200)
    if s.selected == 0:
        return f"### ⏭️ driftgate · {suite}: no case affected by this change"
    if s.verdict == "pass":
        return f"### ✅ driftgate · {suite}: passed ({s.passed}/{plural(s.selected, 'case')})"
    notable = [c for c in results.cases if c.selected and _notable(c)]
    old = [c for c in notable if already_failing(c)]
    new = [c for c in notable if not already_failing(c)]
    parts = []
    fresh = " new" if s.baseline is not None else ""  # without a baseline, nothing is "new"
    for critical, label in ((True, " critical"), (False, "")):
        regressed = sum(c.regression and c.critical == critical for c in new)
        failing = sum(not c.regression and c.critical == critical for c in new)
        if regressed:
            parts.append(f"{regressed}{fresh}{label} {noun(regressed, 'regression')}")
        if failing:
            parts.append(f"{failing}{fresh}{label} {noun(failing, 'failure')}")
    for critical, label in ((True, "critical"), (False, "other")):
        count = sum(c.critical == critical for c in old)
        if count:
            parts.append(
                f"{count} {label} {noun(count, 'case')} already failing on "
                f"{_base_name(base_branch)}"
            )
    unrun = sum(c.selected and c.status == "skipped" for c in results.cases)
    if unrun:
        parts.append(f"{plural(unrun, 'case')} not run (--max-cost budget reached)")
    return f"### ❌ driftgate · {suite}: {' · '.join(parts) or 'failed'}"


def pass_rate_line(results: RunResults) -> str:
    s = results.summary
    now = f"**pass@1 {_num(s.pass_at_1)}**"
    if s.baseline_pass_at_1 is not None and s.pass_at_1 is not None:
        delta = s.pass_at_1 - s.baseline_pass_at_1
        now += f" (baseline {_num(s.baseline_pass_at_1)}, {delta:+.2f})"
    elif s.baseline is None:
        now += " (no baseline yet)"
    counts = [f"{s.selected} selected", f"{s.passed} passed", f"{s.failed} failed"]
    counts += [plural(s.errors, "error"), f"{s.skipped} skipped"]
    if s.regressions:
        counts.append(plural(s.regressions, "regression"))
    return f"{now} · {' · '.join(counts)}"


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


def similarity_cell(case: CaseResult) -> str:
    """Baseline → now (Δ), or why there is no delta: a new case, a changed expected text."""
    now = _num(case.similarity)
    if case.baseline_similarity is not None and case.similarity is not None:
        delta = case.delta if case.delta is not None else case.similarity - case.baseline_similarity
        return f"{case.baseline_similarity:.2f} → {case.similarity:.2f} ({delta:+.2f})"
    note = case.comparison_note or ""
    if case.comparable is not False or not note:
        return now
    if note.startswith(NEW_CASE_NOTE):
        return f"{now} · new case"
    if note.startswith(EXPECTED_CHANGED_NOTE):
        return f"{now} · expected changed: not compared"
    return f"{now} · not compared: {untrusted(note, 120, cell=True)}"


def case_row(case: CaseResult) -> str:
    grounding = _num(case.grounding_ratio)
    judge = f"{case.judge.score}/5" if case.judge and case.judge.score is not None else "–"
    status = f"{ICON.get(case.status, '')} {case.status}"
    if case.regression:
        status += " 📉"
    return (
        f"| {status} | {untrusted(case.name, 200, cell=True)} | {similarity_cell(case)} "
        f"| {grounding} | {judge} | {'⚠️ yes' if case.critical else ''} |"
    )


def _line_link(case: CaseResult, links: Links) -> str:
    if not case.line:
        return ""
    if links.suite_file:
        return f" · [line {case.line}]({links.suite_file}#L{case.line})"
    return f" · line {case.line}"


def _case_reasons(case: CaseResult) -> list[str]:
    """Each reason the results carry, once, one per line; a regression's how-sure line once."""
    reasons = [r for r in case.reasons if r.strip()]
    if not reasons and case.error:
        reasons = [case.error]
    how_sure = case.regression_reason
    if case.regression:
        if how_sure:  # "drop 0.11, 3.1× this case's noise, p = 0.002 after correction …"
            reasons.append(f"regressed: {how_sure}")
        elif case.baseline_similarity is not None and case.delta is not None:
            now = case.baseline_similarity + case.delta
            drop = f"similarity {case.baseline_similarity:.2f} → {now:.2f} ({case.delta:+.2f})"
            reasons.append(f"regressed: {drop}")
        else:
            reasons.append("regressed")
    return reasons or [case.status]


def _reason_lines(reason: str) -> list[str]:
    """A reason, one line per claim: `grounding 0.50 < 0.80 (2 unsupported sentences): "A"
    — why; "B" — why` becomes its head and one sub-line per quoted sentence."""
    reason = _clip_middle(reason, REASON_MAX)
    head, colon, claims = reason.partition(': "')
    if not colon or not head.startswith("grounding "):
        return [f"  - {untrusted(reason)}"]
    lines = [f"  - {untrusted(head)}"]
    lines += [f"    - {untrusted(claim)}" for claim in re.split(r'; (?=")', '"' + claims)]
    return lines


def _problem(case: CaseResult, links: Links) -> list[str]:
    """One failing or regressed case: what it is, then its reasons, then the judge."""
    icon = "📉" if case.regression and case.status == "passed" else ICON.get(case.status, "")
    label = " **critical**" if case.critical else ""
    lines = [f"- {icon}{label} {untrusted(case.name, 200)}{_line_link(case, links)}"]
    lines += [line for reason in _case_reasons(case) for line in _reason_lines(reason)]
    said = case.output_to_show()
    if said:
        lines.append(f"  - {said[0]}: {untrusted(said[1], OUTPUT_MAX)}")
    if case.judge and case.judge.reasoning:
        score = f" {case.judge.score}/5" if case.judge.score is not None else ""
        lines.append(f"  - judge{score}: {untrusted(case.judge.reasoning, REASONING_MAX)}")
    return lines


def _suite_reasons(results: RunResults, listed: list[CaseResult]) -> list[str]:
    """Gate reasons not about a case listed below (those are said once, under the case)."""
    names = [f"'{c.name}'" for c in listed]
    return [r for r in results.summary.gate_reasons if not any(n in r for n in names)]


def _chart_label(name: str, width: int) -> str:
    """A case name as a chart label: letters, digits and a few safe marks only."""
    label = re.sub(r"[^\w .:/+-]", "_", " ".join(name.split()))
    return (label[: width - 1] + "…" if len(label) > width else label).ljust(width)


def _bar(delta: float) -> str:
    """A diverging bar: drops to the left of the axis, gains to the right."""
    size = min(CHART_HALF_WIDTH, round(abs(delta) * CHART_HALF_WIDTH * 2))
    left = ("█" * size if delta < 0 else "").rjust(CHART_HALF_WIDTH)
    right = "█" * size if delta > 0 else ""
    return f"{left}│{right}"


def _chart(cases: list[CaseResult]) -> list[str]:
    """Per-case similarity deltas, worst first; nothing when fewer than three compared."""
    compared = [c for c in cases if c.delta is not None and c.baseline_similarity is not None]
    if len(compared) < CHART_MIN_CASES:
        return []
    compared.sort(key=lambda c: c.delta)
    shown = compared[:CHART_MAX_CASES]
    width = min(28, max(len(c.name) for c in shown))
    rows = [f"{_chart_label(c.name, width)} {c.delta:+.2f} {_bar(c.delta)}" for c in shown]
    lines = [
        "",
        f"<details><summary>Similarity change per case, worst first "
        f"({plural(len(compared), 'case')} compared with the baseline)</summary>",
        "",
        "```text",
        *rows,
        "```",
    ]
    if len(compared) > CHART_MAX_CASES:
        lines.append(
            f"_The {CHART_MAX_CASES} largest drops of {len(compared)}; the table has all._"
        )
    return [*lines, "", "</details>"]


def _footer(results: RunResults, links: Links) -> str:
    s = results.summary
    parts = [plural(s.calls, "model call"), f"${s.cost_usd:.4f}"]
    cache = summary_line(s)
    if cache:
        parts.append(cache)
    if s.duration_s is not None:
        parts.append(f"{s.duration_s:.1f}s")
    if links.run:
        parts.append(f"[workflow run]({links.run})")
    if links.artifacts:
        parts.append(f"[results artifact]({links.artifacts})")
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


def _problem_sections(
    results: RunResults, links: Links, base_branch: str | None
) -> list[tuple[str, list[str]]]:
    """(heading, lines): what this change caused, then what the base branch already had."""
    notable = [c for c in results.cases if c.selected and _notable(c)]
    ordered = [c for c in notable if c.critical] + [c for c in notable if not c.critical]
    new = [c for c in ordered if not already_failing(c)]
    old = [c for c in ordered if already_failing(c)]
    sections = []
    if new:
        sections.append(("**Caused by this change**", [x for c in new for x in _problem(c, links)]))
    if old:
        heading = f"**Already failing on {_base_name(base_branch)}**"
        sections.append((heading, [x for c in old for x in _problem(c, links)]))
    return sections


def _render(
    results: RunResults, links: Links, base_branch, level: int, note: str | None, budget: int
) -> str:
    s = results.summary
    lines = [headline(results, base_branch), ""]
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
            lines += ["", base]  # its own paragraph: GitHub would run it into the counts
    if note:
        lines += ["", note]
    selected = [c for c in results.cases if c.selected]
    notable = [c for c in selected if _notable(c)]
    suite_reasons = _suite_reasons(results, notable)
    if suite_reasons:
        lines += ["", "**Why the gate failed**", ""]
        reasons = [f"- {untrusted(reason, 400)}" for reason in suite_reasons]
        lines += _fit(reasons, budget * 15 // 100, "reasons") if level >= BUDGETED else reasons
    for heading, problems in _problem_sections(results, links, base_branch):
        lines += ["", heading, ""]
        lines += _fit(problems, budget * 20 // 100, "lines") if level >= BUDGETED else problems
    if selected:
        rows = selected if level < NOTABLE_ROWS else sorted(notable, key=lambda c: not c.critical)
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
            lines.append(f"\n_{plural(len(selected) - len(rows), 'passing case')} not listed._")
        if level < NO_CHART:
            lines += _chart(selected)
    skipped = [c for c in results.cases if not c.selected]
    if skipped:
        if level < NO_SKIPPED_LIST:
            lines += ["", f"<details><summary>{plural(len(skipped), 'skipped case')}</summary>", ""]
            lines += [
                f"- {untrusted(c.name, 200)}: {untrusted(c.selection_reason, 400)}" for c in skipped
            ]
            lines += ["", "</details>"]
        else:
            lines += ["", f"_{plural(len(skipped), 'case')} skipped (list truncated)._"]
    if results.warnings and level < NOTABLE_ROWS:
        lines += ["", "<details><summary>Warnings</summary>", ""]
        lines += [f"- {untrusted(w, 300)}" for w in results.warnings]
        lines += ["", "</details>"]
    lines += ["", _footer(results, links)]
    return "\n".join(lines) + "\n"


def render_markdown(
    results: RunResults,
    *,
    run_url: str | None = None,
    limit: int | None = None,
    artifact_hint: str | None = None,
    links: Links | None = None,
    base_branch: str | None = None,
) -> str:
    """The report; with `limit`, shortened detail by detail until it fits. `links` (or just
    `run_url`) must come from trusted settings; `base_branch` names what "already failing"
    is measured against. Redacted first, so no escaping can hide a secret from the
    redactor."""
    links = links or Links(run=run_url)
    return redact(_fitted(redact_model(results), links, base_branch, limit, artifact_hint))


def _fitted(
    results: RunResults, links: Links, base_branch: str | None, limit: int | None, artifact_hint
) -> str:
    text = _render(results, links, base_branch, FULL, None, limit or 0)
    if limit is None or len(text) <= limit:
        return text
    where = f"the results file {artifact_hint}" if artifact_hint else "the results file"
    run = f" of [this run]({links.run})" if links.run else ""
    note = (
        f"> ⚠️ This report was shortened to fit GitHub's comment size limit; every case is in "
        f"{where} (the run's artifact{run})."
    )
    for level in (NO_SKIPPED_LIST, NO_CHART, NOTABLE_ROWS, BUDGETED):
        text = _render(results, links, base_branch, level, note, limit - 2000)
        if len(text) <= limit:
            return text
    return text[: limit - len(note) - 10] + "\n\n" + note + "\n"
