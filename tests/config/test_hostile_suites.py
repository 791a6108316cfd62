"""Hostile and broken suite files: each problem has its own message, at its own line."""

from __future__ import annotations

import codecs
import os

import pytest

from config.helpers import load_errors
from driftgate.cli import main
from driftgate.config import load_suite
from driftgate.config.yaml_positions import YAMLStructureError, load_located

BOMB = """\
eval_suite:
  name: s
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  cases:
    - name: x
      expected: y
"""


def test_alias_bomb_stops_at_the_budget_naming_the_alias_line(write_suite):
    path = write_suite(BOMB)
    (error,) = load_errors(path)
    # The first *e (59,050 values) is the alias that takes the expansion past 100,000.
    assert error.startswith(f"{path}:8:10: the alias *e takes the aliases' expansion past 100,000")
    assert "write the values out" in error


def test_alias_budget_and_depth_are_counted_after_expansion():
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert load_located(text).data == {"a": [1, 2, 3], "b": [[1, 2, 3]] * 3}
    with pytest.raises(YAMLStructureError) as caught:
        load_located(text, max_alias_values=8)  # each alias adds 4 values (the list + 3)
    assert (caught.value.line, caught.value.col) == (2, 13)  # the third *a: 12 > 8
    deep = "a: &a [[[x]]]\nb: [[*a]]\n"
    with pytest.raises(YAMLStructureError, match="nests deeper than 5 levels") as caught:
        load_located(deep, max_depth=5)  # the mapping, two lists, then the alias's three
    assert caught.value.line == 2


def test_merge_keys_still_work_and_errors_point_into_the_anchor(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          defaults: &defaults
            min_similarity: 0.9
          cases: []
        """
    )
    assert "unknown key 'defaults'" in load_errors(path)[0]
    path = write_suite(
        """
        x-defaults: &defaults
          critical: true
          min_similarity: 7
        eval_suite:
          name: s
          cases:
            - <<: *defaults
              name: a
              expected: b
            - <<: *defaults
              name: c
              expected: d
              min_similarity: 0.5
        """
    )
    errors = load_errors(path)
    assert errors[0].startswith(f"{path}:1:1: x-defaults: unknown key 'x-defaults'")
    # The merged value is wrong where the anchor wrote it: line 3; the case that
    # overrides it is fine.
    assert any(e.startswith(f"{path}:3:3: eval_suite.cases['a'].min_similarity:") for e in errors)
    assert not any("cases['c']" in e for e in errors)


def test_deep_nesting_is_a_clear_error_not_a_recursion_error(write_suite):
    path = write_suite("eval_suite:\n  name: " + "[" * 3000 + "]" * 3000 + "\n")
    (error,) = load_errors(path)
    assert error.startswith(f"{path}:2:")
    assert "nests deeper than 64 levels of lists and mappings" in error


def test_a_mapping_as_a_key_is_named_at_its_line(write_suite):
    path = write_suite("eval_suite:\n  name: s\n  ? {a: 1}\n  : 3\n  cases: []\n")
    (error,) = load_errors(path)
    assert error.startswith(f"{path}:3:5: a mapping is used as a key here")


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        ("eval_suite:\n  name: s\n".encode("utf-16"), ":1:1:", "UTF-16 encoded: save it as UTF-8"),
        (
            "eval_suite:\n  name: Café\n".encode("latin-1"),
            ":2:12:",
            "byte 0xE9 at line 2, column 12 (byte offset 23) is not UTF-8",
        ),
        (
            b"eval_suite:\n  name: s\n  \x00\x01\x02",
            ":3:3:",
            "NUL byte at line 3, column 3 (byte offset 24): this is a binary file",
        ),
        (
            b"eval_suite:\n  name: s\x07\n",
            ":2:10:",
            "control character U+0007 at line 2, column 10 is not allowed in YAML",
        ),
    ],
)
def test_undecodable_suite_names_the_line_of_the_byte(tmp_path, data, where, words):
    path = tmp_path / "llm-evals.yaml"
    path.write_bytes(data)
    (error,) = load_errors(path)
    assert error.startswith(f"{path}{where}")
    assert words in error


def test_utf8_bom_and_crlf_are_fine_and_hash_like_the_plain_file(tmp_path):
    plain = "eval_suite:\n  name: s\n  cases:\n    - name: a\n      expected: b\n"
    (tmp_path / "a.yaml").write_text(plain)
    (tmp_path / "b.yaml").write_bytes(codecs.BOM_UTF8 + plain.replace("\n", "\r\n").encode())
    a, b = load_suite(tmp_path / "a.yaml"), load_suite(tmp_path / "b.yaml")
    assert b.cases[0].line == 4
    assert a.file_hash == b.file_hash


@pytest.mark.parametrize(
    ("name", "setup", "words"),
    [
        ("ctx.bin", lambda d: (d / "ctx.bin").write_bytes(b"\x89PNG\x00"), "NUL byte at line 1"),
        ("ctx.txt", lambda d: (d / "ctx.txt").write_bytes("é".encode("latin-1")), "byte 0xE9"),
        ("loop.txt", lambda d: (d / "loop.txt").symlink_to("loop.txt"), "is a symlink loop"),
        ("dir", lambda d: (d / "dir").mkdir(), "is a folder"),
        ("pipe", lambda d: os.mkfifo(d / "pipe"), "is not a regular file"),
        ('"a\\0b"', lambda d: None, "can't be opened: embedded null byte"),
        ("x" * 3000, lambda d: None, "(3000 characters)' can't be read: File name too long"),
    ],
)
def test_file_reference_problems_name_the_suite_line_and_the_file(
    tmp_path, write_suite, name, setup, words
):
    setup(tmp_path)
    path = write_suite(
        f"""
        eval_suite:
          name: s
          cases:
            - name: a
              expected: b
              context: {{file: {name}}}
        """
    )
    (error,) = load_errors(path)
    assert error.startswith(f"{path}:6:17: file '")  # the `file:` key of the reference
    assert words in error


def test_target_field_errors_name_the_field(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          target:
            type: command
            command: python p.py
            timeout_s: "60s"
          cases:
            - name: a
              expected: b
              target: {type: anthropic, model: m, timeout_s: .inf, max_tokens: 0}
        """
    )
    errors = load_errors(path)
    assert errors[0] == (
        f"{path}:6:5: eval_suite.target.timeout_s: must be a number of seconds, e.g. 60 (got '60s')"
    )
    assert errors[1:] == [
        f"{path}:10:43: eval_suite.cases['a'].target.timeout_s: must be a finite number (got inf)",
        f"{path}:10:60: eval_suite.cases['a'].target.max_tokens: must be at least 1 (got 0)",
    ]


