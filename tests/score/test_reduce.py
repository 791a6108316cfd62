"""The reducers: one constructor for every CaseResult, an errored sample fails the case
closed, and the judge's score folds into the case."""

from __future__ import annotations

from driftgate.results import SampleResult
from driftgate.score.reduce import case_not_run, case_result, fold_judge
from driftgate.score.scorers import Score

SAME_IDENTITY = ("name", "line", "critical", "tags", "threshold", "definition_hash")


def spec(make_suite):
    case = {"name": "c", "expected": "x", "critical": True, "tags": ["t"], "min_similarity": 0.7}
    return make_suite([case]).cases[0]


def sample(index: int, status: str, similarity: float | None = 0.9, **extra) -> SampleResult:
    return SampleResult(index=index, status=status, similarity=similarity, **extra)


def test_a_case_not_run_from_its_spec_and_from_an_earlier_record_agree(make_suite):
    case = spec(make_suite)
    skipped = case_not_run(case, False, "no trigger path changed")
    assert (skipped.status, skipped.selected, skipped.reasons, skipped.error) == (
        "skipped",
        False,
        [],
        None,
    )
    lost = case_not_run(skipped, True, "shard 2/3 (missing)", "error", "shard 2/3 lost")
    assert (lost.status, lost.reasons, lost.error) == (
        "error",
        ["shard 2/3 lost"],
        "shard 2/3 lost",
    )
    for field in SAME_IDENTITY:
        assert (
            getattr(lost, field)
            == getattr(skipped, field)
            == getattr(case_result(case, [sample(0, "passed")]), field)
        )
    assert lost.threshold == 0.7 and lost.tags == ["t"] and lost.critical


def test_one_errored_sample_errors_the_case(make_suite):
    samples = [
        sample(0, "passed"),
        sample(1, "error", None, error="timed out"),
        sample(2, "passed"),
    ]
    result = case_result(spec(make_suite), samples)
    assert result.status == "error" and result.error == "timed out"
    assert result.reasons == ["timed out", "1 of 3 samples errored"]
    assert result.passes == 2 and result.similarity == 0.9


def test_half_the_samples_pass_the_case_and_the_others_say_why(make_suite):
    samples = [sample(0, "passed"), sample(1, "failed", 0.5, reasons=["similarity 0.50 < 0.70"])]
    result = case_result(spec(make_suite), samples)
    assert result.status == "passed" and result.pass_rate == 0.5
    assert result.similarity == 0.7 and result.similarity_std > 0
    assert result.reasons == ["1/2 samples passed", "sample 1: similarity 0.50 < 0.70"]


def test_the_judge_folds_into_the_case(make_suite):
    passing = [sample(0, "passed")]
    failed = case_result(spec(make_suite), passing)
    fold_judge(failed, Score(None, "judge 2/5 < 4: wrong"))
    assert (failed.status, failed.reasons) == ("failed", ["judge 2/5 < 4: wrong"])

    errored = case_result(spec(make_suite), passing)
    fold_judge(errored, Score(None, "judge error: API 500", error="API 500"))
    assert (errored.status, errored.error) == ("error", "API 500")

    already = case_result(spec(make_suite), [sample(0, "failed", 0.1, reasons=["low"])])
    fold_judge(already, Score(None, "judge error: API 500", error="API 500"))
    assert already.status == "failed" and already.reasons == ["low", "judge error: API 500"]

    quiet = case_result(spec(make_suite), passing)
    fold_judge(quiet, Score(None))
    assert (quiet.status, quiet.reasons) == ("passed", [])
