"""One monitor run: read the log, score it in batches, sum up, compare with the trend.

The CLI and the action both call `monitor`; everything they differ in arrives in
`MonitorOptions`, and the judge's key and base URL only through `anthropic` (AnthropicSettings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from driftgate import __version__
from driftgate.anthropic_client import AnthropicSettings
from driftgate.cache import Cache, open_suite_cache
from driftgate.config import load_suite
from driftgate.cost import BUDGET_SKIP_REASON, Budget, PriceTable
from driftgate.git import Git
from driftgate.monitor.results import Aggregate, MonitorResults
from driftgate.monitor.samples import Reading, batches, parse_since, read_samples, reservoir
from driftgate.monitor.score import Resolver, score_batch
from driftgate.monitor.trend import attach_trend
from driftgate.score.embedder import Embedder
from driftgate.text import plural

BATCH = 256
VECTORS_KEPT = 20_000  # about 60 MB: recurring contexts stay, the stream stays bounded


@dataclass
class MonitorOptions:
    config: Path
    samples: Path
    since: str | None = None
    limit: int | None = None
    seed: int = 0
    fail_on_rate: float | None = None
    judge: str | None = None  # --judge POLICY, overrides the suite's judge.policy
    max_cost: float | None = None
    cache_dir: Path | None = None
    cache_mode: str | None = None
    baseline_branch: str | None = None  # read (and record) the trend there
    record: bool = False  # store this run's summary on baseline_branch
    # key and base URL for the judge, read by the edges (cli.py, action/settings.py)
    anthropic: AnthropicSettings = field(default_factory=AnthropicSettings)
    embedder: Embedder | None = None
    git: Git | None = None  # every git command of the run (tests hand in a fake); default Git()
    progress: Callable[[str], None] | None = None
    batch_size: int = BATCH


def monitor(options: MonitorOptions) -> MonitorResults:
    say = options.progress or (lambda message: None)
    started = time.perf_counter()
    git = options.git = options.git or Git()
    suite = load_suite(options.config, git=git)
    since = parse_since(options.since)
    if options.limit is not None and options.limit < 1:
        from driftgate.errors import UsageError

        raise UsageError(f"--limit {options.limit}: give a number of samples, 1 or more")
    reading = Reading(str(options.samples))
    lines = reservoir(read_samples(options.samples, reading, since), options.limit, options.seed)
    cache = open_suite_cache(suite.root, suite.cache, options.cache_dir, options.cache_mode, git)
    budget = Budget(PriceTable(suite.pricing), options.max_cost)
    judge, policy = _judge(suite, options, budget, cache)
    resolver = Resolver(suite)
    embedder = options.embedder or Embedder(suite.embedding_model)
    embedder.bound(VECTORS_KEPT)
    aggregate = Aggregate()
    scored = 0
    try:
        for batch in batches(lines, options.batch_size):
            for record in score_batch(
                batch, resolver, embedder, judge, policy, budget.prices, suite.concurrency
            ):
                aggregate.add(record)
            scored += len(batch)
            say(f"[{scored:,} scored] through line {batch[-1].number:,}")
    finally:
        if judge is not None:
            judge.close()
    overall, groups = aggregate.summaries()
    worst = aggregate.worst()
    rate = options.fail_on_rate if options.fail_on_rate is not None else suite.monitor.fail_on_rate
    results = MonitorResults(
        driftgate_version=__version__,
        suite=suite.name,
        suite_path=suite.relpath,
        samples_path=str(options.samples),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        since=since.isoformat() if since else None,
        limit=options.limit,
        seed=options.seed,
        lines_read=reading.lines,
        bad_lines=len(reading.bad),
        bad_line_examples=reading.problems(),
        before_since=reading.before_since,
        scored=scored,
        overall=overall,
        groups=groups,
        judge_policy=policy,
        judge_model=suite.judge.model if judge is not None else None,
        judge_calls=getattr(judge, "calls", 0) if judge is not None else 0,
        judge_cost_usd=round(budget.cost_usd, 8),
        fail_on_rate=rate,
        warnings=list(resolver.warnings),
        listed=len(worst),
        samples=worst,
    )
    results.warnings += _judge_warnings(aggregate, budget)
    results.warnings += budget.prices.warnings()
    results.warnings += cache.warnings
    attach_trend(results, suite.root, options.baseline_branch, options.record, git)
    decide(results)
    cache.prune()
    say(f"monitor: {scored:,} samples in {time.perf_counter() - started:.1f}s")
    return results


def decide(results: MonitorResults) -> None:
    """With a rate: fail when the whole log or any case or task is flagged more often.

    Nothing scored is a doubt, and a doubt is never a pass."""
    rate = results.fail_on_rate
    if rate is None:
        return
    reasons = []
    if results.scored == 0:
        reasons.append("no sample could be scored")
    for group in [results.overall, *results.groups]:
        if group.flag_rate is not None and group.flag_rate > rate:
            reasons.append(
                f"{group.name}: {group.flag_rate * 100:.1f}% flagged > {rate * 100:.1f}% "
                f"({group.flagged} of {group.samples})"
            )
    results.fail_reasons = reasons
    results.verdict = "fail" if reasons else "pass"


def _judge(suite, options: MonitorOptions, budget: Budget, cache: Cache):
    from driftgate.score.judge import Judge, effective_policy

    policy = effective_policy(suite.judge, options.judge)
    if policy == "never":
        return None, policy
    judge = Judge.connect(suite.judge, budget, options.anthropic)
    if cache.enabled:
        from driftgate.score.judge_cache import CachedJudge

        judge = CachedJudge(judge, cache)
    return judge, policy


def _judge_warnings(aggregate: Aggregate, budget: Budget) -> list[str]:
    notes = []
    if budget.refused:
        notes.append(
            f"--max-cost ${budget.max_cost_usd:g} reached: "
            f"{plural(budget.refused, 'judge call')} not "
            f"started ({BUDGET_SKIP_REASON})"
        )
    for reason, count in sorted(aggregate.judge_skipped.items()):
        notes.append(f"judge not run for {plural(count, 'sample')}: {reason}")
    return notes