def test_raw_pydantic_phrases_are_rewritten(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases: []
          samples: 2.5
          judge: {policy: sometimes}
        """
    )
    errors = "\n".join(load_errors(path))
    assert "eval_suite.cases: is empty; add at least one case" in errors
    assert "eval_suite.samples: must be a whole number (got 2.5)" in errors
    assert "eval_suite.judge.policy: must be one of 'critical', 'selected', 'all' or 'never'" in (
        errors
    )
    for raw in ("Input should", "List should", "after validation", "Value error"):
        assert raw not in errors


def test_union_values_get_one_message_in_the_suites_words(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              expected: b
              context: 42
              vars: {t: {file: ""}}
        """
    )
    errors = load_errors(path)
    assert errors[0].endswith(
        "eval_suite.cases['a'].context: must be text or {file: PATH} (got 42)"
    )
    assert errors[1].endswith("eval_suite.cases['a'].vars.t.file: must not be empty")


def test_indentation_errors_are_explained_in_plain_words(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              expected: b
           - name: c
              expected: d
        """
    )
    (error,) = load_errors(path)
    assert error.startswith(
        f"{path}:6:4: check the indentation of line 6 (`- name: c`): a list item (`- `) "
        f"cannot start here"
    )
    path = write_suite("eval_suite:\n  name: s\n  cases:\n\t- name: a\n")
    assert load_errors(path)[0] == (
        f"{path}:4:1: line 4 is indented with a tab: YAML allows only spaces"
    )
    path = write_suite("eval_suite:\n  name: s\n  description: note: this\n")
    assert (
        "line 3 (`description: note: this`) has a `: ` where YAML doesn't expect one"
        in (load_errors(path)[0])
    )


def test_non_text_keys_and_impossible_dates(write_suite):
    path = write_suite(
        """
        eval_suite:
          name: s
          cases:
            - name: a
              expected: b
              vars: {1: x}
        """
    )
    assert load_errors(path) == [
        f"{path}:6:14: eval_suite.cases['a'].vars: the key 1 is not text (YAML reads numbers, "
        "dates and true/false/yes/no/on/off as such): quote it"
    ]
    path = write_suite("eval_suite:\n  name: s\n  description: 2024-13-45\n")
    assert load_errors(path)[0].startswith(
        f"{path}:3:16: '2024-13-45' reads as a YAML timestamp and is not a valid one "
        f"(month must be in 1..12): put it in quotes if it is text"
    )


def test_a_second_document_is_named(write_suite):
    path = write_suite("eval_suite:\n  name: s\n---\nother: 1\n")
    assert load_errors(path)[0].startswith(f"{path}:3:1: a second YAML document starts on line 3")


def test_catch_all_still_reports_an_internal_error_without_a_traceback(
    tmp_path, capsys, monkeypatch
):
    """The last resort stays for bugs; every path above has its own message instead."""
    import driftgate.config.load as load

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(load, "parse_suite_text", broken)
    (tmp_path / "llm-evals.yaml").write_text("eval_suite: {}\n")
    assert main(["validate", "--config", str(tmp_path / "llm-evals.yaml")]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.mkdir(), "is a folder; pass the suite file"),
        (lambda p: os.mkfifo(p), "is not a regular file (a pipe or a device)"),
        (lambda p: p.symlink_to(p.name), "a symlink that leads nowhere or to itself"),
    ],
)
def test_a_suite_path_that_is_no_file_is_a_usage_error(tmp_path, capsys, make, words):
    path = tmp_path / "llm-evals.yaml"
    make(path)
    assert main(["validate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"driftgate: error: {path}: " in err and words in err
