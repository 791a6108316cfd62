"""The monitor's Markdown: the job summary of a nightly run and `--report-md`.

The first line says how much of production was flagged and whether that is more than last
time; then one row per case or task, worst first; then the worst samples with the reason
each was flagged; then the trend. Everything taken from the log is escaped as untrusted.
"""

from __future__ import annotations

from driftgate.monitor.results import GroupSummary, MonitorResults, SampleRecord
from driftgate.redact import redact
from driftgate.report.markdown import untrusted
from driftgate.text import noun, plural

WORST_SHOWN = 20
GROUPS_SHOWN = 30


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def headline(results: MonitorResults) -> str:
    o = results.overall
    if o.samples == 0:
        return f"### 🔎 driftgate monitor · {untrusted(results.suite, 80)}: no samples scored"
    icon = "❌" if results.verdict == "fail" else "🔎"
    text = (
        f"### {icon} driftgate monitor · {untrusted(results.suite, 80)}: {_pct(o.flag_rate)} of "
        f"{o.samples:,} sample{'s' if o.samples != 1 else ''} flagged"
    )
    trend = results.trend
    if trend and trend.previous and trend.flag_rate_change is not None:
        change = trend.flag_rate_change * 100
        arrow = "▲" if change > 0 else "▼" if change < 0 else "="
        text += f" ({arrow} {change:+.1f} pts since {trend.previous.date})"
    return text


def group_row(group: GroupSummary) -> str:
    latency = (
        "–"
        if group.latency_p50_s is None
        else f"{group.latency_p50_s:.2f}s / {group.latency_p95_s:.2f}s"
    )
    similarity = "–"
    if group.compared:
        similarity = f"{_num(group.similarity_mean)} ({group.below_expected} below)"
    return (
        f"| {untrusted(group.name, 60, cell=True)} | {group.samples:,} | {group.flagged:,} "
        f"({_pct(group.flag_rate)}) | {_num(group.grounding_mean)} | "
        f"{_num(group.judge_mean, 1)} ({group.judged}) | {similarity} | {latency} | "
        f"${group.cost_usd:.4f} |"
    )


def sample_row(record: SampleRecord) -> str:
    label = record.id if record.id is not None else f"line {record.line}"
    reason = untrusted("; ".join(record.reasons), 200, cell=True)
    return (
        f"| {untrusted(label, 40, cell=True)} | {record.line} | "
        f"{untrusted(record.group, 40, cell=True)} | "
        f"{', '.join(record.flags)} | {reason} |"
    )


def chart(results: MonitorResults) -> list[str]:
    points = results.trend.history if results.trend else []
    history = [p for p in points if p.flag_rate is not None]
    if len(history) < 2:
        return []
    dates = ", ".join(f'"{p.date[5:]}"' for p in history)
    rates = ", ".join(f"{p.flag_rate * 100:.2f}" for p in history)
    top = max(5.0, max(p.flag_rate * 100 for p in history) * 1.2)
    return [
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Flagged samples per run (%)"',
        f"    x-axis [{dates}]",
        f'    y-axis "flagged %" 0 --> {top:.0f}',
        f"    line [{rates}]",
        "```",
    ]


def render(results: MonitorResults, run_url: str | None = None) -> str:
    o = results.overall
    lines = [headline(results), ""]
    if results.verdict == "fail":
        lines += [f"**Failed:** {untrusted('; '.join(results.fail_reasons))}", ""]
    read = f"{results.scored:,} scored of {results.lines_read:,} {noun(results.lines_read, 'line')}"
    if results.bad_lines:
        read += f", {results.bad_lines:,} bad {noun(results.bad_lines, 'line')} skipped"
    if results.before_since:
        read += f", {results.before_since:,} before {results.since}"
    if results.limit is not None:
        read += f" (a seeded sample of at most {results.limit:,}, seed {results.seed})"
    flags = ", ".join(f"{kind} {n:,}" for kind, n in o.flags.items() if n)
    lines += [f"{read}. Flags: {flags or 'none'}.", ""]
    if results.groups:
        lines += [
            "| case / task | samples | flagged | grounding | judge (n) | similarity to expected | "
            "latency p50 / p95 | cost |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [group_row(g) for g in results.groups[:GROUPS_SHOWN]]
        if len(results.groups) > GROUPS_SHOWN:
            more = len(results.groups) - GROUPS_SHOWN
            lines.append(f"\n_{more} more groups in the results file._")
        lines.append("")
    worst = results.samples[:WORST_SHOWN]
    if worst:
        lines += [
            f"<details><summary>Worst flagged samples ({len(worst)} of {o.flagged:,})</summary>",
            "",
            "| sample | line | case / task | flags | why |",
            "|---|---:|---|---|---|",
            *[sample_row(r) for r in worst],
            "",
            "</details>",
        ]
    lines += chart(results)
    notes = list(results.bad_line_examples[:5]) + list(results.warnings)
    if notes:
        lines += ["", "<details><summary>Notes</summary>", ""]
        lines += [f"- {untrusted(note, 300)}" for note in notes]
        lines += ["", "</details>"]
    footer = f"judge: {plural(results.judge_calls, 'call')}, ${results.judge_cost_usd:.4f}"
    if run_url:
        footer += f" · [workflow run]({run_url})"
    lines += ["", f"<sub>{footer} · similarity to expected is shown, never flagged</sub>", ""]
    return redact("\n".join(lines))
