"""Merged shards equal the unsharded run, through the real pipeline; bad merges refused."""

from __future__ import annotations

import json
import sys

import pytest

from driftgate.errors import UsageError
from driftgate.merge import merge_files, merge_folder, merge_results
from driftgate.results import BaselineInfo, RunResults
from driftgate.shard import Shard
from driftgate.text import plural

from .shard_demo import write_suite

# Wall-clock measurements differ between any two runs, sharded or not; warnings are
# free text that each job words for the cases it saw (the merge keeps each once).
TIMING = {"created_at", "duration_s", "latency_s", "latency_p95_s", "latency_median_s"}
NOT_COMPARED = TIMING | {"warnings"}
# A shard embeds a different batch of texts than the whole run, and batched float32
# inference differs in the 7th digit with the batch's padding; scores are rounded to 6.
SCORE_TOLERANCE = 2e-6


def comparable(results: RunResults, skip: frozenset[str] = frozenset()) -> dict:
    """Every field as path -> value, minus timing; floats compared with SCORE_TOLERANCE."""
    flat: dict[str, object] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in NOT_COMPARED and key not in skip:
                    walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            flat[f"{path}#len"] = len(value)
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        else:
            flat[path] = value

    walk(json.loads(results.model_dump_json()), "")
    return flat


def assert_same_run(got: RunResults, want: RunResults, skip: frozenset[str] = frozenset()):
    got_flat, want_flat = comparable(got, skip), comparable(want, skip)
    assert set(got_flat) == set(want_flat)
    for path, value in want_flat.items():
        if isinstance(value, float) and not isinstance(value, bool):
            assert got_flat[path] == pytest.approx(value, abs=SCORE_TOLERANCE), path
        else:
            assert got_flat[path] == value, path


def test_the_demo_run_has_every_outcome(unsharded):
    """Guards the equality test below against a suite that only ever passes."""
    statuses = {c.name: c.status for c in unsharded.cases}
    assert {"passed", "failed", "error"} <= set(statuses.values())
    assert statuses["crashes"] == "error"
    assert unsharded.summary.verdict == "fail"  # the critical 'refund' case or pass rate
    assert unsharded.case("grounded").grounding_ratio is not None
    assert unsharded.case("sampled").samples_n == 2


@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_merged_shards_equal_the_unsharded_run(unsharded, shards, total):
    parts = shards(total)
    ran = [c.name for part in parts for c in part.cases if c.selected]
    assert sorted(ran) == sorted(c.name for c in unsharded.cases)  # each case ran exactly once
    if total > 1:
        assert all(len([c for c in p.cases if c.selected]) < len(unsharded.cases) for p in parts)
    merged = merge_results(list(reversed(parts)))  # order of the files must not matter
    assert_same_run(merged, unsharded)
    assert merged.summary.verdict == unsharded.summary.verdict
    assert merged.summary.gate_reasons == unsharded.summary.gate_reasons


def test_merge_with_selection_keeps_unselected_cases(run_demo, demo_suite):
    whole = run_demo(demo_suite, tags=["exports", "sso"])
    parts = [run_demo(demo_suite, Shard(i, 3), tags=["exports", "sso"]) for i in (1, 2, 3)]
    merged = merge_results(parts)
    assert_same_run(merged, whole)
    assert merged.summary.selected == 2
    assert merged.case("refund").selection_reason == whole.case("refund").selection_reason


def test_shard_results_record_versions(unsharded, shards):
    case = unsharded.case("outage")
    assert case.prompt_hash and len(case.prompt_hash) == 16
    assert case.definition_hash
    assert case.target == f'command: command="{sys.executable} -S -E bot.py"'
    assert unsharded.suite_hash and unsharded.driftgate_version
    assert unsharded.judge_model == "claude-sonnet-4-5"  # the default judge, policy critical
    other = unsharded.case("password")
    assert other.prompt_hash != case.prompt_hash
    part = shards(2)[0]
    assert part.shard == "1/2"
    handed = [c for c in part.cases if c.run_by_shard]
    assert handed and all(c.run_by_shard == "2/2" and not c.selected for c in handed)
    assert all(c.selection_reason.startswith("other shard (2/2)") for c in handed)


def test_missing_shard_marks_its_cases_error_and_fails(unsharded, shards):
    parts = shards(3)
    merged = merge_results([parts[0], parts[2]])
    lost = [c for c in parts[0].cases if c.run_by_shard == "2/3"]
    assert lost
    for case in lost:
        got = merged.case(case.name)
        assert got.status == "error" and got.selected
        assert "shard 2/3 produced no results" in got.error
    assert merged.summary.verdict == "fail"
    reason = f"incomplete run: shard 2/3 missing ({plural(len(lost), 'case')} not run); "
    assert merged.summary.gate_reasons[0] == reason + "rerun the failed shard job"
    assert merged.summary.errors == unsharded.summary.errors - sum(
        unsharded.case(c.name).status == "error" for c in lost
    ) + len(lost)


def test_warnings_of_one_shard_name_it(shards):
    first, second = (p.model_copy(deep=True) for p in shards(2))
    first.warnings = ["suite-wide note", "judge not run for 1 case"]
    second.warnings = ["suite-wide note"]
    assert merge_results([first, second]).warnings == [
        "suite-wide note",
        "shard 1/2: judge not run for 1 case",
    ]


def test_duplicate_shard_is_refused(shards):
    parts = shards(2)
    with pytest.raises(UsageError, match=r"shard 1/2 given twice \(a.json and c.json\)"):
        merge_results([parts[0], parts[1], parts[0]], ["a.json", "b.json", "c.json"])


