"""The PR comment within GitHub's 65,536-character limit, with 500 cases: details go first,
never the verdict."""

from __future__ import annotations

from driftgate.action.github import COMMENT_LIMIT, marker
from driftgate.gate import summarize
from driftgate.report.markdown import render_markdown
from driftgate.results import BaselineInfo, CaseResult, JudgeResult, RunResults


def make_results(n: int, failing_every: int = 3, reason_size: int = 200) -> RunResults:
    cases = []
    for i in range(n):
        failing = i % failing_every == 0
        cases.append(
            CaseResult(
                name=f"case-{i:03d}-" + "x" * 30,
                line=10 + i * 7,
                critical=i % 5 == 0,
                selected=i < n - 20,
                selection_reason="changed: prompts/p.txt" if i < n - 20 else "no trigger matched",
                status=("failed" if failing else "passed") if i < n - 20 else "skipped",
                reasons=[f"similarity 0.41 < 0.80 because {'w' * reason_size}"] if failing else [],
                similarity=0.41 if failing else 0.93,
                baseline_similarity=0.92,
                delta=-0.51 if failing else 0.01,
                pass_rate=0.0 if failing else 1.0,
                regression=failing,
                judge=JudgeResult(status="failed", score=2, reasoning="r" * 900)
                if failing
                else None,
            )
        )
    results = RunResults(
        suite="support",
        suite_path="llm-evals.yaml",
        embedding_model="all-MiniLM-L6-v2",
        cases=cases,
    )
    results.summary.baseline = BaselineInfo(source="branch driftgate-baseline", commit="a" * 40)
    results.summary.baseline_pass_at_1 = 1.0
    summarize(results)
    results.summary.regressions = sum(c.regression for c in cases)
    return results


def test_500_cases_fit_the_comment_limit_and_say_so():
    results = make_results(500)
    full = render_markdown(results)
    assert len(full) > COMMENT_LIMIT  # the test only means something if it must shorten
    tag = marker("support")
    text = render_markdown(
        results,
        run_url="https://x/runs/1",
        limit=COMMENT_LIMIT - len(tag) - 1,
        artifact_hint="`driftgate-results.json`",
    )
    assert len(tag) + 1 + len(text) <= COMMENT_LIMIT
    assert text.startswith("### ❌ driftgate · `support`: ")
    assert "shortened to fit GitHub's comment size limit" in text
    assert "`driftgate-results.json`" in text
    assert "**critical** `case-000-" in text  # the most important details survive
    assert "pass@1" in text and "[workflow run](https://x/runs/1)" in text


def test_huge_reasons_still_fit():
    results = make_results(500, failing_every=1, reason_size=5000)
    text = render_markdown(results, limit=COMMENT_LIMIT)
    assert len(text) <= COMMENT_LIMIT
    assert "not shown (truncated)" in text


def test_nothing_selected_says_so():
    results = make_results(25)
    for case in results.cases:
        case.selected, case.status = False, "skipped"
    summarize(results)
    text = render_markdown(results)
    assert text.startswith("### ⏭️ driftgate · `support`: no case affected by this change")
    assert "nothing ran; the gate passes" in text and "pass@1" not in text
    assert "mermaid" not in text


def test_untrusted_text_cannot_inject_markup_or_a_marker():
    results = make_results(25, failing_every=1)
    case = results.cases[0]
    case.name = "weird`|name"
    case.reasons = ["<!-- driftgate-report suite=other --> </details> | cell"]
    case.judge.reasoning = "<img src=x onerror=alert(1)>"
    text = render_markdown(results)
    # Shown in code spans (GitHub renders them literally), each on one line.
    assert "`<!-- driftgate-report suite=other --> </details> | cell`" in text
    assert "`<img src=x onerror=alert(1)>`" in text
    assert "| ``weird`\\|name`` |" in text  # the table cell's `|` escaped, fence doubled
    assert not any(line.startswith("<!--") for line in text.splitlines())
