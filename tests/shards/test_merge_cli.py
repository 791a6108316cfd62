"""`driftgate merge`, `run --shard`, `schema --results` at the CLI edge (in-process)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema

from driftgate.cli import main
from driftgate.report.junit import render_junit
from driftgate.results import read_results
from report.test_junit_report import junit_schema


def write_shards(shards, folder, total=3):
    paths = []
    for part in shards(total):
        path = folder / f"shard-{part.shard.split('/')[0]}" / "results.json"
        part.write(path)
        paths.append(path)
    return paths


def test_merge_writes_every_report_and_exits_with_the_verdict(shards, unsharded, tmp_path, capsys):
    write_shards(shards, tmp_path / "in")
    out = tmp_path / "out"
    code = main(
        [
            "merge",
            str(tmp_path / "in"),
            "--output-json",
            str(out / "merged.json"),
            "--report-md",
            str(out / "report.md"),
            "--junit",
            str(out / "junit.xml"),
        ]
    )
    assert unsharded.summary.verdict == "fail"
    assert code == 1
    merged = read_results(out / "merged.json")
    assert merged.shard is None
    assert [c.status for c in merged.cases] == [c.status for c in unsharded.cases]
    assert (out / "report.md").read_text().strip()
    junit_schema(strict=False).validate(str(out / "junit.xml"))
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite.get("tests") == str(len(unsharded.cases))
    assert suite.get("errors") == str(unsharded.summary.errors)
    assert "crashes" in capsys.readouterr().out


def test_shard_junit_files_together_count_each_case_once(shards):
    """Uploading every shard's `run --junit` file must not count a case twice."""
    names = []
    for part in shards(2):
        root = ET.fromstring(render_junit(part).encode())
        names += [c.get("name") for c in root.iter("testcase")]
    assert sorted(names) == sorted(c.name for c in shards(1)[0].cases)


def test_merge_refusal_is_exit_2_with_the_reason(shards, tmp_path, capsys):
    first, second = write_shards(shards, tmp_path, total=2)
    data = json.loads(second.read_text())
    data["embedding_model"] = "all-mpnet-base-v2"
    second.write_text(json.dumps(data))
    assert main(["merge", str(first), str(second)]) == 2
    err = capsys.readouterr().err
    assert "not shards of one run" in err and "different embedding model" in err
    assert "Traceback" not in err


def test_run_rejects_a_bad_shard_before_running(tmp_path, capsys):
    assert main(["run", "--shard", "5/4", "--config", str(tmp_path / "missing.yaml")]) == 2
    assert "--shard '5/4': the shard index must be 1 to 4" in capsys.readouterr().err


def test_schema_results_prints_a_valid_schema(capsys, unsharded):
    assert main(["schema", "--results"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(unsharded.model_dump_json()), schema)
    assert main(["schema"]) == 0
    assert "eval_suite" in capsys.readouterr().out


def test_a_results_file_nested_too_deeply_is_named_not_an_internal_error(tmp_path, capsys):
    """json.loads raises RecursionError on 100,000 `[`: given directly or found in a folder,
    such a file is a usage error that names it (exit 2), never an internal error."""
    folder = tmp_path / "artifacts" / "shard-1"
    folder.mkdir(parents=True)
    deep = folder / "results.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["merge", str(deep)]) == 2
    err = capsys.readouterr().err
    assert f"{deep}: not a driftgate results file" in err and "nested" in err
    assert "internal error" not in err
    assert main(["merge", str(tmp_path / "artifacts")]) == 2  # passed over, then none left
    err = capsys.readouterr().err
    assert "no driftgate results files under" in err and "internal error" not in err
