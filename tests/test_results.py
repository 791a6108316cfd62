"""Reading a results file (a --baseline, a shard to merge): a hostile or broken one is exit 2
naming the file, never a traceback and never a number the gate can't compare."""

from __future__ import annotations

import json

import pytest

from driftgate.cli import main
from driftgate.results import CaseResult, RunResults


def results_file(tmp_path, edit=lambda data: None, raw=None):
    run = RunResults(
        suite="s",
        suite_path="llm-evals.yaml",
        driftgate_version="x",
        embedding_model="m",
        cases=[CaseResult(name="c", line=3, critical=True, selected=True, status="passed")],
    )
    data = json.loads(run.model_dump_json())
    edit(data)
    path = tmp_path / "results.json"
    path.write_text(raw if raw is not None else json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("version", "shown"),
    [("2", '"2"'), ([1], "[1]"), (True, "true"), (0, "0"), ({"v": 1}, '{"v": 1}')],
)
def test_a_schema_version_that_is_not_a_whole_number_is_exit_2(tmp_path, capsys, version, shown):
    """Found: `"schema_version": "2"` ended `merge` (and `run --baseline`) in an internal
    error (TypeError comparing str with int)."""
    path = results_file(tmp_path, lambda data: data.update(schema_version=version))
    assert main(["merge", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not a driftgate results file (schema_version {shown}" in err
    assert "internal error" not in err


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_non_finite_number_in_a_results_file_is_exit_2(tmp_path, capsys, number):
    """Found: `"similarity": NaN` in a --baseline was read, and a NaN compares false, so the
    drop it hid was never a regression. driftgate writes null, never NaN."""
    text = results_file(tmp_path).read_text()
    text = text.replace('"similarity": null', f'"similarity": {number}')
    assert number in text
    path = results_file(tmp_path, raw=text)
    assert main(["merge", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not a driftgate results file ({number} " in err
    assert "internal error" not in err


def test_a_good_results_file_still_merges(tmp_path, capsys):
    assert main(["merge", str(results_file(tmp_path))]) == 0
