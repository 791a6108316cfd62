"""Factories for results and suites: every test states only what it is about."""

from __future__ import annotations

import statistics

import pytest

from driftgate.config.load import load_suite
from driftgate.results import CaseResult, RunResults, SampleResult


def case(
    name: str,
    scores: list[float],
    *,
    output: str | None = "an answer",
    latency: float | None = 1.0,
    cost: float = 0.001,
    cached: bool = False,
    **fields,
) -> CaseResult:
    """A case that ran len(scores) samples with these similarities (None = errored)."""
    threshold = fields.pop("threshold", 0.80)
    samples = [
        SampleResult(
            index=i,
            status="error" if s is None else ("passed" if s >= threshold else "failed"),
            output=None if s is None else output,
            similarity=s,
            latency_s=latency,
            cost_usd=cost,
            cached=cached,
        )
        for i, s in enumerate(scores)
    ]
    numeric = [s for s in scores if s is not None]
    passes = sum(1 for s in samples if s.status == "passed")
    return CaseResult(
        name=name,
        status="passed" if passes == len(samples) else "failed",
        similarity=statistics.fmean(numeric) if numeric else None,
        threshold=threshold,
        output=output if numeric else None,
        latency_s=latency,
        cost_usd=cost * len(scores),
        samples_n=len(scores),
        passes=passes,
        pass_rate=passes / len(scores) if scores else None,
        samples=samples,
        **fields,
    )


def run(cases: list[CaseResult], **fields) -> RunResults:
    fields.setdefault("suite", "support bot")
    fields.setdefault("suite_path", "llm-evals.yaml")
    fields.setdefault("embedding_model", "all-MiniLM-L6-v2")
    return RunResults(cases=cases, **fields)


@pytest.fixture
def suite_file(write_suite, tmp_path):
    """Write a suite file and load it with the real loader."""
    return lambda body: load_suite(write_suite(body), root=tmp_path)
