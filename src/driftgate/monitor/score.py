"""Scoring production samples without a reference answer.

Production has no `expected`, so a sample is flagged only by what needs none: grounding
against the context it was answered from, the deterministic `checks` of its case (or of
its task under `monitor:`), and the LLM judge with the case's or the task's rubric, under
the run's judge policy, budget and cache. When a sample names a suite case, its similarity
to that case's `expected` is measured too, and reported apart: a production input is not
the case's input, so a low similarity is a hint to read, not a flag.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from driftgate.config import CaseSpec, SuiteSpec
from driftgate.config.schema import MonitorTask
from driftgate.monitor.results import SampleRecord
from driftgate.monitor.samples import Line, ProductionSample
from driftgate.results import Tokens
from driftgate.score import scorers
from driftgate.score.embedder import Embedder
from driftgate.score.grounding import ground, grounding_texts

NO_REFERENCE = "(none: a production sample; grade it against the rubric and the context)"


@dataclass(frozen=True)
class Expectations:
    """What one sample is held to, resolved from its case, its task and the suite."""

    group: str
    case: CaseSpec | None
    spec: CaseSpec  # what the judge reads: rubric, task, context, prompt
    context: str | None
    ground: bool
    grounding_threshold: float
    min_grounding_ratio: float
    grounding_mode: str


class Resolver:
    """Finds each sample's case and task; an unknown case name is warned about once."""

    def __init__(self, suite: SuiteSpec):
        self.suite = suite
        self.cases = {case.name: case for case in suite.cases}
        self.warnings: list[str] = []
        self._unknown: set[str] = set()
        # A sample no case names takes the suite's settings, not the first case's overrides.
        self._template = replace(suite.cases[0], **suite.case_defaults)

    def resolve(self, sample: ProductionSample) -> Expectations:
        case = self.cases.get(sample.case) if sample.case else None
        if sample.case and case is None:
            self._warn_unknown(sample.case)
        task_name = sample.task or (case.task if case else None)
        task = self.suite.monitor.tasks.get(task_name) if task_name else None
        group = f"case {case.name}" if case else f"task {task_name}" if task_name else "(no label)"
        context = sample.context or (case.context if case else None)
        settings = task or MonitorTask()
        base = case or self._template
        spec = replace(
            base,
            name=sample.id or group,
            prompt=(sample.prompt or "").replace("{", "{{").replace("}", "}}"),
            vars={},
            expected=NO_REFERENCE,
            context=context,
            critical=case.critical if case else False,
            checks=(case.checks if case else None) or settings.checks,
            judge=settings.judge if settings.judge is not None else (case.judge if case else None),
            rubric=settings.rubric or (case.rubric if case else None),
            task=(settings.description or task_name) if task else (case.task if case else None),
        )
        return Expectations(
            group=group,
            case=case,
            spec=spec,
            context=context,
            ground=bool(context) and settings.check_grounding,
            grounding_threshold=_first(
                settings.grounding_threshold,
                case and case.grounding_threshold,
                base.grounding_threshold,
            ),
            min_grounding_ratio=_first(
                settings.min_grounding_ratio,
                case and case.min_grounding_ratio,
                base.min_grounding_ratio,
            ),
            grounding_mode=settings.grounding_mode or base.grounding_mode,
        )

    def _warn_unknown(self, name: str) -> None:
        if name in self._unknown or len(self._unknown) >= 20:
            return
        self._unknown.add(name)
        close = difflib.get_close_matches(name, list(self.cases), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.warnings.append(
            f"samples name case '{name}', which the suite does not have{hint}: scored "
            f"without that case's checks"
        )


def _first(*values):
    return next(v for v in values if v is not None and v is not False)


def score_batch(
    lines: list[Line],
    resolver: Resolver,
    embedder: Embedder,
    judge=None,
    policy: str = "never",
    prices=None,
    concurrency: int = 8,
) -> list[SampleRecord]:
    """Score one batch: every text embedded in one call, judge calls in parallel."""
    from driftgate.score.judge import wants_judge

    resolved = [resolver.resolve(line.sample) for line in lines]
    texts: list[str] = []
    for line, want in zip(lines, resolved, strict=True):
        if want.case is not None:
            texts += [want.case.expected, line.sample.output]
        if want.ground:
            texts += grounding_texts(line.sample.output, want.context, want.grounding_mode)
    embedder.encode(texts)
    records = [
        _score_one(line, want, embedder, prices) for line, want in zip(lines, resolved, strict=True)
    ]
    todo = []
    for line, want, record in zip(lines, resolved, records, strict=True):
        checks_failed = "check" in record.flags
        wanted, _why = wants_judge(want.spec, policy, checks_failed=checks_failed)
        if wanted and judge is not None and line.sample.output.strip():
            todo.append((line, want, record))
    if todo:
        workers = max(1, min(concurrency, len(todo)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            grades = list(
                pool.map(lambda item: judge.grade(item[1].spec, item[0].sample.output), todo)
            )
        for (_line, _want, record), grade in zip(todo, grades, strict=True):
            fold_grade(record, grade)
    return records


def _score_one(line: Line, want: Expectations, embed: Embedder, prices) -> SampleRecord:
    sample = line.sample
    tokens = tokens_of(sample.tokens)
    record = SampleRecord(
        line=line.number,
        id=sample.id,
        case=want.case.name if want.case else None,
        task=sample.task or (want.case.task if want.case else None),
        group=want.group,
        created_at=sample.created_at.isoformat() if sample.created_at else None,
        latency_s=sample.latency_s,
        model=sample.model,
        tokens=tokens,
        cost_usd=prices.cost(sample.model, tokens) if prices and tokens and sample.model else None,
    )
    if not sample.output.strip():
        record.flag("error", "the logged output is empty")
        return record
    if want.case is not None:
        similarity = embed.similarity(want.case.expected, sample.output)
        record.similarity = round(similarity, 6)
        record.below_expected = not similarity >= want.case.min_similarity  # NaN counts below
    if want.ground:
        result = ground(
            sample.output,
            want.context,
            want.grounding_mode,
            want.grounding_threshold,
            embed,
        )
        record.grounding_ratio = round(result.ratio, 6)
        grounding = scorers.grounded(result, want.min_grounding_ratio)
        if grounding.reason is not None:
            record.flag("grounding", grounding.reason)
    for check in scorers.checks(want.spec.checks, sample.output, sample.latency_s):
        if check.reason is not None:
            record.flag("check", check.reason)
    return record


def fold_grade(record: SampleRecord, grade) -> None:
    """A failing grade flags the sample; a judge error flags it too (never a silent pass)."""
    record.judge_cost_usd = grade.cost_usd
    record.judge_cached = grade.cached
    if grade.status in ("passed", "failed"):
        record.judge_score = grade.score
    if grade.status == "failed":
        issues = f" [{'; '.join(grade.critical_issues)}]" if grade.critical_issues else ""
        record.flag("judge", f"judge {grade.score}/5: {grade.reasoning}{issues}")
    elif grade.status == "error":
        record.flag("error", f"judge error: {grade.reason}")
    elif grade.status == "skipped":
        record.judge_skipped = grade.reason


def tokens_of(logged: Mapping | None) -> Tokens | None:
    """`{"input": 10, "output": 5}`, or the API's own `input_tokens` / `output_tokens`."""
    if not logged:
        return None
    names = (("input", "output"), ("input_tokens", "output_tokens"))
    for inp, out in names:
        if inp in logged or out in logged:
            return Tokens(input=int(logged.get(inp, 0)), output=int(logged.get(out, 0)))
    return None
