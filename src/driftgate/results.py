"""The results format: what a run writes, what baselines and merges read back.

Published and versioned (`schema_version`); a field is only ever added, never renamed,
because users' dashboards and our own baselines parse these files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from driftgate.errors import UsageError
from driftgate.fileio import write_text
from driftgate.redact import redacted_json
from driftgate.text import finite_json

SCHEMA_VERSION = 1

Status = Literal["passed", "failed", "error", "skipped"]


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Tokens(Model):
    input: int = 0
    output: int = 0

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(input=self.input + other.input, output=self.output + other.output)


class SentenceScore(Model):
    """One output sentence's support in the context (grounding)."""

    text: str
    support: float
    grounded: bool
    best_unit: str | None = None
    reason: str | None = None
    # chunked mode: raw best-unit cosine, and the claim check behind `support`/`grounded`
    cosine: float | None = None
    missing: list[str] = []  # numbers and names absent from the context
    novel_words: list[str] = []  # content words found nowhere in the context (shown only)
    verbatim: bool = False  # quoted word for word from the context: support 1.0
    # which check flagged it: fact, name, polarity, cause, role, support or judge
    flag: str | None = None
    bar: float | None = None  # the support this sentence had to reach (threshold × length)
    evidence: str | None = None  # grounding_method judge: the context passage it quoted
    displaced: list[str] = []  # context words its best-matching passage lacks (support discount)


class CheckResult(Model):
    """One deterministic check (contains, regex, json_schema, ...)."""

    check: str
    passed: bool
    detail: str = ""


class JudgeResult(Model):
    status: Literal["passed", "failed", "error", "skipped"]
    score: int | None = None
    reasoning: str | None = None
    critical_issues: list[str] = []
    model: str | None = None
    reason: str | None = None
    tokens: Tokens = Tokens()
    cost_usd: float = 0.0
    cached: bool = False


class SampleResult(Model):
    """One generation of a case and its scores."""

    index: int = 0
    status: Status = "passed"
    reasons: list[str] = []
    output: str | None = None
    error: str | None = None
    similarity: float | None = None
    grounding_ratio: float | None = None
    grounding_score: float | None = None
    grounding_answer_support: float | None = None  # product of sentence supports
    sentences: list[SentenceScore] = []
    checks: list[CheckResult] = []
    latency_s: float | None = None
    tokens: Tokens = Tokens()
    cost_usd: float = 0.0
    cached: bool = False


class CaseResult(Model):
    name: str
    line: int | None = None
    critical: bool = False
    tags: list[str] = []
    selected: bool = True
    selection_reason: str = "full run"
    # Set when another matrix job runs this case ("2/4"): `merge` takes the case from there.
    run_by_shard: str | None = None
    status: Status = "skipped"
    reasons: list[str] = []
    # Scores: for several samples, the mean; the spread is in similarity_std.
    similarity: float | None = None
    similarity_std: float | None = None
    threshold: float | None = None
    grounding_ratio: float | None = None
    grounding_score: float | None = None
    grounding_answer_support: float | None = None  # product of sentence supports
    min_grounding_ratio: float | None = None
    sentences: list[SentenceScore] = []
    checks: list[CheckResult] = []
    output: str | None = None
    error: str | None = None
    latency_s: float | None = None
    latency_p95_s: float | None = None
    tokens: Tokens = Tokens()
    cost_usd: float = 0.0
    samples_n: int = 0
    passes: int = 0
    pass_rate: float | None = None
    samples: list[SampleResult] = []
    judge: JudgeResult | None = None
    # Against the baseline (filled by the compare stage).
    baseline_similarity: float | None = None
    delta: float | None = None
    delta_ci: list[float] | None = None
    regression: bool = False
    # The regression test (compare/rules.py): the case's noise (per-sample similarity sd and
    # its degrees of freedom; a baseline keeps it for the next run), the one-sided p-value of
    # the drop at the first look and with every sample, the Holm-adjusted p-value across the
    # run's cases, the smallest drop that counts, and how sure a block is, in words.
    noise_sd: float | None = None
    noise_df: int | None = None
    p_value: float | None = None
    p_value_first: float | None = None
    p_adjusted: float | None = None
    max_drop: float | None = None
    regression_reason: str | None = None
    extra_samples: int = 0  # drawn by sequential sampling because the drop was ambiguous
    comparable: bool | None = None
    comparison_note: str | None = None
    output_drift: float | None = None
    baseline_latency_s: float | None = None
    baseline_cost_usd: float | None = None
    # The baseline side of the run-level figures, kept per case so that the summary, and a
    # merge of shards, is computed from the cases alone.
    baseline_pass_rate: float | None = None
    baseline_latencies: list[float] | None = None
    baseline_cost_per_call: float | None = None
    # Versions of what produced this result.
    definition_hash: str | None = None
    expected_hash: str | None = None
    prompt_hash: str | None = None
    target: str | None = None


