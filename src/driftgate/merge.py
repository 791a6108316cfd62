"""Shard results → one run: one comment, one verdict, as if one job had run everything.

Each case is taken from the shard that ran it (every shard records who runs each of its
selected cases), so the merge is exact. The verdict is recomputed by
gate.py from the merged cases, never combined from the shards' verdicts. Shards of
different suites, commits, models, baselines, selections or driftgate versions are
refused; a shard given twice is refused; a missing shard turns the cases it owned into
errors and fails the gate, so an incomplete run can never pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from driftgate import gate
from driftgate.errors import UsageError
from driftgate.results import CaseResult, RunResults, Summary, read_results
from driftgate.score.reduce import case_not_run
from driftgate.shard import Shard, parse_shard
from driftgate.text import finite_json, noun, plural, shorten

# Facts about the whole run that every shard must agree on, and what to do when they don't.
SAME_EVERYWHERE = {
    "suite": "merge the shards of one suite",
    "suite file": "merge the shards of one suite",
    "suite file hash": "every shard job must check out the same commit of the suite file",
    "git commit": "every shard job must check out the same commit",
    "embedding model": "scores from different embedding models cannot be combined",
    "judge model": "every shard must use the same judge model",
    "driftgate version": "pin the same driftgate version (action tag) in every shard job",
    "mode": "run every shard in the same mode (full or selective)",
    "gate settings": "every shard must read the same gate settings",
    "baseline": "every shard must compare against the same baseline (same source and commit)",
    "case list": "every shard must load the same suite file",
}

# Facts a shard may not know (older results record a judge model only where it ran).
UNKNOWN_OK = {"judge model"}

# How each summary field that gate.summarize does not recompute combines.
WHOLE_RUN = ("baseline", "removed_cases")  # about the baseline and the suite: same everywhere
ADDED = ("calls", "calls_saved", "cost_saved_usd")  # work each job did
CACHES = ("output_cache", "judge_cache")


def merge_files(paths: Sequence[str | Path]) -> RunResults:
    """Read shard results files and merge them (the CLI's and the action's entry point)."""
    if not paths:
        raise UsageError("merge: no results files given; pass the shards' --output-json files")
    runs = [read_results(p) for p in paths]
    return merge_results(runs, [str(p) for p in paths])


def results_files(folder: str | Path) -> list[Path]:
    """Every driftgate results file under `folder` (download-artifact makes one subfolder
    per artifact), sorted; other JSON files are passed over."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            f"merge: {folder} is not a folder; download the shards' results there first "
            f"(actions/download-artifact with `path: {folder}`)"
        )
    found = [p for p in sorted(folder.rglob("*.json")) if _looks_like_results(p)]
    if not found:
        raise UsageError(
            f"merge: no driftgate results files under {folder}; each shard job must write "
            f"--output-json and upload it with actions/upload-artifact, and the merge job "
            f"must download them into {folder}"
        )
    return found


def merge_folder(folder: str | Path) -> RunResults:
    return merge_files(results_files(folder))


def merge_results(runs: Sequence[RunResults], sources: Sequence[str] | None = None) -> RunResults:
    """One run from its shards; raises UsageError when they cannot be one run."""
    if not runs:
        raise UsageError("merge: no results to merge")
    if sources is None:
        sources = [f"results #{i + 1}" for i in range(len(runs))]
    sources = list(sources)
    _check_same_run(runs, sources)
    by_shard = _index_shards(runs, sources)
    total = next(iter(by_shard)).total
    missing = [Shard(i, total) for i in range(1, total + 1) if Shard(i, total) not in by_shard]
    present = sorted(by_shard)
    owners = _owners(by_shard, total)

    first = by_shard[present[0]][0]
    merged = first.model_copy(deep=True)
    merged.shard = None
    merged.judge_model = next((r.judge_model for r in runs if r.judge_model), None)
    merged.created_at = min((r.created_at for r in runs if r.created_at), default=None)
    merged.warnings = _warnings(by_shard)
    merged.cases = [_merged_case(index, by_shard, owners) for index in range(len(first.cases))]
    shard_runs = [r for r, _ in by_shard.values()]
    merged.summary = _run_level_summary(shard_runs, [c.name for c in first.cases])
    gate.summarize(merged)
    if missing:
        _fail_incomplete(merged, missing)
    return merged


