"""Each scorer answers a value and, only when it fails the case's bar, a reason; the sample
is assembled from those answers (score_sample words nothing itself)."""

from __future__ import annotations

import numpy as np
import pytest

from driftgate.generate import Generation
from driftgate.results import JudgeResult, SentenceScore
from driftgate.score import scorers
from driftgate.score.embedder import Embedder
from driftgate.score.grounding import Grounding
from driftgate.score.scoring import score_sample

EXPECTED, OUTPUT = "Route to Billing.", "Send it to Billing."


def embedder_with(cosine: float) -> Embedder:
    """Unit vectors whose dot product is `cosine`: no model is loaded."""
    embedder = Embedder("all-MiniLM-L6-v2", model=object())
    angle = np.arccos(cosine) if np.isfinite(cosine) else np.nan
    embedder.preload(
        {EXPECTED: np.array([1.0, 0.0]), OUTPUT: np.array([np.cos(angle), np.sin(angle)])}
    )
    return embedder


def grounding(ratio: float, unsupported: int) -> Grounding:
    sentences = [SentenceScore(text="We ship daily.", support=0.9, grounded=True)]
    sentences += [
        SentenceScore(text=f"Claim {i}.", support=0.2, grounded=False, reason="not in the context")
        for i in range(unsupported)
    ]
    return Grounding(ratio=ratio, score=0.2, sentences=sentences, answer_support=0.0)


@pytest.fixture
def case(make_suite):
    return make_suite([{"name": "c", "expected": EXPECTED, "min_similarity": 0.8}]).cases[0]


def test_similarity_passes_without_a_reason_and_fails_with_one(case):
    high = scorers.similarity(case, OUTPUT, embedder_with(0.9))
    assert (high.value, high.reason, high.error) == (0.9, None, None)
    low = scorers.similarity(case, OUTPUT, embedder_with(0.5))
    assert (low.value, low.reason, low.error) == (0.5, "similarity 0.50 < 0.80", None)


def test_a_similarity_that_is_not_a_number_is_an_error(case):
    score = scorers.similarity(case, OUTPUT, embedder_with(float("nan")))
    assert score.reason is None
    assert score.error == "similarity is not a finite number (nan): the embedding failed"


@pytest.mark.parametrize(
    ("unsupported", "words"), [(1, "1 unsupported sentence"), (2, "2 unsupported sentences")]
)
def test_grounding_reason_says_real_plurals(unsupported, words):
    score = scorers.grounded(grounding(0.5, unsupported), 0.8)
    assert score.reason.startswith(f"grounding 0.50 < 0.80 ({words}): ")
    assert score.reason.count("not in the context") == unsupported
    assert "(s)" not in score.reason


def test_grounding_at_the_bar_passes_and_a_nan_ratio_fails():
    assert scorers.grounded(grounding(0.8, 1), 0.8).reason is None
    assert scorers.grounded(grounding(float("nan"), 0), 0.8).reason is not None


def test_judge_score_fails_errors_or_stays_silent():
    failed = JudgeResult(status="failed", score=2, reasoning="Wrong team.", critical_issues=["x"])
    assert scorers.judge(failed, 4).reason == "judge 2/5 < 4: Wrong team. [x]"
    error = scorers.judge(JudgeResult(status="error", reason="API 500"), 4)
    assert (error.reason, error.error) == ("judge error: API 500", "API 500")
    for status in ("passed", "skipped"):
        quiet = scorers.judge(JudgeResult(status=status, reason="no key"), 4)
        assert (quiet.reason, quiet.error) == (None, None)


def test_the_sample_takes_each_scorers_reason_in_order(make_suite):
    spec = make_suite(
        [{"name": "c", "expected": EXPECTED, "checks": {"contains": ["refund"], "max_length": 5}}]
    ).cases[0]
    sample = score_sample(spec, 0, Generation(output=OUTPUT), embedder_with(0.5))
    assert sample.status == "failed"
    assert sample.reasons == [
        f"similarity 0.50 < {spec.min_similarity:.2f}",
        'check contains: "refund" not found in output',
        "check max_length: 19 characters > 5",
    ]
    assert [c.check for c in sample.checks] == ["contains", "max_length"]
