"""The quality layer's run-level glue: budget, traces, costs and the judge around a run.

The pipeline builds one `Quality` per run before generating (so API targets share its
budget and tracer) and calls `finish` after scoring, which prices each call, marks
budget-skipped cases, runs the judge on the cases its policy picks, and leaves warnings.
Deterministic checks run inside scoring, per sample, before any of this.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config import CaseSpec, SuiteSpec
from driftgate.cost import BUDGET_SKIP_REASON, Budget, PriceTable
from driftgate.results import CaseResult, RunResults
from driftgate.score.reduce import budget_skip
from driftgate.text import plural
from driftgate.traces import TraceWriter


@dataclass
class Quality:
    suite: SuiteSpec
    budget: Budget
    policy: str
    tracer: TraceWriter | None = None
    anthropic: AnthropicSettings = field(default_factory=AnthropicSettings)  # the judge's
    judge_calls: int = 0
    cache: object | None = None  # cache.Cache: judge grades are looked up there first
    warnings: list[str] = field(default_factory=list)  # the pipeline adds them to the run

    @classmethod
    def start(
        cls,
        suite: SuiteSpec,
        judge_policy: str | None = None,
        max_cost: float | None = None,
        traces: Path | None = None,
        anthropic: AnthropicSettings | None = None,
    ) -> Quality:
        from driftgate.score.judge import effective_policy

        anthropic = anthropic or AnthropicSettings()
        tracer = TraceWriter(traces, anthropic.trace_secrets) if traces else None
        return cls(
            suite=suite,
            budget=Budget(PriceTable(suite.pricing), max_cost),
            policy=effective_policy(suite.judge, judge_policy),
            tracer=tracer,
            anthropic=anthropic,
        )

    def finish(
        self, results: RunResults, cases: list[CaseSpec], generations: Mapping, cache=None
    ) -> None:
        if cache is not None:
            self.cache = cache
        by_name = {c.name: c for c in results.cases}
        for case in cases:
            result = by_name.get(case.name)
            if result is not None:
                self._price(case, result, generations)
                budget_skip(result)
        self._ground_with_judge(cases, results)
        by_name = {c.name: c for c in results.cases}
        self._judge([(c, by_name[c.name]) for c in cases if c.name in by_name], results)
        results.summary.calls += self.judge_calls
        self.warnings.extend(self.budget.prices.warnings())
        if self.budget.refused:
            self.warnings.append(
                f"--max-cost ${self.budget.max_cost_usd:g} reached: "
                f"{plural(self.budget.refused, 'call')} not started, their cases are marked "
                f"'{BUDGET_SKIP_REASON}'"
            )

    # -- costs and the budget ---------------------------------------------------------------
    def _price(self, case: CaseSpec, result: CaseResult, generations: Mapping) -> None:
        for sample in result.samples:
            generation = generations.get((case.name, sample.index))
            if generation is None or generation.cached or not generation.calls:
                continue
            # price by the model the suite names (what `pricing:` keys use), as the budget does
            model = getattr(case.target, "model", None) or generation.model
            if model:
                sample.cost_usd = self.budget.prices.cost(model, generation.tokens)
        result.cost_usd = round(sum(s.cost_usd for s in result.samples), 8)

    # -- grounding_method: judge --------------------------------------------------------------
    def _ground_with_judge(self, cases: list[CaseSpec], results: RunResults) -> None:
        """Verify the samples of `grounding_method: judge` cases, then re-aggregate them."""
        from driftgate.score.grounding_judge import GroundingJudge
        from driftgate.score.judge import Judge
        from driftgate.score.reduce import case_result, put_cases
        from driftgate.score.scorers import wants_grounding

        todo = []
        for case in cases:
            if not (wants_grounding(case) and case.grounding_method == "judge"):
                continue
            result = next((r for r in results.cases if r.name == case.name), None)
            if result is None or result.status == "skipped":
                continue
            todo += [(case, s) for s in result.samples if s.output is not None]
        if not todo:
            return
        judge = Judge.connect(self.suite.judge, self.budget, self.anthropic, self.tracer)
        verifier = GroundingJudge(judge, self.cache)
        try:
            workers = max(1, min(self.suite.concurrency, len(todo)))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                verdicts = list(
                    pool.map(lambda t: verifier.verify(t[0], t[1].output, t[1].index), todo)
                )
        finally:
            judge.close()
        self.judge_calls += judge.calls
        for (case, sample), verdict in zip(todo, verdicts, strict=True):
            apply_verdict(case, sample, verdict)
        verified = {c.name: c for c, _ in todo}.values()
        put_cases(results, [case_result(c, results.case(c.name).samples) for c in verified])

    # -- the judge ---------------------------------------------------------------------------
    def _judge(self, pairs: list[tuple[CaseSpec, CaseResult]], results: RunResults) -> None:
        from driftgate.score import scorers
        from driftgate.score.judge import Judge, wants_judge
        from driftgate.score.reduce import fold_judge

        todo = []
        for case, result in pairs:
            output = next((s.output for s in result.samples if s.output is not None), None)
            if output is None or result.status in ("error", "skipped"):
                continue
            checks_failed = any(not c.passed for s in result.samples for c in s.checks)
            wanted, _why = wants_judge(case, self.policy, checks_failed=checks_failed)
            if wanted:
                todo.append((case, result, output))
        if not todo:
            return
        judge = Judge.connect(self.suite.judge, self.budget, self.anthropic, self.tracer)
        if self.cache is not None:
            from driftgate.score.judge_cache import CachedJudge

            judge = CachedJudge(judge, self.cache)
        results.judge_model = self.suite.judge.model
        try:
            workers = max(1, min(self.suite.concurrency, len(todo)))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                grades = list(pool.map(lambda item: judge.grade(item[0], item[2]), todo))
        finally:
            judge.close()
        self.judge_calls += judge.calls
        skipped: dict[str, int] = {}
        for (_case, result, _output), grade in zip(todo, grades, strict=True):
            result.judge = grade
            fold_judge(result, scorers.judge(grade, self.suite.judge.pass_score))
            if grade.status == "skipped":
                skipped[grade.reason or "skipped"] = skipped.get(grade.reason or "skipped", 0) + 1
        for reason, count in skipped.items():
            self.warnings.append(
                f"judge not run for {plural(count, 'case')} (judge policy: {self.policy}): {reason}"
            )


def apply_verdict(case: CaseSpec, sample, verdict) -> None:
    """The judge's per-sentence verdicts become the sample's grounding; an error fails closed."""
    from driftgate.score import scorers
    from driftgate.score.grounding import Grounding, answer_support
    from driftgate.score.scoring import put_grounding

    sample.cost_usd += verdict.cost_usd
    sample.tokens = sample.tokens + verdict.tokens
    if verdict.error is not None:
        sample.status, sample.error = "error", verdict.error
        sample.reasons.append(verdict.error)
        return
    sentences = verdict.sentences
    measured = Grounding(
        ratio=sum(s.grounded for s in sentences) / len(sentences),
        score=min(s.support for s in sentences),
        sentences=sentences,
        answer_support=answer_support(sentences),
    )
    grounding = scorers.grounded(measured, case.min_grounding_ratio)
    put_grounding(sample, measured)
    if grounding.reason is not None:
        sample.reasons.append(grounding.reason)
    if sample.reasons and sample.status == "passed":
        sample.status = "failed"
