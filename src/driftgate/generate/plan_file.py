"""The plan: which (case, sample) requests the team's own job must generate, as JSONL.

`driftgate plan` writes one line per request that the cache cannot answer, each the same
object a `command` target receives on stdin plus the suite hash and the cache key; the
team's step turns it into an outputs file and `driftgate run --outputs` scores it. Nothing
here imports what scoring needs (torch), so planning takes a fraction of a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from driftgate.config import CaseSpec, SuiteSpec
from driftgate.errors import UsageError
from driftgate.fileio import write_text
from driftgate.generate.cached import CachingGenerator, from_entry
from driftgate.generate.command_target import pipeline_request
from driftgate.git import Git
from driftgate.text import plural


@dataclass
class GenerationPlan:
    """What to generate, and how much the cache spared."""

    suite: str
    suite_hash: str
    cases: int  # selected cases
    requests: list[dict] = field(default_factory=list)
    cached: int = 0  # requests the cache answers (left out unless include_cached)
    include_cached: bool = False
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        cached = f"{self.cached} already in the cache"
        cached += " (included: --include-cached)" if self.include_cached else " (left out)"
        return (
            f"{plural(self.cases, 'case')} selected, "
            f"{plural(len(self.requests), 'request')} to generate, {cached}"
        )


def build_plan(
    suite: SuiteSpec,
    cases: list[CaseSpec],
    generator: CachingGenerator,
    include_cached: bool = False,
) -> GenerationPlan:
    """One request per sample of every selected case, minus those the cache holds."""
    plan = GenerationPlan(suite.name, suite.file_hash, len(cases), include_cached=include_cached)
    for case in cases:
        for sample in range(case.samples):
            key = generator.pipeline_key(case, sample)
            hit = _is_cached(generator, key)
            plan.cached += hit
            if hit and not include_cached:
                continue
            request = pipeline_request(case, sample)
            request["target"] = case.target.type if case.target is not None else None
            request["cache_key"] = key
            request["suite"] = suite.name
            request["suite_hash"] = suite.file_hash
            plan.requests.append(request)
    return plan


def write_plan(path: Path, plan: GenerationPlan) -> None:
    """JSONL, one request a line; an empty plan is an empty file (nothing to generate)."""
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in plan.requests]
    write_text(path, "".join(lines))


def check_plan(path: Path, suite: SuiteSpec) -> None:
    """Refuse to score outputs generated for another version of the suite file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(
            f"--plan {path}: cannot read the plan ({why}); pass the file "
            f"`driftgate plan --output` wrote"
        ) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            recorded = json.loads(line).get("suite_hash")
        except (ValueError, AttributeError):
            raise UsageError(
                f"{path}:{number}: not a plan line (a JSON object written by `driftgate plan`)"
            ) from None
        if recorded != suite.file_hash:
            raise UsageError(
                f"{path}:{number}: the plan was made for another version of {suite.relpath} "
                f"(suite hash {str(recorded)[:12]}, now {suite.file_hash[:12]}): the outputs "
                f"answer requests that may no longer exist; run `driftgate plan` again and "
                f"regenerate"
            )


def check_outputs_file(
    path: Path, cases: list[CaseSpec], generator: CachingGenerator
) -> str | None:
    """A missing outputs file is fine only when the cache answers every request (the
    generation step was skipped because the plan was empty); else it is exit 2. Returns
    the note to show when the file is missing: a mistyped path must not pass unseen."""
    if path.exists():
        return None
    missing = [
        f"{case.name}#{sample}"
        for case in cases
        for sample in range(case.samples)
        if not _is_cached(generator, generator.pipeline_key(case, sample))
    ]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        )
        raise UsageError(
            f"--outputs {path}: file not found, and the cache lacks "
            f"{plural(len(missing), 'selected request')} ({shown}): "
            "run the generation step on the plan first"
        )
    requests = sum(case.samples for case in cases)
    return (
        f"--outputs {path}: no such file; the cache answers all "
        f"{plural(requests, 'selected request')}, so nothing is read from it"
    )


def refuse_committed_outputs(path: Path, root: Path, git: Git, where: str = "outputs") -> None:
    """Exit 2 for an outputs file the checkout brought (in CI, a pull request's): when the
    plan is empty the generation step is skipped, and a file committed beside the suite
    shadows the one it writes at the root; either way it would be read as your pipeline's
    outputs (and stored in the cache)."""
    if git.committed_as_is(root, path):
        try:
            shown = Path(path).relative_to(root).as_posix()
        except ValueError:
            shown = str(path)
        raise UsageError(
            f"{where} {shown}: the file is committed to the repository and this job did not "
            "rewrite it, so it is the pull request's word, not your generation step's output. "
            f"Remove it from git (`git rm --cached -- {shown}`, and list it in .gitignore); "
            "the generation step writes it"
        )


def _is_cached(generator: CachingGenerator, key: str | None) -> bool:
    entry = generator.cache.peek("outputs", key) if key else None
    return entry is not None and from_entry(entry) is not None


def unselected_lines_warning(path: Path, names_in_file: set[str], suite, selected) -> str | None:
    """One warning for lines about suite cases this run did not select (they are ignored)."""
    known = {case.name for case in suite.cases}
    ignored = sorted((names_in_file & known) - set(selected))
    if not ignored:
        return None
    shown = ", ".join(ignored[:5]) + (f" (+{len(ignored) - 5} more)" if len(ignored) > 5 else "")
    cases = plural(len(ignored), "case")
    return f"{path}: lines for {cases} that were not selected were ignored: {shown}"


def make_plan(
    config: Path,
    changes,
    *,
    names: list[str] | None = None,
    tags: list[str] | None = None,
    cache_dir: Path | None = None,
    include_cached: bool = False,
    git=None,
):
    """(suite, selection, plan) for a change: shared by `driftgate plan` and the action."""
    from driftgate.cache import open_suite_cache
    from driftgate.config import load_suite
    from driftgate.generate.runner import Targets
    from driftgate.select.selection import select_cases

    suite = load_suite(config, git=git)
    selection = select_cases(suite, changes, names=names, tags=tags, git=git)
    cache = open_suite_cache(suite.root, suite.cache, cache_dir, git=git or Git())
    generator = CachingGenerator(suite, Targets(suite), cache, git)
    plan = build_plan(suite, list(selection.selected), generator, include_cached)
    plan.warnings = [str(w) for w in suite.warnings] + [
        f"warning: {w}" for w in [*selection.warnings, *cache.warnings]
    ]
    return suite, selection, plan
