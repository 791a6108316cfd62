"""What produced a result, recorded next to it: prompt hash, target identity, judge model.

Results outlive the code and config that wrote them (baselines, dashboards, merged
shards); these fields let a reader tell whether two results are comparable at all.
"""

from __future__ import annotations

import json

from driftgate.config import CaseSpec, SuiteSpec
from driftgate.results import RunResults
from driftgate.text import short_hash

LONG_VALUE = 80


def prompt_hash(case: CaseSpec) -> str | None:
    """The rendered prompt's hash; None when the case has no prompt or lacks a variable."""
    if not case.prompt or case.missing_vars:
        return None
    return short_hash(case.render_prompt())


def target_identity(runner) -> str | None:
    """`type: key=value ...` from the runner's identity; long values (a system prompt) hashed."""
    if runner is None:
        return None
    identity = dict(runner.identity())
    kind = identity.pop("type", runner.__class__.__name__)
    parts = []
    for key, value in identity.items():
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        if len(text) > LONG_VALUE or "\n" in text:
            text = f"sha256:{short_hash(text)}"
        elif isinstance(value, str) and (not value or any(c.isspace() for c in value)):
            text = json.dumps(value)
        parts.append(f"{key}={text}")
    return f"{kind}: {' '.join(parts)}" if parts else str(kind)


def judge_model(suite: SuiteSpec, policy: str | None = None) -> str | None:
    """The configured judge, unless the run never calls one. Recorded whether or not this
    run's cases needed it, so every shard of a run records the same."""
    return None if (policy or suite.judge.policy) == "never" else suite.judge.model


def record_versions(
    results: RunResults, suite: SuiteSpec, targets, judge_policy: str | None = None
) -> None:
    """Fill the judge model and the per-case hashes and target identity of every case that ran."""
    results.judge_model = judge_model(suite, judge_policy)
    for result in results.cases:
        if not result.selected:
            continue
        case = suite.case(result.name)
        result.definition_hash = case.definition_hash
        result.prompt_hash = prompt_hash(case)
        result.target = target_identity(targets.for_case(case))
