"""The `outputs` JSONL target: a bad line fails its own case only, with FILE:LINE."""

from __future__ import annotations

import json

import pytest

from driftgate.config import load_suite
from driftgate.config.schema import OutputsTarget
from driftgate.generate.outputs_target import OutputsFile
from support import run_cli

SUITE = """
eval_suite:
  name: s
  cases:
    - name: alpha
      expected: A
    - name: beta
      expected: B
    - name: gamma
      expected: C
      samples: 2
"""


@pytest.fixture
def suite(write_suite):
    return load_suite(write_suite(SUITE))


def outputs(tmp_path, lines: list[bytes]) -> OutputsFile:
    (tmp_path / "out.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return OutputsFile(OutputsTarget(type="outputs", path="out.jsonl"), tmp_path, tmp_path)


def line(**row) -> bytes:
    return json.dumps(row).encode()


def generate(file: OutputsFile, suite, name: str, sample: int = 0):
    return file.generate(suite.case(name), sample)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b'{"case": "beta", "output": "B"', "out.jsonl:2: not valid JSON"),
        (b'{"case": "beta", "output": "\xff\xfe"}', "out.jsonl:2: not valid UTF-8 (byte 29"),
        (b'{"case": "beta", "output": "B", "sample": Infinity}', "Infinity is not a JSON number"),
        (b'{"case": "beta", "output": "B", "sample": 1e999}', "1e999 is out of range"),
        (b'{"case": "beta", "output": "B", "sample": 0.5}', '"sample" must be a whole number'),
        (b'{"case": "beta", "output": "B", "sample": "0"}', '"sample" must be a whole number'),
        (b'{"case": "beta", "output": 3}', 'out.jsonl:2: "output" is int, not a string'),
    ],
)
def test_a_bad_line_is_an_error_for_its_case_only(tmp_path, suite, bad, message):
    file = outputs(tmp_path, [line(case="alpha", output="A"), bad, line(case="gamma", output="C")])
    beta = generate(file, suite, "beta")
    assert beta.output is None and message in beta.error
    assert generate(file, suite, "alpha").output == "A"
    assert generate(file, suite, "gamma").output == "C"


def test_duplicate_lines_name_both(tmp_path, suite):
    file = outputs(
        tmp_path,
        [
            line(case="alpha", output="A"),
            line(case="gamma", sample=1, output="C1"),
            line(case="alpha", sample=0, output="A again"),
        ],
    )
    alpha = generate(file, suite, "alpha")
    assert alpha.output is None
    assert "out.jsonl:1 and line 3 both give case 'alpha' sample 0" in alpha.error
    assert generate(file, suite, "gamma", 1).output == "C1"


def test_a_line_for_an_unknown_case_is_a_warning_with_a_suggestion(tmp_path, suite):
    file = outputs(tmp_path, [line(case="alpha", output="A"), line(case="btea", output="B")])
    warnings = file.unknown_case_warnings([c.name for c in suite.cases])
    assert len(warnings) == 1
    assert warnings[0].endswith(
        "out.jsonl:2: no case named 'btea' in the suite; did you mean 'beta'? (line ignored)"
    )
    assert "no output for case 'beta'" in generate(file, suite, "beta").error


def test_a_line_that_names_no_case_is_mentioned_where_an_output_is_missing(tmp_path, suite):
    file = outputs(tmp_path, [line(case="alpha", output="A"), b"garbage"])
    assert generate(file, suite, "alpha").output == "A"
    beta = generate(file, suite, "beta")
    assert "no output for case 'beta'" in beta.error and "out.jsonl:2: not valid JSON" in beta.error


def test_run_scores_the_good_cases_and_errors_the_bad(tmp_path):
    (tmp_path / "llm-evals.yaml").write_text(
        "eval_suite:\n  name: s\n  gate: {min_pass_rate: 0}\n  cases:\n"
        "    - {name: alpha, expected: A}\n    - {name: beta, expected: B}\n"
    )
    (tmp_path / "out.jsonl").write_bytes(
        line(case="alpha", output="A") + b"\n" + b'{"case": "beta", "output": NaN}\n'
    )
    done = run_cli(
        "run", "--all", "--no-cache", "--baseline-branch", "", "--outputs", "out.jsonl",
        "--output-json", "r.json", "-q", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cases = {c["name"]: c for c in json.loads((tmp_path / "r.json").read_text())["cases"]}
    assert cases["alpha"]["status"] == "passed"
    assert cases["beta"]["status"] == "error"
    assert "out.jsonl:2: not valid JSON (NaN is not a JSON number" in cases["beta"]["error"]


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_a_missing_outputs_file_is_a_usage_error(tmp_path, make):
    (tmp_path / "llm-evals.yaml").write_text(
        "eval_suite:\n  name: s\n  cases:\n    - {name: alpha, expected: A}\n"
    )
    if make == "folder":
        (tmp_path / "out.jsonl").mkdir()
    done = run_cli("run", "--all", "--outputs", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert "--outputs out.jsonl:" in done.stderr and "Traceback" not in done.stderr


def test_a_line_that_names_no_case_is_a_warning_even_when_every_case_has_its_output(tmp_path):
    """Found adopting driftgate: with every request answered, a garbled line was silent."""
    (tmp_path / "out.jsonl").write_text('{"case": "alpha", "output": "A"}\nnot json\n')
    file = OutputsFile(OutputsTarget(type="outputs", path="out.jsonl"), tmp_path, tmp_path)
    warnings = file.unknown_case_warnings(["alpha"])
    assert len(warnings) == 1
    assert "out.jsonl:2: not valid JSON" in warnings[0] and warnings[0].endswith("(line ignored)")
