"""The suite file: the write-ups' format loads unchanged; every error is located and actionable."""

from __future__ import annotations

import pytest

from config.helpers import load_errors
from driftgate.config import load_suite
from driftgate.errors import ConfigError, UsageError

WRITEUP_FORMAT = """
eval_suite:
  name: "Customer Support Pipeline"
  embedding_model: "all-MiniLM-L6-v2"
  default_threshold: 0.80
  cases:
    - name: "ticket_summary"
      prompt: "Summarize: {ticket_text}"
      expected: "Customer reports login failure after password reset"
      context: "User tried resetting password. Login fails with error 403."
      min_similarity: 0.85
      check_grounding: true
      grounding_threshold: 0.78
      critical: true
      tags: ["summarization", "tier-1"]
      trigger_paths:
        - "src/features/ticket_router/**"
        - "prompts/summarize/*"
    - name: "plain"
      prompt: "Hello"
      expected: "Hi there"
"""


def test_writeup_format_loads_unchanged_with_defaults(write_suite):
    suite = load_suite(write_suite(WRITEUP_FORMAT))
    assert suite.name == "Customer Support Pipeline"
    first, plain = suite.cases
    assert first.min_similarity == 0.85
    assert first.grounding_threshold == 0.78
    assert first.critical and first.check_grounding
    assert first.tags == ("summarization", "tier-1")
    assert first.trigger_paths == ("src/features/ticket_router/**", "prompts/summarize/*")
    assert first.line == 6
    # Defaults inherited from the suite.
    assert plain.min_similarity == 0.80
    assert plain.grounding_threshold == 0.60
    assert plain.min_grounding_ratio == 0.85
    assert plain.grounding_mode == "chunked"
    assert plain.critical is False
    assert plain.trigger_paths is None
    assert suite.gate.min_pass_rate == 1.0
    # The missing {ticket_text} value is a warning, not an error.
    assert any("ticket_text" in str(w) for w in suite.warnings)


def test_unknown_keys_are_errors_with_suggestions_and_positions(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          default_treshold: 0.8
          cases:
            - name: a
              expected: x
              min_similarty: 0.9
        """
    )
    errors = load_errors(path)
    assert errors == [
        f"{path}:3:3: eval_suite.default_treshold: unknown key 'default_treshold': did you mean "
        "'default_threshold'? valid keys here: " + errors[0].split("valid keys here: ")[1],
        f"{path}:7:7: eval_suite.cases['a'].min_similarty: unknown key 'min_similarty': did you "
        "mean 'min_similarity'? valid keys here: " + errors[1].split("valid keys here: ")[1],
    ]
    assert "default_threshold" in errors[0].split("valid keys here: ")[1]


def test_several_errors_reported_together(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              expected: x
              min_similarity: 1.5
              critical: maybe
            - name: a
              expected: y
              grounding_threshold: -0.1
        """
    )
    errors = load_errors(path)
    assert len(errors) == 4
    assert errors[0].startswith(f"{path}:6:7: eval_suite.cases['a'].min_similarity:")
    assert "must be at most 1 (got 1.5)" in errors[0]
    assert errors[1].startswith(f"{path}:7:7: eval_suite.cases['a'].critical:")
    assert errors[2].startswith(f"{path}:8:7: duplicate case name 'a' (first used on line 4)")
    assert errors[3].startswith(f"{path}:10:7:")
    assert "must be at least 0 (got -0.1)" in errors[3]


def test_yaml_syntax_error_is_located(write_suite):
    path = write_suite("eval_suite:\n  name: s\n  cases: [\n    - name: a\n")
    (error,) = load_errors(path)
    assert error.startswith(f"{path}:4:5: line 4 (`- name: a`): '-' cannot start a value inside")
    assert "is one never closed?" in error


def test_duplicate_yaml_keys_are_errors(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              expected: x
              expected: y
        """
    )
    (error,) = load_errors(path)
    assert error == f"{path}:6:7: duplicate key 'expected': remove one of them"


def test_missing_required_and_wrong_top_level(write_suite):
    path = write_suite("eval_suit:\n  name: s\n")
    (error,) = load_errors(path)
    assert "did you mean 'eval_suite'" in error
    path = write_suite("eval_suite:\n  name: s\n  cases:\n    - name: a\n")
    (error,) = load_errors(path)
    assert error == (
        f"{path}:4:7: eval_suite.cases['a']: required key 'expected' is missing; add it"
    )


@pytest.mark.parametrize("blank", ['"   "', '"\\n\\t"', '" \\u00a0 "'])
def test_a_blank_expected_is_an_error_with_its_line(write_suite, blank):
    """Found: `expected: "   "` validated, was stripped to "", and "" is 0.50 similar to
    the output "hi": under a low threshold a blank expected passed any answer."""
    text = f"eval_suite:\n  name: s\n  cases:\n    - name: a\n      expected: {blank}\n"
    path = write_suite(text)
    (error,) = load_errors(path)
    assert error == (
        f"{path}:5:7: eval_suite.cases['a'].expected: expected is blank: write the answer "
        f"this case expects"
    )


def test_target_errors_name_the_type_and_keys(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          target: {type: comand, command: x}
          cases:
            - name: a
              expected: x
              target: {type: command, comand: "python p.py"}
        """
    )
    errors = load_errors(path)
    assert "`type` must be one of command, outputs, anthropic" in errors[0]
    assert any("unknown key 'comand': did you mean 'command'?" in e for e in errors)
    assert any("required key 'command' is missing" in e for e in errors)


