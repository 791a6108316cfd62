"""Untrusted text in the report is shown, never rendered: checked with GitHub's own parser.

The report goes through cmark-gfm (GitHub's fork of cmark, via `cmarkgfm`) with raw HTML
allowed, so what GitHub would keep after its parser is visible. GitHub's later steps (its
sanitizer, mention and issue linking) work on text outside code, so text that stays inside
<code> is inert; text outside must carry no mention, link, image or tag.
"""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.gate import summarize
from driftgate.report.markdown import render_markdown, untrusted
from driftgate.results import BaselineInfo, CaseResult, JudgeResult, RunResults

HOSTILE = [
    "@octocat please look",
    "@org/team ping",
    "![tracker](https://evil.example/pixel.png)",
    "[click me](https://evil.example/phish)",
    "https://evil.example/autolink www.evil.example",
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>x</a>",
    "</details></details><details open><summary>fake</summary>",
    "<!-- driftgate-report suite=other -->",
    "| forged | table | row |\n|---|---|---|",
    "line one\n\n# heading\n- list item\n```\ncode block",
    "``` ~~~ `` ` backticks everywhere `",
    "&lt;escaped&gt; &amp; &#64;octocat",
    "**bold** _em_ ~~strike~~ \\",
    "x\n::error title=INJ::injected",
]
ALLOWED_TAGS = {
    "h3", "p", "strong", "em", "code", "sub", "ul", "li", "table", "thead", "tbody", "tr",
    "th", "td", "details", "summary", "pre", "blockquote", "a",
}  # fmt: skip
COLUMNS = 6
RUN = "https://github.com/o/r/actions/runs/1"


def hostile_results(text: str, name: str | None = None) -> RunResults:
    cases = []
    for i in range(3):
        cases.append(
            CaseResult(
                name=name if name is not None else f"{text} #{i}",
                line=3,
                critical=i == 0,
                selected=i < 2,
                selection_reason=f"changed: {text}",
                status="failed" if i < 2 else "skipped",
                reasons=[f"missing '{text}'"],
                error=text,
                similarity=0.4,
                baseline_similarity=0.9,
                delta=-0.5,
                regression=True,
                output=text,
                judge=JudgeResult(status="failed", score=1, reasoning=text),
            )
        )
    results = RunResults(
        suite=text, suite_path=f"{text}.yaml", embedding_model="m", cases=cases, warnings=[text]
    )
    results.summary.baseline = BaselineInfo(source=f"file {text}", commit="b" * 40)
    summarize(results)
    results.summary.gate_reasons.append(f"case '{text}' regressed")
    return results


def rendered(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def outside_code(html: str) -> str:
    return re.sub(r"<code>.*?</code>", "<code></code>", html, flags=re.S)


def assert_inert(markdown: str) -> None:
    html = rendered(markdown)
    bare = outside_code(html)
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", bare))
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    links = re.findall(r'<a href="([^"]*)"', bare)
    assert all(link.startswith("https://github.com/o/r/actions/runs/") for link in links), links
    assert "<img" not in bare and "<!--" not in bare and "<script" not in bare
    text = re.sub(r"<[^>]+>", " ", bare)
    assert not re.search(r"(?<![A-Za-z0-9_])@[A-Za-z0-9]", text), "live mention"
    assert bare.count("<details>") == bare.count("</details>")
    assert "<details open" not in bare
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        assert len(re.findall(r"<t[hd][ >]", row)) == COLUMNS, row
    assert "<h1>" not in html


def test_every_hostile_text_is_inert_wherever_it_appears():
    for text in HOSTILE:
        markdown = render_markdown(hostile_results(text), run_url=RUN)
        assert_inert(markdown)
        assert markdown.splitlines()[0].startswith("### ❌ driftgate · ")


def test_the_text_is_still_shown_verbatim_inside_code():
    text = "@octocat ![x](y) <b>hi</b>"
    html = rendered(render_markdown(hostile_results(text)))
    assert "<code>@octocat ![x](y) &lt;b&gt;hi&lt;/b&gt; #0</code>" in html


def test_a_pipe_in_a_name_stays_in_its_table_cell():
    html = rendered(render_markdown(hostile_results("x", name="a|b|c|d")))
    assert "<td><code>a|b|c|d</code></td>" in html


@settings(deadline=None, max_examples=120, database=None)
@given(st.text(max_size=60))
def test_any_text_is_one_inert_code_span(text):
    span = untrusted(text, cell=True)
    assert "\n" not in span and "\r" not in span
    html = rendered(f"| a |\n|---|\n| {span} |\n")
    cells = re.findall(r"<td>(.*?)</td>", html, flags=re.S)
    assert len(cells) == 1
    assert cells[0] == "–" or (cells[0].startswith("<code>") and cells[0].endswith("</code>"))


@settings(deadline=None, max_examples=60, database=None)
@given(st.text(alphabet=st.sampled_from(list("@`<>|[]()!*_~#\n&;:/x")), max_size=40))
def test_generated_hostile_text_is_inert(text):
    assert_inert(render_markdown(hostile_results(text), run_url=RUN))


# Invisible characters that change what a reader sees: a right-to-left override turns the
# rest of a headline around ("…: passed" can be spelt backwards after it), isolates and marks
# reorder words, zero-width characters make two different case names look the same.
INVISIBLE = [
    "\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\x1b",
]  # fmt: skip


def test_bidi_and_zero_width_characters_are_shown_not_applied():
    for char in INVISIBLE:
        text = f"safe{char}dessap :"  # after U+202E, ": passed" would read left to right
        html = rendered(render_markdown(hostile_results(text), run_url=RUN))
        assert char not in html, repr(char)
        escaped = char.encode("unicode_escape").decode("ascii")
        assert f"<code>safe{escaped}dessap :" in html, repr(char)


def test_two_names_that_differ_by_an_invisible_character_look_different():
    plain, spoof = untrusted("refund-policy"), untrusted("refund\u200b-policy")
    assert plain != spoof and "\u200b" not in spoof and "\\u200b" in spoof