class BaselineInfo(Model):
    source: str
    commit: str | None = None
    created_at: str | None = None
    age_hours: float | None = None
    at_merge_base: bool | None = None


class CacheStats(Model):
    lookups: int = 0
    hits: int = 0

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.lookups if self.lookups else None


class Summary(Model):
    verdict: Literal["pass", "fail"] = "pass"
    gate_reasons: list[str] = []
    total: int = 0
    selected: int = 0
    skipped: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    # A case passes when at least half its samples pass (errors count as failures);
    # pass_rate is the share of run cases that pass, what gate.min_pass_rate is held to.
    # pass_at_1 is the sample-level estimate: the mean over cases of passing samples / N.
    pass_rate: float | None = None
    pass_at_1: float | None = None
    pass_at_k: dict[str, float] = {}
    samples_spent: int = 0  # generations scored, sequential extras included
    extra_samples: int = 0
    critical_failures: int = 0
    regressions: int = 0
    critical_regressions: int = 0
    new_cases: list[str] = []
    removed_cases: list[str] = []
    baseline: BaselineInfo | None = None
    baseline_pass_at_1: float | None = None
    mean_delta: float | None = None
    review_warning: str | None = None
    judge_mean_score: float | None = None
    judged: int = 0
    calls: int = 0
    tokens: Tokens = Tokens()
    cost_usd: float = 0.0
    baseline_cost_usd: float | None = None
    latency_median_s: float | None = None
    latency_p95_s: float | None = None
    baseline_latency_median_s: float | None = None
    # Relative change of the median latency and of the cost per call, over the cases run
    # on both sides and real (uncached) calls only: 0.5 means +50%.
    latency_increase: float | None = None
    cost_increase: float | None = None
    output_cache: CacheStats = CacheStats()
    judge_cache: CacheStats = CacheStats()
    calls_saved: int = 0
    cost_saved_usd: float = 0.0
    duration_s: float | None = None


class GateSettings(Model):
    """The suite's gate, recorded so a merge or a re-read reaches the same verdict."""

    min_pass_rate: float = 1.0
    fail_on_regression: bool = False
    max_latency_increase: float | None = None
    max_cost_increase: float | None = None
    # The k values of pass@k the summary reports (suite `pass_at_k`).
    pass_at_k: list[int] = []
    # 1 - confidence is the chance that noise blocks an unchanged run (Holm across cases);
    # with sequential sampling alpha_first_look of it is spent on the first look.
    confidence: float = 0.995
    alpha_first_look: float = 0.0


class RunResults(Model):
    schema_version: int = SCHEMA_VERSION
    driftgate_version: str = ""
    suite: str
    suite_path: str
    suite_hash: str | None = None
    embedding_model: str
    judge_model: str | None = None
    git_sha: str | None = None
    created_at: str | None = None
    mode: str = "full"
    shard: str | None = None
    warnings: list[str] = []
    gate: GateSettings = Field(default_factory=GateSettings)
    summary: Summary = Field(default_factory=Summary)
    cases: list[CaseResult] = []

    def case(self, name: str) -> CaseResult | None:
        return next((c for c in self.cases if c.name == name), None)

    def to_json(self) -> str:
        """The published JSON, through the redactor: what every results file holds."""
        return redacted_json(self, indent=2) + "\n"

    def write(self, path: str | Path) -> None:
        write_text(path, self.to_json())


def read_results(path: str | Path) -> RunResults:
    """Read a results file, with an error that says what is wrong and what to do."""
    path = Path(path)
    try:
        data = finite_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: results file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read results file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
            f"pass a file written by `driftgate run --output-json`"
        ) from None
    except ValueError as exc:  # NaN, Infinity, 1e999: driftgate never writes them
        raise UsageError(
            f"{path}: not a driftgate results file ({exc}); "
            f"pass a file written by `driftgate run --output-json`"
        ) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version is None:
        raise UsageError(
            f"{path}: not a driftgate results file (no schema_version); "
            f"pass a file written by `driftgate run --output-json`"
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UsageError(
            f"{path}: not a driftgate results file (schema_version {json.dumps(version)} is "
            f"not a whole number 1 or more); pass a file written by `driftgate run --output-json`"
        )
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"{path}: results schema_version {version} is newer than this driftgate "
            f"understands ({SCHEMA_VERSION}); upgrade driftgate"
        )
    try:
        return RunResults.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{path}: invalid results file at {where}: {first['msg']}") from None
