"""The scorers: each looks at one output and answers with a `Score`, a value and a reason.

A reason is set only when the value fails the case's bar, worded for the person reading
the PR comment; `error` is set when the value could not be had at all (the sample is then
an error: the gate fails closed). `score_sample` (scoring.py) assembles a sample from
these answers and words nothing itself; the reducers (reduce.py) take it from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from driftgate.config import CaseSpec
from driftgate.results import CheckResult, JudgeResult
from driftgate.text import plural

if TYPE_CHECKING:  # the embedding stack loads only when something is scored
    from driftgate.config.schema import Checks
    from driftgate.score.embedder import Embedder
    from driftgate.score.grounding import Grounding

V = TypeVar("V")


@dataclass(frozen=True)
class Score(Generic[V]):
    """One scorer's answer about one output."""

    value: V
    reason: str | None = None  # why the value fails the case's bar; None: it passes
    error: str | None = None  # the value could not be had: never a pass


def wants_grounding(case: CaseSpec) -> bool:
    return case.check_grounding and bool(case.context)


def similarity(case: CaseSpec, output: str, embed: Embedder) -> Score[float]:
    """Cosine similarity of the output to `expected`, held to `min_similarity`."""
    value = float(embed.similarity(case.expected, output))
    if not math.isfinite(value):  # a poisoned vector or a broken model
        error = f"similarity is not a finite number ({value}): the embedding failed"
        return Score(value, error=error)
    value = round(value, 6)
    if value >= case.min_similarity:
        return Score(value)
    return Score(value, f"similarity {value:.2f} < {case.min_similarity:.2f}")


def grounding(case: CaseSpec, output: str, embed: Embedder) -> Score[Grounding]:
    """How much of the output the context supports, by embeddings (score/grounding.py)."""
    from driftgate.score.grounding import ground

    measured = ground(output, case.context, case.grounding_mode, case.grounding_threshold, embed)
    return grounded(measured, case.min_grounding_ratio)


def grounded(measured: Grounding, min_ratio: float) -> Score[Grounding]:
    """A grounding, measured by embeddings or by the judge, held to `min_grounding_ratio`;
    the reason names the unsupported sentences, one short clause each."""
    from driftgate.score.grounding import unsupported_detail

    if measured.ratio >= min_ratio:  # NaN fails
        return Score(measured)
    unsupported = sum(not s.grounded for s in measured.sentences)
    return Score(
        measured,
        f"grounding {measured.ratio:.2f} < {min_ratio:.2f}"
        f" ({plural(unsupported, 'unsupported sentence')})"
        + unsupported_detail(measured.sentences),
    )


def checks(spec: Checks | None, output: str, latency_s: float | None) -> list[Score[CheckResult]]:
    """The deterministic checks (score/checks.py), one score each."""
    from driftgate.score.checks import run_checks

    return [
        Score(result, None if result.passed else f"check {result.check}: {result.detail}")
        for result in run_checks(spec, output, latency_s)
    ]


def judge(grade: JudgeResult, pass_score: int) -> Score[JudgeResult]:
    """The judge's grade of a case; a judge that could not grade it is an error only when
    the judge is required (judge.py says `error`, else `skipped`)."""
    if grade.status == "failed":
        issues = f" [{'; '.join(grade.critical_issues)}]" if grade.critical_issues else ""
        return Score(grade, f"judge {grade.score}/5 < {pass_score}: {grade.reasoning}{issues}")
    if grade.status == "error":
        return Score(grade, f"judge error: {grade.reason}", error=grade.reason or "judge error")
    return Score(grade)
