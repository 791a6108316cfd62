"""The PR comment as a reviewer reads it: rendered by markdown-it (GitHub's CommonMark + tables)
and checked on what a reader sees, not only on the Markdown source."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from compare.conftest import case as make_case
from compare.conftest import run
from driftgate.gate import summarize
from driftgate.report.markdown import Links, render_markdown

from .example import HEAD, LINKS, RUN, example_results


@pytest.fixture
def results(tmp_path):
    return example_results(tmp_path)


def html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def links_in(text: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html(text))


def test_headline_separates_what_the_change_caused_from_what_main_had(results):
    text = render_markdown(results, links=LINKS, base_branch="main")
    assert text.splitlines()[0] == (
        "### ❌ driftgate · `support-bot`: 1 new critical regression · 1 new failure · "
        "1 critical case already failing on `main`"
    )
    caused = text.index("**Caused by this change**")
    already = text.index("**Already failing on `main`**")
    assert caused < text.index("`refund-policy`", caused) < already
    assert already < text.index("`shipping-times`", already) < text.index("| status |")
    # Without a known base branch it still says where the failure came from.
    assert "already failing on the base branch" in render_markdown(results)


def test_real_plurals_only(results):
    text = render_markdown(results, links=LINKS, base_branch="main")
    assert "(s)" not in text
    assert "(2 unsupported sentences)" in text  # worded by the grounding scorer
    assert "<summary>1 skipped case</summary>" in text and "18 model calls" in text
    for case in results.cases[:3]:
        case.critical, case.regression, case.baseline_pass_rate = True, True, 1.0
    results.summary.verdict = "fail"
    assert "3 new critical regressions" in render_markdown(results).splitlines()[0]
    results.summary.baseline = None  # without a baseline nothing is "new"
    assert ": 3 critical regressions · " in render_markdown(results).splitlines()[0]


def test_each_reason_appears_once(results):
    text = render_markdown(results, links=LINKS, base_branch="main")
    for reason in ("similarity 0.41 < 0.80", "similarity 0.54 < 0.80", "similarity 0.74 < 0.80"):
        assert text.count(reason) == 1, reason
    assert text.count("The answer promises a refund") == 1
    assert text.count('"Express delivery is free."') == 1  # quoted by the grounding reason
    # The gate's per-case reasons are said under the case; only the suite-wide one is here.
    why = text[text.index("**Why the gate failed**") : text.index("**Caused by this change**")]
    assert "min_pass_rate 0.80" in why and "refund-policy" not in why
    assert text.count("regressed:") == 1
    # How sure the gate is (compare/rules.py), once, under the blocked case.
    assert text.count("this case's noise") == 1
    assert "regressed: drop 0.52, " in text


def test_grounding_reasons_one_line_per_claim_without_nested_parentheses(results):
    text = render_markdown(results, links=LINKS, base_branch="main")
    lines = text.splitlines()
    head = next(i for i, x in enumerate(lines) if "grounding 0.33 < 0.80" in x)
    claims = lines[head + 1 : head + 3]
    assert all(x.startswith("    - `") for x in claims)
    assert "Express delivery is free." in claims[0] and "Orders ship from Oslo." in claims[1]
    assert not re.search(r"\([^()]*\(", lines[head])  # no parenthesis inside another
    items = html(text)
    assert items.count("<li><code>&quot;") == 2  # each claim its own list item


def test_new_and_changed_cases_say_why_there_is_no_delta(results):
    rows = {x.split("|")[2].strip(): x for x in render_markdown(results).splitlines() if "| `" in x}
    assert "0.74 · new case" in rows["`returns-window`"]
    assert "0.88 · expected changed: not compared" in rows["`opening-hours`"]
    assert "0.93 → 0.41 (-0.52)" in rows["`refund-policy`"]


def test_links_to_the_suite_line_the_run_and_the_artifact(results):
    text = render_markdown(results, links=LINKS, base_branch="main")
    suite = f"https://github.com/acme/support-bot/blob/{HEAD}/llm-evals.yaml"
    line = results.case("refund-policy").line
    assert f"[line {line}]({suite}#L{line})" in text
    assert set(links_in(text)) == {
        f"{suite}#L{c.line}" for c in results.cases if c.status == "failed"
    } | {RUN, f"{RUN}#artifacts"}
    # Without trusted links, the line is plain text and nothing else links.
    assert links_in(render_markdown(results)) == [] and f"· line {line}" in render_markdown(results)


def test_untrusted_text_never_becomes_a_link_or_markup(results):
    case = results.case("refund-policy")
    case.samples[0].output = "@octocat see [x](https://evil.example) <b>now</b>"
    case.name = "[click](https://evil.example) <img src=x> @octocat"
    case.reasons = ["see https://evil.example/x and [here](https://evil.example) `tick`"]
    case.judge.reasoning = "</details> <!-- driftgate-report --> ![i](https://evil.example/i.png)"
    results.warnings = ["[w](https://evil.example)"]
    rendered = html(render_markdown(results, links=LINKS, base_branch="main"))
    assert "evil.example" in rendered  # shown ...
    assert all("evil" not in href for href in re.findall(r'href="([^"]*)"', rendered))
    assert "<img" not in rendered and "<!--" not in rendered and "</details> <" not in rendered
    assert "<b>" not in rendered and "&lt;b&gt;now" in rendered  # the output, shown as text


def test_delta_chart_with_three_compared_cases_nothing_with_fewer(results):
    text = render_markdown(results, links=LINKS)
    chart = text[text.index("```text") : text.index("```", text.index("```text") + 3)]
    rows = chart.splitlines()[1:]
    assert [r.split()[0] for r in rows] == [
        "refund-policy",
        "apology-tone",
        "shipping-times",
        "greeting",
    ]  # worst first, only the cases with a delta
    assert "-0.52 ████████████████████│" in rows[0]  # a drop of 0.5 or more fills the left
    assert rows[-1].endswith("│")  # +0.01: no visible bar, but the axis
    for case in results.cases:
        if case.name not in ("refund-policy", "greeting"):
            case.delta = case.baseline_similarity = None
    assert "```text" not in render_markdown(results)
    assert "mermaid" not in text


def test_passing_run_is_one_line_and_a_table():
    passing = run([make_case("a", [0.9]), make_case("b", [0.95])])
    summarize(passing)
    text = render_markdown(passing, links=Links(run=RUN))
    assert text.startswith("### ✅ driftgate · `support bot`: passed (2/2 cases)")
    assert "Why the gate failed" not in text and "Caused by" not in text
    assert "```text" not in text  # two cases, no chart


def test_cases_the_budget_left_unrun_are_named_in_the_headline_and_why():
    from driftgate.results import CaseResult

    unrun = CaseResult(name="c", critical=True, status="skipped", reasons=["skipped (budget)"])
    results = run([make_case("a", [0.9]), unrun])
    summarize(results)
    text = render_markdown(results, links=Links(run=RUN))
    first = text.splitlines()[0]
    assert first.startswith("### ❌") and "1 case not run (--max-cost budget reached)" in first
    assert "critical case 'c' was not run" in text


def test_a_failing_case_shows_what_the_pipeline_said_once(results):
    """The reviewer reads the output under its reasons without opening the results: the first
    failing sample's, named, when the case ran several; a passing case's is not shown."""
    text = render_markdown(results, links=LINKS, base_branch="main")
    refund = "output of sample 1 of 3: `Good news: your refund will reach your account"
    assert text.count(refund) == 1
    block = text[text.index("refund-policy") : text.index("judge 2/5")]
    assert refund in block  # under its case, before the judge's word
    assert text.count("Returns are accepted for 14 days.") == 1
    assert "an answer" not in text  # passing cases' outputs stay in the results file


def test_the_output_shown_is_a_failing_samples_and_is_clipped(results):
    case = results.case("refund-policy")
    case.samples[0].status, case.samples[0].output = "passed", "fine"
    case.samples[2].output = "x" * 5000
    text = render_markdown(results, links=LINKS, base_branch="main")
    assert "output of sample 2 of 3" in text and "fine`" not in text
    case.samples[1].status = "passed"
    text = render_markdown(results, links=LINKS, base_branch="main")
    assert "output of sample 3 of 3: `" + "x" * 299 + "…`" in text
