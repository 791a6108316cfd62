"""`promote`: a reviewed production sample becomes a case, the suite file otherwise untouched."""

from __future__ import annotations

import json

import pytest
from monitor_helpers import CONTEXT, sample, write_log

from driftgate.config import load_suite
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
