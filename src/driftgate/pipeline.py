"""One run, stage by stage: config → select → generate → score → compare → report.

The CLI and the GitHub Action both call `run`; everything they differ in (where the
changed files come from, where the baseline lives) arrives in `RunOptions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from driftgate import __version__
from driftgate.anthropic_client import AnthropicSettings
from driftgate.cache import Cache, encode_through_cache, open_suite_cache
from driftgate.compare import (
    baseline_texts,
    compare_to_baseline,
    load_baseline_file,
    read_baseline_from_branch,
    write_baseline_to_branch,
)
from driftgate.compare.drift import record_noise
from driftgate.compare.sequential import first_look_alpha, more_samples, sample_bound
from driftgate.compare.store import (
    DEFAULT_BRANCH,
    check_can_record,
    default_merge_base,
    has_origin,
)
from driftgate.config import CaseSpec, SuiteSpec, load_suite
from driftgate.config.schema import OutputsTarget
from driftgate.errors import UsageError
from driftgate.gate import summarize
from driftgate.generate import Generation, generate_all
from driftgate.generate.cached import CachingGenerator
from driftgate.generate.outputs_target import OutputsFile
from driftgate.generate.plan_file import (
    check_outputs_file,
    check_plan,
    refuse_committed_outputs,
    unselected_lines_warning,
)
from driftgate.generate.runner import Targets
from driftgate.git import Git, GitError
from driftgate.results import BaselineInfo, CaseResult, GateSettings, RunResults
from driftgate.score.embedder import Embedder, check_embedding_model
from driftgate.score.quality import Quality
from driftgate.score.reduce import case_not_run, case_result, put_cases
from driftgate.select.selection import SelectionResult, select_cases
from driftgate.shard import Shard, apply_shard
from driftgate.text import plural
from driftgate.versions import record_versions


@dataclass
class RunOptions:
    config: Path
    changes: object | None = None  # select.changes.ChangeSet; None means a full run
    names: list[str] | None = None
    tags: list[str] | None = None
    outputs: Path | None = None  # --outputs: every case reads this JSONL file (and the cache)
    plan: Path | None = None  # --plan: the plan the outputs answer; refuse if the suite changed
    embedder: object | None = None  # an Embedder to reuse (tests, calibrate)
    baseline: Path | None = None  # --baseline: compare with this results file
    baseline_branch: str | None = DEFAULT_BRANCH  # else this branch of origin (None: no baseline)
    merge_base: str | None = None  # prefer the baseline recorded at this commit
    update_baseline: bool = False  # record this run on baseline_branch afterwards
    samples: int | None = None  # every case this many times (calibrate)
    progress: Callable[[str], None] | None = None
    shard: Shard | None = None  # --shard I/N: run only this shard's part of the selection
    cache_dir: Path | None = None  # default: .driftgate/cache at the repository root
    cache_mode: str | None = None  # read_write | read_only | off; default: the suite's `cache:`
    # quality layer (score/quality.py)
    judge: str | None = None  # --judge POLICY, overrides the suite's judge.policy
    max_cost: float | None = None  # --max-cost USD: no new API call once reached
    traces: Path | None = None  # --traces DIR: every API request/response as JSON
    git: Git | None = None  # every git command of the run (tests hand in a fake); default Git()
    # The work tree is a pull request's (the action): an outputs file it committed is refused.
    untrusted_checkout: bool = False
    # key and base URL for anthropic targets and the judge: the edges read the environment
    anthropic: AnthropicSettings = field(default_factory=AnthropicSettings)


def git_sha(root: Path, git: Git | None = None) -> str | None:
    return (git or Git()).head(root)


def skeleton(
    suite: SuiteSpec, selection: SelectionResult, mode: str, git: Git | None = None
) -> RunResults:
    """Every case of the suite, selected or not, before anything runs."""
    gate = suite.gate
    results = RunResults(
        driftgate_version=__version__,
        suite=suite.name,
        suite_path=suite.relpath,
        suite_hash=suite.file_hash,
        embedding_model=suite.embedding_model,
        git_sha=git_sha(suite.root, git),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mode=mode,
        warnings=[w.located for w in suite.warnings] + list(selection.warnings),
        gate=GateSettings(
            min_pass_rate=gate.min_pass_rate,
            fail_on_regression=gate.fail_on_regression,
            max_latency_increase=gate.max_latency_increase,
            max_cost_increase=gate.max_cost_increase,
            pass_at_k=list(suite.pass_at_k),
            confidence=gate.confidence,
        ),
    )
    results.cases = [case_not_run(s.case, s.selected, s.reason) for s in selection.selections]
    return results


def run(options: RunOptions) -> RunResults:
    started = time.perf_counter()
    say = options.progress or (lambda message: None)
    git = options.git = options.git or Git()
    suite = load_suite(options.config, git=git)
    if options.embedder is None:
        check_embedding_model(suite)  # before any paid call: a missing model is exit 2 now
    if options.samples:
        cases = tuple(replace(case, samples=options.samples) for case in suite.cases)
        suite = replace(suite, cases=cases)
    outputs = outputs_file(options.outputs) if options.outputs else None
    selection = select_cases(
        suite, options.changes, names=options.names, tags=options.tags, git=git
    )
    results = skeleton(suite, selection, "full" if options.changes is None else "selective", git)
    if options.shard is not None:
        apply_shard(results, options.shard, {c.name: c.samples for c in selection.selected})
    running = {c.name for c in results.cases if c.selected}
    cases = [case for case in selection.selected if case.name in running]
    if options.update_baseline and not results.git_sha:
        raise UsageError("--update-baseline keys results by commit, and this is not a git checkout")
    if options.update_baseline:
        check_can_record(suite.root, git)
    baseline = find_baseline(options, suite, results, say)  # before any paid call: fail fast

    quality = Quality.start(
        suite, options.judge, options.max_cost, options.traces, options.anthropic
    )
    targets = Targets(
        suite,
        override=OutputsTarget(type="outputs", path=str(outputs)) if outputs else None,
        budget=quality.budget,
        tracer=quality.tracer,
        anthropic=options.anthropic,
    )
    # Over the whole selection, so that every shard records the same gate settings.
    bounds = {c.name: sample_bound(c, targets.for_case(c)) for c in selection.selected}
    if options.update_baseline:  # read by every PR branching here: precise where it blocks
        cases = [baseline_sized(c, suite, bounds[c.name]) for c in cases]
    total = sum(case.samples for case in cases)
    finished = 0

    def on_done(case, sample, generation: Generation) -> None:
        nonlocal finished
        finished += 1
        label = case.name if case.samples == 1 else f"{case.name} #{sample}"
        state = "error" if generation.error else "cached" if generation.cached else "ok"
        took = f" {generation.latency_s:.2f}s" if generation.latency_s is not None else ""
        say(f"[{finished}/{total}] {label}: {state}{took}")

    cache = open_cache(suite, options)
    generator = CachingGenerator(suite, targets, cache, git)
    if options.plan:
        check_plan(options.plan, suite)
    if options.untrusted_checkout:
        read = {targets.for_case(case) for case in cases}
        for path in sorted(r.path for r in read if isinstance(r, OutputsFile)):
            refuse_committed_outputs(path, suite.root, git, f"{suite.relpath}: outputs target")
    outputs_path = None
    if options.outputs:
        outputs_path = OutputsFile.resolve(options.outputs, suite.root, suite.path.parent)
        missing = check_outputs_file(outputs_path, cases, generator)
        if missing:
            say(missing)
    embedder = options.embedder or Embedder(suite.embedding_model)  # loads on first encode
    try:
        generations = generate_all(
            cases, targets, suite.concurrency, on_done=on_done, generate=generator
        )
        if outputs_path is not None and cases:
            runner = targets.for_case(cases[0])
            ignored = unselected_lines_warning(
                outputs_path, runner.case_names(), suite, [c.name for c in selection.selected]
            )
            if ignored:
                results.warnings.append(ignored)
        names = [case.name for case in cases]
        extra = baseline_texts(baseline[0], names) if baseline else []
        scored = score_cases(suite, cases, generations, embedder, cache, extra_texts=extra)
        put_cases(results, scored)
        record_noise(results, suite)
        if baseline:
            results.gate.alpha_first_look = first_look_alpha(results, selection.selected, bounds)
            compare_to_baseline(results, *baseline, suite, embedder.similarity)
            cases = sample_ambiguous(
                results,
                baseline,
                suite,
                cases,
                generations,
                bounds,
                generator,
                embedder,
                cache,
                say,
            )
    finally:
        targets.close()
    results.warnings += target_warnings(generations) + targets.warnings()
    results.warnings += [w for w in cache.warnings if w not in results.warnings]
    record_versions(results, suite, targets, quality.policy)
    results.summary.calls = sum(g.calls for g in generations.values())
    quality.finish(results, cases, generations, cache)  # costs, budget skips, judge
    if baseline:
        compare_to_baseline(results, *baseline, suite, embedder.similarity)
    record_cache(results, suite, cache, generations, quality.budget.prices)
    cache.prune()
    results.warnings += [w for w in cache.warnings if w not in results.warnings]
    results.warnings += [w for w in quality.warnings if w not in results.warnings]
    results.summary.duration_s = round(time.perf_counter() - started, 3)
    summarize(results)
    if options.update_baseline:
        if results.summary.skipped:
            results.warnings.append(
                f"baseline recorded from a run that skipped "
                f"{plural(results.summary.skipped, 'case')}: "
                f"they have no baseline score until a full run (--all) records one"
            )
        branch = options.baseline_branch or DEFAULT_BRANCH
        commit = write_baseline_to_branch(suite.root, branch, results, results.git_sha, git=git)
        say(f"baseline for {results.git_sha[:12]} pushed to branch '{branch}' ({commit[:12]})")
    return results


def baseline_sized(case: CaseSpec, suite: SuiteSpec, bound: int) -> CaseSpec:
    """A baseline's cases that can block get `max_samples`: a precise reference for every
    PR compared with it."""
    if case.critical or suite.gate.fail_on_regression:
        return replace(case, samples=bound)
    return case


def sample_ambiguous(
    results, baseline, suite, cases, generations, bounds, generate, embedder, cache, say
) -> list[CaseSpec]:
    """Draw more samples for the cases whose drop is ambiguous, a batch at a time, until
    each is decided or at `max_samples`; returns the case specs with their final counts."""
    by_name = {c.name: c for c in cases}
    while todo := more_samples(results, suite, bounds):
        offsets = {name: by_name[name].samples for name in todo}

        def draw(case: CaseSpec, i: int, offsets=offsets) -> Generation:
            return generate(by_name[case.name], offsets[case.name] + i)

        for name, more in todo.items():
            p = results.case(name).p_value
            say(f"{name}: drop ambiguous (p = {p:.3f}), drawing {plural(more, 'more sample')}")
        batch = generate_all(
            [replace(by_name[name], samples=more) for name, more in todo.items()],
            None,
            suite.concurrency,
            generate=draw,
        )
        generations.update({(name, offsets[name] + i): g for (name, i), g in batch.items()})
        grown = [replace(by_name[n], samples=offsets[n] + more) for n, more in todo.items()]
        by_name.update({c.name: c for c in grown})
        scored = score_cases(suite, grown, generations, embedder, cache)
        drawn = {name: results.case(name).extra_samples + more for name, more in todo.items()}
        put_cases(results, scored)
        for result in scored:
            result.extra_samples = drawn[result.name]
        record_noise(results, suite)
        compare_to_baseline(results, *baseline, suite, embedder.similarity)
    return [by_name[c.name] for c in cases]


def outputs_file(path: Path) -> Path:
    """--outputs names a file, never a folder (exit 2). A missing file is decided once the
    selection is known: fine when the cache answers every request (check_outputs_file)."""
    if path.is_dir():
        raise UsageError(
            f"--outputs {path}: is a folder; pass the JSONL file your pipeline wrote "
            f'(one {{"case", "sample", "output"}} object per line)'
        )
    return path


def target_warnings(generations: dict) -> list[str]:
    """What the targets said about outputs they delivered anyway (cut, bytes replaced)."""
    out = []
    for (name, sample), generation in sorted(generations.items()):
        for warning in generation.warnings:
            out.append(f"case '{name}'{f' sample {sample}' if sample else ''}: {warning}")
    return out


def find_baseline(
    options: RunOptions, suite: SuiteSpec, results: RunResults, say: Callable[[str], None]
) -> tuple[RunResults, BaselineInfo] | None:
    """--baseline PATH, else the branch store; a branch that can't be read is a warning
    (the run still reports everything else), a bad --baseline file is an error."""
    if options.baseline:
        return load_baseline_file(options.baseline)
    if not options.baseline_branch:
        return None
    merge_base = options.merge_base or default_merge_base(suite.root, options.git)
    try:
        found = read_baseline_from_branch(
            suite.root, options.baseline_branch, suite.name, merge_base, options.git
        )
    except GitError as exc:
        results.warnings.append(f"no baseline: {exc}")
        return None
    if found is None:
        say(no_baseline_note(options, suite))
    return found


def no_baseline_note(options: RunOptions, suite: SuiteSpec) -> str:
    """Why drift is not measured, and the next step that works in this repository."""
    where = f"no baseline for suite '{suite.name}' on branch '{options.baseline_branch}' of origin"
    if options.update_baseline:
        return f"{where} yet: this run records the first"
    if not has_origin(suite.root, options.git):
        return (
            "no baseline: this repository has no 'origin' remote to keep the baseline branch "
            "on, so drift is not measured; to compare locally, pass --baseline PATH (a "
            "results file written by `driftgate run --output-json` on the base branch)"
        )
    return f"{where}: drift is not measured (record one with --update-baseline)"


def record_cache(results: RunResults, suite: SuiteSpec, cache: Cache, generations, prices) -> None:
    """Hit rates, and what the hits would have cost at today's prices."""
    summary = results.summary
    summary.output_cache = cache.stats("outputs")
    summary.judge_cache = cache.stats("judge")
    summary.calls_saved = summary.output_cache.hits + summary.judge_cache.hits
    # Priced like the spend is: by the model the suite names (what `pricing:` keys use).
    models = {c.name: getattr(c.target, "model", None) for c in suite.cases}
    saved = 0.0
    for (name, _sample), g in generations.items():
        model = models.get(name) or g.model
        if g.cached and model:
            saved += prices.cost(model, g.tokens)
    saved += sum(
        prices.cost(c.judge.model, c.judge.tokens)
        for c in results.cases
        if c.judge is not None and c.judge.cached and c.judge.model
    )
    summary.cost_saved_usd = round(saved, 6)


def open_cache(suite: SuiteSpec, options: RunOptions) -> Cache:
    """The run's cache; a relative default lives at the repository root, like CI expects."""
    return open_suite_cache(
        suite.root, suite.cache, options.cache_dir, options.cache_mode, git=options.git
    )


def score_cases(
    suite: SuiteSpec,
    cases,
    generations,
    embedder=None,
    cache: Cache | None = None,
    extra_texts: list[str] = (),
) -> list[CaseResult]:
    """Embed every distinct text once, then score each case from the cached vectors.

    `extra_texts` (the baseline outputs to compare with) join the same batch."""
    from driftgate.score.scoring import score_sample, texts_to_embed

    per_case = {
        case.name: [generations[(case.name, i)] for i in range(case.samples)] for case in cases
    }
    texts = [t for case in cases for t in texts_to_embed(case, per_case[case.name])]
    if texts and embedder is None:
        from driftgate.score.embedder import Embedder

        embedder = Embedder(suite.embedding_model)
    if texts:
        encode_through_cache(embedder, [*texts, *extra_texts], cache or Cache.disabled())
    return [
        case_result(
            case,
            [score_sample(case, i, g, embedder) for i, g in enumerate(per_case[case.name])],
        )
        for case in cases
    ]
