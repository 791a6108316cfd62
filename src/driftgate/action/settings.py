"""Everything the action reads from its environment, parsed in one place.

Inputs reach a container action as `INPUT_<NAME>` upper-cased with hyphens kept
(`INPUT_GITHUB-TOKEN`); GitHub's own context comes as `GITHUB_*`. Nothing else in the
package reads the environment, so every other module is testable with a plain Settings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftgate.action.event import check_event
from driftgate.anthropic_client import AnthropicSettings
from driftgate.config.schema import JUDGE_POLICIES
from driftgate.errors import UsageError
from driftgate.ratelimit import DEFAULT_MAX_WAIT_S
from driftgate.redact import secrets_from_env

MODES = ("auto", "selective", "full", "merge", "plan", "monitor")
UPDATE_BASELINE = ("auto", "true", "false")
PR_EVENTS = ("pull_request", "pull_request_target")
FULL_EVENTS = ("push", "schedule", "workflow_dispatch", "merge_group")
TRUE = ("true", "yes", "1", "on")
FALSE = ("false", "no", "0", "off")


@dataclass(kw_only=True, frozen=True)
class Settings:
    # Inputs (action.yml), kebab-case there.
    config: str = "llm-evals.yaml"
    github_token: str = field(default="", repr=False)
    mode: str = "auto"
    baseline_branch: str = "driftgate-baseline"
    update_baseline: str = "auto"
    comment: bool = True
    commit_status: bool = True
    judge: str | None = None
    cache_dir: str | None = None
    shard: str | None = None
    shard_results: str = "driftgate-shards"
    pr_number: int | None = None  # mode merge from a workflow_run follow-up (fork PRs)
    results_path: str = "driftgate-results.json"
    plan_path: str = "driftgate-plan.jsonl"  # mode plan writes it; a scoring run checks it
    outputs: str | None = None  # the generation step's JSONL: every selected case reads it
    working_directory: str = "."
    samples: str | None = None  # mode monitor: the production log (JSONL)
    fail_on_rate: float | None = None  # mode monitor: fail above this flag rate
    max_wait: float = DEFAULT_MAX_WAIT_S  # seconds of GitHub rate-limit waits per run
    # GitHub's context.
    event_name: str = ""
    event: Mapping = field(default_factory=dict, repr=False)
    repository: str = ""
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    workspace: str = "."
    sha: str = ""
    ref: str = ""
    run_id: str = ""
    output_path: str | None = None
    step_summary_path: str | None = None
    # Secret values found in the environment, masked first thing.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # Key and base URL for anthropic targets and the judge, passed on in RunOptions.
    anthropic: AnthropicSettings = field(default_factory=AnthropicSettings, repr=False)

    @property
    def root(self) -> Path:
        """The folder the suite paths are relative to."""
        return (Path(self.workspace) / self.working_directory).resolve()

    @property
    def run_url(self) -> str | None:
        if not (self.repository and self.run_id):
            return None
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def default_branch(self) -> str | None:
        repo = self.event.get("repository") if isinstance(self.event, Mapping) else None
        return repo.get("default_branch") if isinstance(repo, Mapping) else None

    @property
    def pull_request(self) -> Mapping | None:
        pr = self.event.get("pull_request")
        return pr if isinstance(pr, Mapping) else None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build from os.environ (or a dict in tests); bad inputs raise UsageError naming them."""

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(f"INPUT_{name.upper()}")
            value = value.strip() if value is not None else ""
            return value if value else default

        def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
            value = (get(name, default) or default).lower()
            if value not in allowed:
                raise UsageError(
                    f"input `{name}`: {value!r} is not valid; use one of {', '.join(allowed)} "
                    f"(in the `with:` block of the driftgate step)"
                )
            return value

        def flag(name: str, default: bool) -> bool:
            value = (get(name) or "").lower()
            if not value:
                return default
            if value in TRUE:
                return True
            if value in FALSE:
                return False
            raise UsageError(
                f"input `{name}`: {value!r} is not a boolean; use true or false "
                f"(in the `with:` block of the driftgate step)"
            )

        pr_number = get("pr-number")
        if pr_number is not None and not pr_number.isdigit():
            raise UsageError(
                f"input `pr-number`: {pr_number!r} is not a pull request number; pass the "
                f"number saved by the pull_request run (docs/action.md#pull-requests-from-forks)"
            )

        fail_on_rate = get("fail-on-rate")
        if fail_on_rate is not None:
            try:
                fail_on_rate = float(fail_on_rate)
            except ValueError:
                fail_on_rate = -1.0
            if not 0.0 <= fail_on_rate <= 1.0:
                raise UsageError(
                    f"input `fail-on-rate`: {get('fail-on-rate')!r} is not a rate between 0 "
                    f"and 1; write e.g. 0.05 for 5% (in the `with:` block of the driftgate step)"
                )
        max_wait = _seconds(
            get("max-wait") or env.get("DRIFTGATE_MAX_WAIT", "").strip() or None,
            DEFAULT_MAX_WAIT_S,
        )

        judge = get("judge")
        if judge is not None:
            judge = choice("judge", JUDGE_POLICIES, judge)

        event_name = env.get("GITHUB_EVENT_NAME", "")
        event = _read_event(env.get("GITHUB_EVENT_PATH"))
        check_event(event_name, event, env.get("GITHUB_EVENT_PATH") or "")
        return cls(
            config=get("config", "llm-evals.yaml"),
            github_token=get("github-token") or env.get("GITHUB_TOKEN", ""),
            mode=choice("mode", MODES, "auto"),
            baseline_branch=get("baseline-branch", "driftgate-baseline"),
            update_baseline=choice("update-baseline", UPDATE_BASELINE, "auto"),
            comment=flag("comment", True),
            commit_status=flag("commit-status", True),
            judge=judge,
            cache_dir=get("cache-dir"),
            shard=get("shard"),
            shard_results=get("shard-results", "driftgate-shards"),
            pr_number=int(pr_number) if pr_number else None,
            results_path=get("results-path", "driftgate-results.json"),
            plan_path=get("plan-path", "driftgate-plan.jsonl"),
            outputs=get("outputs"),
            working_directory=get("working-directory", "."),
            samples=get("samples"),
            fail_on_rate=fail_on_rate,
            max_wait=max_wait,
            event_name=event_name,
            event=event,
            repository=env.get("GITHUB_REPOSITORY", ""),
            api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
            server_url=env.get("GITHUB_SERVER_URL") or "https://github.com",
            workspace=env.get("GITHUB_WORKSPACE") or ".",
            sha=env.get("GITHUB_SHA", ""),
            ref=env.get("GITHUB_REF", ""),
            run_id=env.get("GITHUB_RUN_ID", ""),
            output_path=env.get("GITHUB_OUTPUT") or None,
            step_summary_path=env.get("GITHUB_STEP_SUMMARY") or None,
            # every KEY/TOKEN/SECRET/PASSWORD variable: masked and redacted (redact.py)
            secrets=secrets_from_env(env),
            anthropic=AnthropicSettings.from_env(env),
        )

    @classmethod
    def from_process(cls) -> Settings:
        """The container's own environment: the only place the action reads os.environ."""
        return cls.from_env(os.environ)


def step_summary_path() -> str | None:
    """Where to report when the settings themselves are bad (no Settings to ask)."""
    return os.environ.get("GITHUB_STEP_SUMMARY")


def process_secrets() -> tuple[str, ...]:
    """The secrets to mask when the settings themselves are bad (no Settings to ask)."""
    return secrets_from_env(os.environ)


def _seconds(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise UsageError(
            f"input `max-wait` (or DRIFTGATE_MAX_WAIT): {value!r} is not a number of seconds; "
            f"use e.g. 60, or 0 to never wait for GitHub's rate limits"
        )
    return seconds


def _read_event(path: str | None) -> Mapping:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"GITHUB_EVENT_PATH {path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"GITHUB_EVENT_PATH {path}: cannot read the event: {exc}") from None
    return data  # check_event says what is wrong with it