def test_vars_file_reference_read_relative_and_confined(tmp_path, write_suite):
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "t.txt").write_text("ticket body")
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              prompt: "Summarise {ticket} for {team}"
              vars: {ticket: {file: inputs/t.txt}, team: 3}
              expected: x
        """
    )
    suite = load_suite(path, root=tmp_path)
    case = suite.cases[0]
    assert case.vars == {"ticket": "ticket body", "team": "3"}
    assert case.render_prompt() == "Summarise ticket body for 3"
    assert suite.warnings == ()

    escape = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              vars: {ticket: {file: ../../etc/passwd}}
              expected: x
        """
    )
    (error,) = load_errors(escape)
    assert error.startswith(f"{escape}:5:")
    assert "outside the repository" in error


def test_render_keeps_literal_braces_and_reports_missing(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              prompt: 'Answer as JSON like {{"team": "..."}} for {ticket} and {other}'
              vars: {ticket: T}
              expected: x
        """
    )
    case = load_suite(path).cases[0]
    assert case.missing_vars == ["other"]
    from driftgate.config import MissingVariable

    with pytest.raises(MissingVariable, match="other"):
        case.render_prompt()


def test_missing_file_is_usage_error(tmp_path):
    with pytest.raises(UsageError, match="suite file not found"):
        load_suite(tmp_path / "nope.yaml")


def test_definition_hash_ignores_formatting(write_suite):
    a = load_suite(write_suite("eval_suite:\n  name: s\n  cases:\n    - {name: a, expected: x}\n"))
    b = load_suite(
        write_suite(
            "eval_suite:\n  name: s\n  cases:\n    - expected: x\n      name: a\n", "b.yaml"
        )
    )
    c = load_suite(
        write_suite("eval_suite:\n  name: s\n  cases:\n    - {name: a, expected: y}\n", "c.yaml")
    )
    assert a.cases[0].definition_hash == b.cases[0].definition_hash
    assert a.cases[0].definition_hash != c.cases[0].definition_hash


def test_one_string_stands_for_a_list_of_one(write_suite):
    suite = load_suite(
        write_suite(
            """
            eval_suite:
              name: s
              cases:
                - name: a
                  expected: x
                  tags: smoke
                  trigger_paths: "prompts/**"
                  checks: {contains: refund, not_contains: sorry, regex: "^\\\\d+"}
            """
        )
    )
    (case,) = suite.cases
    assert case.tags == ("smoke",)
    assert case.trigger_paths == ("prompts/**",)
    assert case.checks.contains == ["refund"]
    assert case.checks.not_contains == ["sorry"]
    assert case.checks.regex == ["^\\d+"]


def test_a_number_where_strings_belong_is_still_an_error(write_suite):
    path = write_suite("eval_suite:\n  name: s\n  cases:\n    - {name: a, expected: x, tags: 3}\n")
    (problem,) = load_errors(path)
    assert ":4:" in problem and "tags: must be text or a list of text (got 3)" in problem


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("name: s\ncases:\n  - {name: a, expected: b}\n", "found `name:`, a key of the suite"),
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
    ],
)
def test_a_suite_without_its_root_key_says_what_to_write(write_suite, text, hint):
    """Found adopting driftgate: a suite copied without its first line (or an empty new
    file) was told only that `eval_suite:` must come first."""
    with pytest.raises(ConfigError) as caught:
        load_suite(write_suite(text))
    error = str(caught.value)
    assert "the file must start with a top-level `eval_suite:` key" in error and hint in error


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "min_similarity: 0.85",
            "min_similarity: 85",
            "must be at most 1 (got 85); a share, not a percentage: write 0.85",
        ),
        (
            "default_threshold: 0.80",
            'default_threshold: 0.80\n  target: "python pipeline.py"',
            "must be a mapping (`key: value` lines) (got 'python pipeline.py'); write "
            '{type: command, command: "python pipeline.py"}',
        ),
    ],
)
def test_a_common_slip_gets_the_value_to_write(write_suite, old, new, message):
    """Found adopting driftgate: a percentage for a share, and a bare command for a target,
    were told only what was wrong."""
    with pytest.raises(ConfigError) as caught:
        load_suite(write_suite(WRITEUP_FORMAT.replace(old, new)))
    assert message in str(caught.value)