def _check_same_run(runs: Sequence[RunResults], sources: list[str]) -> None:
    problems = []
    facts = [_run_facts(r) for r in runs]
    for label, fix in SAME_EVERYWHERE.items():
        values = [f[label] for f in facts]
        known = [v for v in values if v is not None] if label in UNKNOWN_OK else values
        if any(v != known[0] for v in known):
            seen = ", ".join(f"{src}: {_short(v)}" for src, v in zip(sources, values, strict=True))
            problems.append(f"different {label} ({seen}): {fix}")
    if problems:
        raise UsageError(
            "merge: these results are not shards of one run:\n  " + "\n  ".join(problems)
        )


def _index_shards(
    runs: Sequence[RunResults], sources: list[str]
) -> dict[Shard, tuple[RunResults, str]]:
    if len(runs) == 1 and runs[0].shard is None:
        return {Shard(1, 1): (runs[0], sources[0])}
    unsharded = [src for src, run in zip(sources, runs, strict=True) if run.shard is None]
    if unsharded:
        raise UsageError(
            f"merge: {', '.join(unsharded)} did not run with --shard; merge only the "
            f"results of `driftgate run --shard I/N` jobs"
        )
    by_shard: dict[Shard, tuple[RunResults, str]] = {}
    for run, src in zip(runs, sources, strict=True):
        shard = parse_shard(run.shard, source=f"{src}: shard")
        if shard in by_shard:
            raise UsageError(
                f"merge: shard {shard} given twice ({by_shard[shard][1]} and {src}); pass "
                f"each shard's results once (check the artifact names and download pattern)"
            )
        by_shard[shard] = (run, src)
    totals = sorted({s.total for s in by_shard})
    if len(totals) > 1:
        listing = ", ".join(f"{src}: {s}" for s, (_, src) in sorted(by_shard.items()))
        raise UsageError(
            f"merge: shards of different splits ({listing}); every shard job must use "
            f"the same N in --shard I/N"
        )
    return by_shard


def _owners(by_shard: dict[Shard, tuple[RunResults, str]], total: int) -> dict[str, Shard]:
    """Who ran each case, from the shards' own records: a shard ran it, or names the shard
    that does. Refuse shards that selected other cases or disagree about an owner."""
    to_run = {
        shard: {c.name for c in run.cases if c.selected or c.run_by_shard}
        for shard, (run, _) in sorted(by_shard.items())
    }
    reference, *_ = to_run.values()
    for shard, names in to_run.items():
        if names != reference:
            diff = sorted(names ^ reference)
            raise UsageError(
                f"merge: {by_shard[shard][1]} (shard {shard}) selected different cases than "
                f"the other shards ({_short(', '.join(diff))}): every shard job must see the "
                f"same changed files and the same --cases/--tags"
            )
    owners: dict[str, Shard] = {}
    said_by: dict[str, str] = {}
    for shard, (run, source) in sorted(by_shard.items()):
        for case in run.cases:
            if case.name not in reference:
                continue
            where = f"{source}: case '{case.name}': run_by_shard"
            owner = shard if case.run_by_shard is None else parse_shard(case.run_by_shard, where)
            first = owners.setdefault(case.name, owner)
            said_by.setdefault(case.name, source)
            if owner != first or owner.total != total:
                raise UsageError(
                    f"merge: {source} and {said_by[case.name]} disagree about which shard runs "
                    f"case '{case.name}' ({owner} or {first}); the shards were split "
                    f"differently: rerun them with one driftgate version"
                )
    return owners