def test_shards_of_different_splits_are_refused(shards):
    with pytest.raises(UsageError, match="different splits"):
        merge_results([shards(2)[0], shards(3)[1]])


def test_unsharded_results_are_not_merged_with_shards(unsharded, shards):
    with pytest.raises(UsageError, match="did not run with --shard"):
        merge_results([unsharded, shards(2)[1]], ["full.json", "s2.json"])


def test_single_unsharded_file_merges_to_itself(unsharded):
    assert_same_run(merge_results([unsharded]), unsharded)


def test_shards_of_a_changed_suite_are_refused(run_demo, shards, tmp_path):
    changed = write_suite(tmp_path, extra="      # edited after shard 1 ran\n")
    other = run_demo(changed, Shard(2, 2))
    with pytest.raises(UsageError) as caught:
        merge_results([shards(2)[0], other], ["shard-1.json", "shard-2.json"])
    message = str(caught.value)
    assert "different suite file hash" in message
    assert "shard-1.json: " in message and "shard-2.json: " in message
    assert "same commit of the suite file" in message


@pytest.mark.parametrize(
    ("change", "label"),
    [
        (lambda r: setattr(r, "embedding_model", "all-mpnet-base-v2"), "embedding model"),
        (lambda r: setattr(r, "git_sha", "f" * 40), "git commit"),
        (lambda r: setattr(r, "judge_model", "claude-other"), "judge model"),
        (lambda r: setattr(r, "driftgate_version", "9.9.9"), "driftgate version"),
        (lambda r: setattr(r, "suite", "another-suite"), "suite"),
        (
            lambda r: setattr(r.summary, "baseline", BaselineInfo(source="branch", commit="abc")),
            "baseline",
        ),
    ],
)
def test_incompatible_runs_are_refused(shards, change, label):
    first, second = (p.model_copy(deep=True) for p in shards(2))
    change(second)
    with pytest.raises(UsageError, match=f"different {label} "):
        merge_results([first, second])


def test_a_shard_that_did_not_record_the_judge_model_still_merges(shards):
    first, second = (p.model_copy(deep=True) for p in shards(2))
    first.judge_model = None
    assert merge_results([first, second]).judge_model == second.judge_model


def test_a_shard_split_another_way_is_refused(shards):
    first, second = (p.model_copy(deep=True) for p in shards(2))
    stolen = next(c for c in first.cases if c.run_by_shard == "2/2")
    stolen.run_by_shard = None
    stolen.selected = True
    with pytest.raises(UsageError, match=f"disagree about which shard runs case '{stolen.name}'"):
        merge_results([first, second])


def test_a_malformed_run_by_shard_names_the_file_and_the_case(shards):
    """A results file edited (or written by something else) with a bad `run_by_shard` is
    refused with that file and case named, not as if `--shard` had been mistyped."""
    first, second = (p.model_copy(deep=True) for p in shards(2))
    handed = next(c for c in first.cases if c.run_by_shard == "2/2")
    handed.run_by_shard = "two of two"
    with pytest.raises(UsageError) as refused:
        merge_results([first, second], ["shard-1.json", "shard-2.json"])
    message = str(refused.value)
    assert f"shard-1.json: case '{handed.name}': run_by_shard 'two of two'" in message
    assert "--shard" not in message


def test_shards_that_selected_different_cases_are_refused(run_demo, demo_suite, shards):
    narrowed = run_demo(demo_suite, Shard(2, 2), tags=["exports"])
    with pytest.raises(UsageError, match="selected different cases than the other shards"):
        merge_results([shards(2)[0], narrowed], ["one.json", "two.json"])


def test_merge_folder_reads_artifact_subfolders(unsharded, shards, tmp_path):
    for part in shards(3):
        index = part.shard.split("/")[0]
        part.write(tmp_path / f"driftgate-shard-{index}" / "results.json")
    (tmp_path / "driftgate-shard-1" / "package.json").write_text('{"name": "x"}')
    merged = merge_folder(tmp_path)
    assert_same_run(merged, unsharded)


def test_merge_files_errors_name_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(UsageError, match="broken.json:1:2: not valid JSON"):
        merge_files([bad])
    with pytest.raises(UsageError, match="no driftgate results files under"):
        merge_folder(tmp_path)


def test_merge_with_a_baseline(run_demo, tmp_path):
    """Drift, regressions and the run-level baseline figures merge exactly too."""
    suite = write_suite(tmp_path)
    baseline = run_demo(suite)
    baseline.write(tmp_path / "baseline.json")
    bot = tmp_path / "bot.py"
    bot.write_text(
        bot.read_text()
        .replace("Orders ship within two business days.", "We ship orders quickly.")
        .replace("Refunds are available within 30 days of purchase.", "Refunds: 30 days.")
    )
    whole = run_demo(suite, baseline=tmp_path / "baseline.json")
    summary = whole.summary
    assert summary.baseline is not None and summary.regressions >= 1
    assert summary.mean_delta is not None and summary.baseline_pass_at_1 is not None
    parts = [run_demo(suite, Shard(i, 3), baseline=tmp_path / "baseline.json") for i in (1, 2, 3)]
    assert {p.summary.mean_delta for p in parts} != {summary.mean_delta}  # shards see parts
    merged = merge_results(parts)
    # Latency figures are wall-clock (see TIMING); the rest must match the unsharded run.
    assert_same_run(merged, whole, skip=frozenset({"latency_increase"}))
    assert merged.summary.mean_delta == summary.mean_delta
    assert merged.summary.review_warning == summary.review_warning
    assert merged.summary.baseline_latency_median_s == summary.baseline_latency_median_s
