import pytest

from driftgate.config.schema import Checks
from driftgate.score import scorers
from driftgate.score.checks import run_checks


def by_check(results, name):
    return [r for r in results if r.check == name]


def test_contains_and_not_contains_are_case_sensitive_by_default():
    checks = Checks(contains=["Refund"], not_contains=["sorry"])
    results = run_checks(checks, "refund approved. Sorry for the wait.")
    assert [r.passed for r in results] == [False, True]
    scores = scorers.checks(checks, "refund approved. Sorry for the wait.", None)
    assert [s.value for s in scores] == results
    assert [s.reason for s in scores] == ['check contains: "Refund" not found in output', None]


def test_case_insensitive_option_folds_both_sides():
    checks = Checks(contains="REFUND", not_contains=["SORRY"], case_insensitive=True)
    scores = scorers.checks(checks, "refund approved. Sorry for the wait.", None)
    assert [s.value.passed for s in scores] == [True, False]
    assert [s.reason for s in scores] == [None, 'check not_contains: "SORRY" found in output']


def test_regex_searches_anywhere_and_reports_no_match():
    checks = Checks(regex=[r"P[0-3]\b", r"ticket #\d+"])
    results = run_checks(checks, "Priority: P2, see ticket #")
    assert [r.passed for r in results] == [True, False]
    assert "ticket #\\d+" in results[1].detail


def test_json_schema_valid_invalid_and_not_json():
    schema = {
        "type": "object",
        "properties": {"risk": {"enum": ["low", "high"]}, "files": {"type": "array"}},
        "required": ["risk", "files"],
    }
    checks = Checks(json_schema=schema)
    assert run_checks(checks, '{"risk": "low", "files": []}')[0].passed
    bad = run_checks(checks, '{"risk": "medium", "files": []}')[0]
    assert not bad.passed and bad.detail.startswith("at risk:") and "medium" in bad.detail
    missing = run_checks(checks, '{"risk": "low"}')[0]
    assert not missing.passed and "'files' is a required property" in missing.detail
    fenced = run_checks(checks, '```json\n{"risk": "low", "files": []}\n```')[0]
    assert not fenced.passed and "code fence" in fenced.detail


def test_max_length_counts_characters():
    assert run_checks(Checks(max_length=5), "héllo")[0].passed
    result = run_checks(Checks(max_length=4), "héllo")[0]
    assert not result.passed and result.detail == "5 characters > 4"


def test_max_latency_uses_measured_latency_and_is_not_applied_without_one():
    assert run_checks(Checks(max_latency_s=2), "x", latency_s=1.5)[0].passed
    slow = run_checks(Checks(max_latency_s=2), "x", latency_s=2.25)[0]
    assert not slow.passed and slow.detail == "2.25s > 2s"
    unmeasured = run_checks(Checks(max_latency_s=2), "x", latency_s=None)[0]
    assert unmeasured.passed and "not measured" in unmeasured.detail


def test_no_checks_means_no_results():
    assert run_checks(None, "anything") == []
    assert run_checks(Checks(), "anything") == []


def test_invalid_regex_and_schema_are_located_config_errors(tmp_path):
    from driftgate.config.load import load_suite
    from driftgate.errors import ConfigError

    path = tmp_path / "llm-evals.yaml"
    path.write_text(
        "eval_suite:\n  name: s\n  cases:\n    - name: a\n      expected: x\n"
        "      checks:\n        regex: '([a-z'\n        json_schema: {type: objekt}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_suite(path, root=tmp_path)
    lines = str(info.value).splitlines()
    assert lines[0].endswith(
        "checks.regex: invalid regular expression '([a-z': unterminated character set at position 1"
    )
    assert ":7:" in lines[0] and ":8:" in lines[1] and "invalid JSON Schema" in lines[1]


def test_an_output_nested_too_deeply_fails_the_json_check_instead_of_the_run():
    """A model output of 100,000 `[` makes json.loads raise RecursionError: the check fails
    with a reason, so the case (or production sample) is scored and the run goes on."""
    deep = "[" * 100_000 + "]" * 100_000
    result = run_checks(Checks(json_schema={"type": "array"}), deep)[0]
    assert not result.passed and "output is not JSON" in result.detail