def _merged_case(index: int, by_shard, owners: dict[str, Shard]) -> CaseResult:
    present = sorted(by_shard)
    name = by_shard[present[0]][0].cases[index].name
    owner = owners.get(name)
    if owner is None:  # selected by no shard: the same record everywhere
        return by_shard[present[0]][0].cases[index].model_copy(deep=True)
    if owner in by_shard:
        return by_shard[owner][0].cases[index].model_copy(deep=True)
    handed_over = by_shard[present[0]][0].cases[index]
    message = (
        f"shard {owner} produced no results (its job failed or its results were not "
        f"downloaded); rerun that job"
    )
    return case_not_run(handed_over, True, f"shard {owner} (missing)", "error", message)


def _run_level_summary(runs: list[RunResults], case_order: list[str]) -> Summary:
    first = runs[0].summary
    summary = Summary(**{name: getattr(first, name) for name in WHOLE_RUN}).model_copy(deep=True)
    summaries = [r.summary for r in runs]
    for name in ADDED:
        setattr(summary, name, sum(getattr(s, name) for s in summaries))
    summary.cost_saved_usd = round(summary.cost_saved_usd, 6)
    for name in CACHES:
        stats = getattr(summary, name)
        stats.lookups = sum(getattr(s, name).lookups for s in summaries)
        stats.hits = sum(getattr(s, name).hits for s in summaries)
    new = {name for s in summaries for name in s.new_cases}  # each case is new in one shard
    summary.new_cases = [name for name in case_order if name in new]
    durations = [s.duration_s for s in summaries if s.duration_s is not None]
    summary.duration_s = max(durations) if durations else None  # shards run side by side
    return summary


def _fail_incomplete(merged: RunResults, missing: list[Shard]) -> None:
    names = ", ".join(str(s) for s in missing)
    markers = {f"shard {s} (missing)" for s in missing}
    lost = sum(c.selection_reason in markers for c in merged.cases)
    shards, jobs = noun(len(missing), "shard"), noun(len(missing), "failed shard job")
    reason = (
        f"incomplete run: {shards} {names} missing ({plural(lost, 'case')} not run); "
        f"rerun the {jobs}"
    )
    merged.warnings.append(reason)
    gate.block(merged, reason)


def _run_facts(run: RunResults) -> dict[str, object]:
    """What this shard records of each fact in SAME_EVERYWHERE."""
    return {
        "suite": run.suite,
        "suite file": run.suite_path,
        "suite file hash": run.suite_hash,
        "git commit": run.git_sha,
        "embedding model": run.embedding_model,
        "judge model": run.judge_model,
        "driftgate version": run.driftgate_version,
        "mode": run.mode,
        "gate settings": run.gate.model_dump_json(),
        "baseline": _baseline_key(run.summary),
        "case list": [c.name for c in run.cases],
    }


def _baseline_key(summary: Summary) -> tuple | None:
    baseline = summary.baseline
    return (baseline.source, baseline.commit) if baseline else None


def _warnings(by_shard: dict[Shard, tuple[RunResults, str]]) -> list[str]:
    """Warnings every shard gave once; the others with the shard that gave them, since
    they speak of that shard's cases only ("judge not run for 1 case(s)")."""
    shards = sorted(by_shard)
    runs = [by_shard[s][0] for s in shards]
    common = set.intersection(*(set(r.warnings) for r in runs))
    local = [
        f"shard {shard}: {w}"
        for shard, run in zip(shards, runs, strict=True)
        for w in run.warnings
        if w not in common
    ]
    return _unique([w for w in runs[0].warnings if w in common] + local)


def _looks_like_results(path: Path) -> bool:
    try:
        data = finite_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # UnicodeDecodeError, JSONDecodeError, deep nesting
        return False
    return isinstance(data, dict) and "schema_version" in data and "cases" in data


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _short(value) -> str:
    return shorten(str(value), 40, "...")
