"""The published results schema accepts what we write and rejects what we never write."""

from __future__ import annotations

import json

import jsonschema
import pytest

from driftgate.results import SCHEMA_VERSION
from driftgate.results_schema import results_json_schema, results_json_schema_text

from .test_junit_report import sample_results


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = results_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def written() -> dict:
    return json.loads(sample_results().model_dump_json())


def test_written_results_validate(validator):
    validator.validate(written())


def test_records_versions():
    props = results_json_schema()["properties"]
    for field in ("driftgate_version", "suite_hash", "embedding_model", "judge_model", "git_sha"):
        assert field in props
    case = results_json_schema()["$defs"]["CaseResult"]["properties"]
    for field in ("definition_hash", "prompt_hash", "target"):
        assert field in case
    assert results_json_schema()["$id"].endswith(f"v{SCHEMA_VERSION}")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["cases"][0].update(status="flaky"),
        lambda d: d.pop("suite"),
        lambda d: d["summary"].update(verdict="maybe"),
        lambda d: d["cases"][1].update(similarity="high"),
    ],
)
def test_rejects_what_driftgate_never_writes(validator, mutate):
    data = written()
    mutate(data)
    assert not validator.is_valid(data)


def test_text_is_the_schema():
    assert json.loads(results_json_schema_text()) == results_json_schema()
