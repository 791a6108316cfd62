"""`promote`: a reviewed production sample becomes a case, the suite file otherwise untouched."""

from __future__ import annotations

import json
from argparse import Namespace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from monitor_helpers import CONTEXT, sample, write_log

from driftgate.commands.promote import build_case, insert_case, render_item, validate
from driftgate.config import load_suite
from driftgate.monitor.samples import Line, ProductionSample
from support import run_cli

pytestmark = pytest.mark.slow


def promote(project, rows, *args):
    write_log(project / "logs.jsonl", rows)
    return run_cli("promote", "--samples", "logs.jsonl", *args, cwd=project)


def test_appends_a_validated_case_and_keeps_comments_and_layout(project):
    before = (project / "llm-evals.yaml").read_text()
    row = sample(
        id="req-42", task="summarize", context=CONTEXT, prompt="Summarize: {ticket}",
        vars={"ticket": "Login fails after a reset.\nSecond line."},
        created_at="2026-12-01T10:00:00Z",
    )
    done = promote(
        project, [sample(id="other"), row], "--id", "req-42", "--expected",
        "The user cannot log in after resetting the password.", "--critical",
        "--tags", "prod", "login", "--trigger-paths", "src/login/**",
    )
    assert done.returncode == 0, done.stderr
    assert "added case 'prod-req-42' from logs.jsonl:2" in done.stdout
    after = (project / "llm-evals.yaml").read_text()
    # the new case is one block before the closing comment; the rest is byte for byte the same
    start = after.index("    - name: prod-req-42\n")
    end = after.index("  # end of the cases")
    assert after[:start] + after[end:] == before
    suite = load_suite(project / "llm-evals.yaml")
    case = suite.case("prod-req-42")
    assert case.expected == "The user cannot log in after resetting the password."
    assert case.context == CONTEXT
    assert case.vars["ticket"] == "Login fails after a reset.\nSecond line."
    assert case.render_prompt() == "Summarize: Login fails after a reset.\nSecond line."
    assert case.critical and case.tags == ("prod", "login")
    assert case.trigger_paths == ("src/login/**",)
    assert case.task == "summarize"
    assert "    - name: prod-req-42\n" in after  # the list's own indentation


def test_a_suite_with_crlf_line_ends_keeps_them_and_the_new_case_gets_them_too(project):
    suite = project / "llm-evals.yaml"
    before = suite.read_bytes().replace(b"\n", b"\r\n")
    suite.write_bytes(before)
    row = sample(id="w1", context="Two\nlines.")
    done = promote(project, [row], "--id", "w1", "--expected", "An answer.\nOn two lines.")
    assert done.returncode == 0, done.stderr
    after = suite.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n")  # no bare LF anywhere
    start = after.index(b"    - name: prod-w1\r\n")
    end = after.index(b"  # end of the cases")
    assert after[:start] + after[end:] == before
    case = load_suite(suite).case("prod-w1")
    assert (case.expected, case.context) == ("An answer.\nOn two lines.", "Two\nlines.")


def test_expected_from_output_and_a_rendered_prompt_stays_literal(project):
    row = sample(id="7", prompt="Answer {politely}: what is {x}?", output="It is 4.")
    done = promote(project, [row], "--id", "7", "--expected-from-output", "--name", "math")
    assert done.returncode == 0, done.stderr
    case = load_suite(project / "llm-evals.yaml").case("math")
    assert case.expected == "It is 4."
    assert case.render_prompt() == "Answer {politely}: what is {x}?"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "nope", "--expected", "x"], "no sample with id 'nope' (did you mean 'nopee'?)"),
        (["--id", "nope2", "--expected", "x", "--name", "ticket_summary"],
         "a case named 'ticket_summary' already exists; pass --name, e.g. --name ticket_summary-2"),
        (["--id", "nope2"], "one of the arguments --expected --expected-from-output is required"),
        (["--id", "nope2", "--expected", "   "], "the expected answer is empty"),
    ],
)
def test_refusals_are_usage_errors_and_write_nothing(project, args, message):
    before = (project / "llm-evals.yaml").read_text()
    done = promote(project, [sample(id="nope2"), sample(id="nopee")], *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert (project / "llm-evals.yaml").read_text() == before


def test_a_duplicated_id_in_the_log_names_both_lines(project):
    done = promote(project, [sample(id="d"), sample(id="d")], "--id", "d", "--expected", "x")
    assert done.returncode == 2 and "line 1 and line 2" in done.stderr


def test_flow_style_cases_are_refused_with_the_line(project):
    suite = project / "llm-evals.yaml"
    suite.write_text(
        'eval_suite:\n  name: s\n  cases: [{name: a, expected: "b", target: '
        '{type: command, command: "true"}}]\n'
    )
    done = promote(project, [sample(id="x")], "--id", "x", "--expected", "y")
    assert done.returncode == 2 and "llm-evals.yaml:3: `cases:` is written in flow style" in (
        done.stderr
    )


def test_a_case_that_would_not_validate_is_not_written(project):
    before = (project / "llm-evals.yaml").read_text()
    row = sample(id="v", vars={"ticket": {"file": "../../outside.txt"}}, prompt="{ticket}")
    done = promote(project, [row], "--id", "v", "--expected", "x")
    # nested values become JSON text, so this one is valid: a string var
    assert done.returncode == 0, done.stderr
    case = load_suite(project / "llm-evals.yaml").case("prod-v")
    assert json.loads(case.vars["ticket"]) == {"file": "../../outside.txt"}
    assert (project / "llm-evals.yaml").read_text() != before


# Any character, with the ones that mean something to YAML or to a line splitter made common.
TRICKY = st.sampled_from(
    list("\x85\u2028\u2029\r\n\t\x0b\x0c\x1c{}[]&*!|>:#'\"-?,% @`\ufeff\u202e")
)
# Text as a log can hold it: unpaired surrogates are refused when the log is read.
TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), TRICKY), max_size=40)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sample_id=TEXT.filter(bool),
    prompt=TEXT.filter(bool),
    output=TEXT.filter(str.strip),
    context=TEXT.filter(bool),
    task=TEXT.filter(bool),
    variables=st.dictionaries(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True), TEXT),
)
@example(sample_id="0", prompt="0", output="0", context="0", task="\x85", variables={})
@example(sample_id="0", prompt="{{", output="0", context="0", task="0", variables={})
def test_any_sample_text_loads_back_as_written_and_nothing_else_changes(
    project, sample_id, prompt, output, context, task, variables
):
    """Whatever a production log holds (YAML syntax, `{`, anchors, quotes, line breaks of
    every kind, controls), the patched suite loads and the case says what the sample said."""
    suite = load_suite(project / "llm-evals.yaml")
    line = Line(
        7,
        ProductionSample(
            id=sample_id, prompt=prompt, output=output, context=context, task=task,
            vars=variables,
        ),
    )
    args = Namespace(
        name=None, expected=None, expected_from_output=True, samples=Path("logs.jsonl"),
        critical=False, tags=[], trigger_paths=None,
    )
    case = build_case(suite, line, args)
    patched = insert_case(suite.path, case)
    validate(suite, patched, case["name"])
    assert patched.replace("".join(render_item(case, 4)), "", 1) == suite.path.read_text()
    check = project / "check.yaml"
    check.write_text(patched, encoding="utf-8")
    got = load_suite(check).case(case["name"])
    assert got.expected == output.strip()  # the loader strips `expected`, as for every case
    assert (got.context, got.task, dict(got.vars)) == (context, task, variables)
    assert got.render_prompt() == prompt
