"""One run, stage by stage: config → select → generate → score → compare → report.

The CLI and the GitHub Action both call `run`; everything they differ in (where the
changed files come from, where the baseline lives) arrives in `RunOptions`.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from driftgate import __version__
from driftgate.config import SuiteSpec, load_suite
from driftgate.config.schema import OutputsTarget
from driftgate.generate import Generation, generate_all
from driftgate.generate.runner import Targets
from driftgate.report.gate import summarize
from driftgate.results import CaseResult, GateSettings, RunResults
from driftgate.select.selection import SelectionResult, select_cases


@dataclass
class RunOptions:
    config: Path
    changes: object | None = None  # select.changes.ChangeSet; None means a full run
    names: list[str] | None = None
    tags: list[str] | None = None
    outputs: Path | None = None  # --outputs: every case reads this JSONL file
    embedder: object | None = None  # an Embedder to reuse (tests, calibrate)
    progress: Callable[[str], None] | None = None
    extra: dict = field(default_factory=dict)


def git_sha(root: Path) -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def skeleton(suite: SuiteSpec, selection: SelectionResult, mode: str) -> RunResults:
    """Every case of the suite, selected or not, before anything runs."""
    gate = suite.gate
    results = RunResults(
        driftgate_version=__version__,
        suite=suite.name,
        suite_path=suite.relpath,
        suite_hash=suite.file_hash,
        embedding_model=suite.embedding_model,
        git_sha=git_sha(suite.root),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mode=mode,
        warnings=[str(w) for w in suite.warnings] + list(selection.warnings),
        gate=GateSettings(
            min_pass_rate=gate.min_pass_rate,
            fail_on_regression=gate.fail_on_regression,
            max_latency_increase=gate.max_latency_increase,
            max_cost_increase=gate.max_cost_increase,
        ),
    )
    for item in selection.selections:
        case = item.case
        results.cases.append(
            CaseResult(
                name=case.name,
                line=case.line,
                critical=case.critical,
                tags=list(case.tags),
                selected=item.selected,
                selection_reason=item.reason,
                status="skipped",
                threshold=case.min_similarity,
                definition_hash=case.definition_hash,
            )
        )
    return results


def run(options: RunOptions) -> RunResults:
    started = time.perf_counter()
    say = options.progress or (lambda message: None)
    suite = load_suite(options.config)
    selection = select_cases(suite, options.changes, names=options.names, tags=options.tags)
    results = skeleton(suite, selection, "full" if options.changes is None else "selective")
    cases = selection.selected

    targets = Targets(
        suite,
        override=OutputsTarget(type="outputs", path=str(options.outputs))
        if options.outputs
        else None,
    )
    total = sum(case.samples for case in cases)
    finished = 0

    def on_done(case, sample, generation: Generation) -> None:
        nonlocal finished
        finished += 1
        label = case.name if case.samples == 1 else f"{case.name} #{sample}"
        state = "error" if generation.error else "ok"
        took = f" {generation.latency_s:.2f}s" if generation.latency_s is not None else ""
        say(f"[{finished}/{total}] {label}: {state}{took}")

    generations = generate_all(cases, targets, suite.concurrency, on_done=on_done)
    scored = score_cases(suite, cases, generations, options.embedder)
    for case_result in scored:
        index = next(i for i, c in enumerate(results.cases) if c.name == case_result.name)
        previous = results.cases[index]
        case_result.selected = previous.selected
        case_result.selection_reason = previous.selection_reason
        results.cases[index] = case_result
    results.summary.calls = sum(g.calls for g in generations.values())
    results.summary.duration_s = round(time.perf_counter() - started, 3)
    summarize(results)
    return results


def score_cases(suite: SuiteSpec, cases, generations, embedder=None) -> list[CaseResult]:
    """Embed every distinct text once, then score each case from the cached vectors."""
    from driftgate.score.scoring import aggregate, score_sample, texts_to_embed

    per_case = {
        case.name: [generations[(case.name, i)] for i in range(case.samples)] for case in cases
    }
    texts = [t for case in cases for t in texts_to_embed(case, per_case[case.name])]
    if texts and embedder is None:
        from driftgate.score.embedder import Embedder

        embedder = Embedder(suite.embedding_model)
    if texts:
        embedder.encode(texts)
    return [
        aggregate(
            case,
            [score_sample(case, i, g, embedder) for i, g in enumerate(per_case[case.name])],
        )
        for case in cases
    ]
