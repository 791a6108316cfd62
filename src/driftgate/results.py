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
from driftgate.text import finite_json, unwrap_descriptions

SCHEMA_VERSION = 1

Status = Literal["passed", "failed", "error", "skipped"]


class Model(BaseModel):
    # Attribute docstrings become the fields' descriptions in `driftgate schema --results`.
    model_config = ConfigDict(
        extra="ignore", use_attribute_docstrings=True, json_schema_extra=unwrap_descriptions
    )


class Tokens(Model):
    """Token counts as the API reported them; 0 where a target (a command, an outputs file)
    reports none."""

    input: int = 0
    """Input (prompt) tokens."""
    output: int = 0
    """Output (completion) tokens."""

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(input=self.input + other.input, output=self.output + other.output)


class SentenceScore(Model):
    """One output sentence's support in the context (grounding)."""

    text: str
    """The output sentence, as split from the output."""
    support: float
    """How well the context supports it, 0 to 1: in `chunked` mode the best unit's cosine less
    the displacement discount (1.0 when quoted verbatim), in `whole` mode the cosine with the
    whole context, with `grounding_method: judge` 1.0 or 0.0."""
    grounded: bool
    """true when no check flagged the sentence; the case's grounding_ratio counts these."""
    best_unit: str | None = None
    """The context passage (sentence or `;` part) that supports it best, `(whole context)` when
    that is the whole context; null with `grounding_method: judge`."""
    reason: str | None = None
    """Why it is not supported, one short sentence for the reviewer; null when grounded."""
    cosine: float | None = None
    """`chunked` mode: the raw cosine with its best unit, before the displacement discount."""
    missing: list[str] = []
    """`chunked` mode: numbers, dates, amounts and names of the sentence absent from the
    context (each one flags it)."""
    novel_words: list[str] = []
    """`chunked` mode: content words found nowhere in the context; shown, and a ranking discount
    in grounding_answer_support, but never a flag."""
    verbatim: bool = False
    """`chunked` mode: quoted word for word from the context, so its support is 1.0."""
    flag: str | None = None
    """Which check flagged it: fact, name, polarity, cause, role, support or judge; null when
    grounded."""
    bar: float | None = None
    """`chunked` mode: the support it had to reach, grounding_threshold scaled down for
    sentences of fewer than 4 content words."""
    evidence: str | None = None
    """`grounding_method: judge`: the context passage the judge quoted word for word."""
    displaced: list[str] = []
    """`chunked` mode: context words of the sentence that its best-matching passage lacks
    (joined from elsewhere in the context); they discount its support."""


class CheckResult(Model):
    """One deterministic check (contains, regex, json_schema, ...)."""

    check: str
    """The kind: contains, not_contains, regex, json_schema, max_length or max_latency_s."""
    passed: bool
    """Whether the output met it; a failed check fails the sample."""
    detail: str = ""
    """What was looked for and found, readable without the suite file, e.g. `"cancel" not
    found in output` or `412 characters > 300`."""


class JudgeResult(Model):
    """The LLM judge's grade of a case's output against its rubric (`judge:` in the suite)."""

    status: Literal["passed", "failed", "error", "skipped"]
    """passed: score at least judge.pass_score; failed: below it; error: the call failed, the
    reply was invalid twice, or a required judge had no key or budget; skipped: an optional
    judge without a key or over the `--max-cost` budget."""
    score: int | None = None
    """The grade, 1 to 5; null when the judge did not grade."""
    reasoning: str | None = None
    """The judge's explanation of the grade, shown to the reviewer."""
    critical_issues: list[str] = []
    """Problems the judge called critical, quoted in the case's reasons when it fails."""
    model: str | None = None
    """The judge model (suite `judge.model`)."""
    reason: str | None = None
    """Why there is no grade (status error or skipped); null when graded."""
    tokens: Tokens = Tokens()
    """Tokens the grade took; for a cached grade, what it took when it was made."""
    cost_usd: float = 0.0
    """US dollars spent on it in this run at the suite's prices; 0 for a cached grade."""
    cached: bool = False
    """The grade came from the judge cache (re-held to today's pass_score), not from a call."""


class SampleResult(Model):
    """One generation of a case and its scores."""

    index: int = 0
    """Which generation of the case, counting from 0 (sequential extras follow on)."""
    status: Status = "passed"
    """passed when every scorer passed, failed when one did not, error when no score can be
    trusted (no output, the embedding or the grounding judge failed), skipped when
    `--max-cost` never started it."""
    reasons: list[str] = []
    """Why the sample failed or errored, one line per failing scorer."""
    output: str | None = None
    """The target's output; null when it produced none."""
    error: str | None = None
    """Why the sample errored (the target's message, for one); null otherwise."""
    similarity: float | None = None
    """Cosine similarity of the output to the case's `expected`, held to `min_similarity`;
    null on an error."""
    grounding_ratio: float | None = None
    """Share of the output's sentences the context supports, held to `min_grounding_ratio`;
    null when the case has no context or check_grounding is off."""
    grounding_score: float | None = None
    """The lowest support of any of its sentences."""
    grounding_answer_support: float | None = None
    """Product of its sentence supports (0 when a sentence is flagged, novel words discount
    it): a risk ranking of the whole answer, not a gate."""
    sentences: list[SentenceScore] = []
    """Grounding of each output sentence; empty without grounding."""
    checks: list[CheckResult] = []
    """The case's deterministic checks on this output, in suite order."""
    latency_s: float | None = None
    """Seconds the target took; a cached output keeps its original call's latency."""
    tokens: Tokens = Tokens()
    """Tokens of the call, plus the grounding judge's; a cached output keeps its original
    tokens."""
    cost_usd: float = 0.0
    """US dollars spent on it in this run at the suite's prices (the grounding judge
    included); 0 for a cached output."""
    cached: bool = False
    """The output came from the content-hash cache instead of a call."""


class CaseResult(Model):
    """One case of the suite: run, or why not; its samples reduced to one result
    (score/reduce.py), and against the baseline when there is one."""

    name: str
    """The case's name in the suite file."""
    line: int | None = None
    """Line of the case in the suite file."""
    critical: bool = False
    """A critical case that fails, errors, regresses or is not run fails the gate."""
    tags: list[str] = []
    """The case's tags, as `--tags` selects them."""
    selected: bool = True
    """Whether this run (this shard) ran the case; unselected ones are listed, not scored."""
    selection_reason: str = "full run"
    """Why it was or was not selected, e.g. `matched src/bot.py by 'src/**'` or `not
    affected`."""
    run_by_shard: str | None = None
    """Set when another matrix job runs this case (`2/4`): `merge` takes the case from there."""
    status: Status = "skipped"
    """passed when at least half its samples pass and the judge (if any) passes it; error when
    any sample errored or a required judge could not grade (fail closed); failed otherwise;
    skipped when not run."""
    reasons: list[str] = []
    """Why it (or some of its samples) failed, errored or was not run: one sample's reasons,
    or with several `3/5 samples passed` and each failing sample's; the judge's last."""
    similarity: float | None = None
    """Cosine similarity of the output to `expected` (0 to 1 in practice); for several samples,
    the mean over the samples that have one; null when none has."""
    similarity_std: float | None = None
    """The samples' standard deviation of similarity (n - 1); 0.0 with one sample."""
    threshold: float | None = None
    """The case's `min_similarity`, that each sample's similarity is held to."""
    grounding_ratio: float | None = None
    """Share of output sentences the context supports, the mean over samples; null when the
    case has no context or check_grounding is off."""
    grounding_score: float | None = None
    """The lowest sentence support of any sample."""
    grounding_answer_support: float | None = None
    """Product of sentence supports, a risk ranking of the answer; the lowest of the samples'."""
    min_grounding_ratio: float | None = None
    """The case's `min_grounding_ratio`; null when grounding is not checked."""
    sentences: list[SentenceScore] = []
    """Grounding of each sentence of the first sample's output."""
    checks: list[CheckResult] = []
    """The deterministic checks on the first sample's output (each sample has its own)."""
    output: str | None = None
    """The first sample's output, as shown in the report."""
    error: str | None = None
    """Why the case errored: the first errored sample's message, the judge's, or a missing
    shard's; null otherwise."""
    latency_s: float | None = None
    """Median of the samples' latencies, in seconds."""
    latency_p95_s: float | None = None
    """95th percentile of the samples' latencies (interpolated), in seconds."""
    tokens: Tokens = Tokens()
    """Tokens of all its samples; the judge's grade counts in `judge.tokens`."""
    cost_usd: float = 0.0
    """US dollars its samples cost in this run (cache hits 0); the judge's grade counts in
    `judge.cost_usd`."""
    samples_n: int = 0
    """Samples scored, sequential extras included; 0 when not run."""
    passes: int = 0
    """Samples that passed."""
    pass_rate: float | None = None
    """passes / samples_n: the case passes at 0.5 or more; null when not run."""
    samples: list[SampleResult] = []
    """Every sample with its own scores, in order."""
    judge: JudgeResult | None = None
    """The judge's grade of the first output; null when the judge policy did not pick the
    case, or it errored or was not run."""
    baseline_similarity: float | None = None
    """Mean similarity of the baseline's samples of this case; set by the compare stage when
    the case is comparable."""
    delta: float | None = None
    """Mean similarity now minus baseline_similarity (negative: a drop); null when not
    compared."""
    delta_ci: list[float] | None = None
    """Two-sided interval [low, high] of delta at gate.confidence with the case's noise; null
    when no noise is known (the plain rule)."""
    regression: bool = False
    """The drop is past max_drop and significant after correction (or, with no noise known,
    past max_drop); it blocks when the case is critical or with fail_on_regression."""
    noise_sd: float | None = None
    """The case's noise: the standard deviation of one sample's similarity, pooled from the
    baseline's record, this run's samples and calibration (a baseline passes it on); null
    while nothing measured it."""
    noise_df: int | None = None
    """Degrees of freedom behind noise_sd, capped at 100."""
    p_value: float | None = None
    """One-sided p-value (pooled t test) that noise alone made the mean drop this much, with
    every sample drawn; null under the plain rule or when not compared."""
    p_value_first: float | None = None
    """The same at the first look, before sequential sampling drew more."""
    p_adjusted: float | None = None
    """p-value of the look that decided, Holm-adjusted across the run's cases that can block
    (report-only cases among themselves); held to that look's share of 1 - gate.confidence."""
    max_drop: float | None = None
    """The smallest drop that counts: the case's `max_drop`, else 0.02 with known noise, 0.05
    under the plain rule."""
    regression_reason: str | None = None
    """How sure a regression is, in words: the drop in noise units, p after correction, samples
    drawn; null when not a regression."""
    extra_samples: int = 0
    """Samples drawn by sequential sampling because the drop was ambiguous (in samples_n)."""
    comparable: bool | None = None
    """Whether the similarity was compared with the baseline's: false for a new case, another
    embedding model, a changed `expected` or a missing score; null without a baseline or
    when not run."""
    comparison_note: str | None = None
    """Why it was not compared (`new case: no baseline result yet`), or that a drop stayed
    within the case's noise."""
    output_drift: float | None = None
    """Cosine similarity of the output to the baseline's (1.0: same meaning), measured even
    when the scores are not comparable."""
    baseline_latency_s: float | None = None
    """Median latency of the baseline's real (uncached) calls of this case, in seconds."""
    baseline_cost_usd: float | None = None
    """What the case cost in the baseline run, in US dollars."""
    baseline_pass_rate: float | None = None
    """Share of the baseline's samples of this case that passed, for the summary's
    baseline_pass_at_1 (kept per case so that a merge of shards computes it from cases)."""
    baseline_latencies: list[float] | None = None
    """The baseline's real-call latencies of this case, for the summary's latency_increase."""
    baseline_cost_per_call: float | None = None
    """The baseline's mean cost of a real call of this case, for the summary's
    cost_increase."""
    definition_hash: str | None = None
    """16 hex characters of SHA-256 of the case as written (key order and YAML formatting
    don't matter)."""
    expected_hash: str | None = None
    """Hash of `expected`; a changed one makes the case not comparable with the baseline."""
    prompt_hash: str | None = None
    """Hash of the rendered prompt; null without a prompt or with a variable missing."""
    target: str | None = None
    """The target's identity, e.g. `anthropic: model=claude-haiku-4-5 temperature=0.0` (long
    values hashed)."""

    def output_to_show(self) -> tuple[str, str] | None:
        """(label, text): what the pipeline said, for the reader of a failing case. The case's
        own output is sample 1's, so with several samples, the first failing one's."""
        failing = next((s for s in self.samples if s.status != "passed" and s.output), None)
        if len(self.samples) > 1 and failing is not None and failing.output:
            label = f"output of sample {failing.index + 1} of {len(self.samples)}"
            return label, failing.output
        return ("output", self.output) if self.output else None


class BaselineInfo(Model):
    """Which baseline the run was compared with."""

    source: str
    """Where it was read: the `--baseline` file, or `branch NAME:PATH` on the baseline
    branch."""
    commit: str | None = None
    """The commit the baseline run recorded (its git_sha)."""
    created_at: str | None = None
    """When the baseline run started (ISO 8601)."""
    age_hours: float | None = None
    """Hours from then to this run; null when its time is unknown."""
    at_merge_base: bool | None = None
    """true when it was recorded at the merge base, false when it is the branch's newest for
    another commit; null for a `--baseline` file or with no merge base."""


class CacheStats(Model):
    """How one cache served the run."""

    lookups: int = 0
    """Times the run looked an entry up."""
    hits: int = 0
    """Lookups that found one, each a call not made."""

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.lookups if self.lookups else None


class Summary(Model):
    """The run's figures and verdict, recomputed from its cases (metrics.py, gate.py)."""

    verdict: Literal["pass", "fail"] = "pass"
    """The gate's verdict: exit code 0 for pass, 1 for fail."""
    gate_reasons: list[str] = []
    """Every reason the gate failed, most serious first; empty when it passed."""
    total: int = 0
    """Cases in the suite, selected or not."""
    selected: int = 0
    """Cases this run (this shard) selected."""
    skipped: int = 0
    """Cases not selected (total - selected)."""
    passed: int = 0
    """Selected cases that passed."""
    failed: int = 0
    """Selected cases that failed."""
    errors: int = 0
    """Selected cases that errored."""
    pass_rate: float | None = None
    """Passing cases / selected cases, what gate.min_pass_rate holds (errors and cases the
    budget left unrun are not passing); null when nothing was selected."""
    pass_at_1: float | None = None
    """Mean over run cases of passing samples / N (an error counts 0): the chance one
    generation passes."""
    pass_at_k: dict[str, float] = {}
    """pass@k for each k of gate.pass_at_k, the unbiased estimator averaged over run cases,
    keyed by k; a k above some case's sample count is left out."""
    samples_spent: int = 0
    """Generations scored, sequential extras included."""
    extra_samples: int = 0
    """Generations drawn by sequential sampling, over all cases."""
    critical_failures: int = 0
    """Selected critical cases that failed or errored."""
    regressions: int = 0
    """Selected cases that regressed against the baseline, blocking or not."""
    critical_regressions: int = 0
    """Of those, the critical cases."""
    new_cases: list[str] = []
    """Cases run that the baseline has no result for."""
    removed_cases: list[str] = []
    """Cases of the baseline that the suite no longer has."""
    baseline: BaselineInfo | None = None
    """The baseline compared with; null when there was none."""
    baseline_pass_at_1: float | None = None
    """pass@1 of the baseline over the compared cases."""
    mean_delta: float | None = None
    """Mean similarity delta over the comparable cases."""
    review_warning: str | None = None
    """Set when mean_delta moved by more than 0.05: review even if no case regressed."""
    judge_mean_score: float | None = None
    """Mean judge grade (1 to 5) over the cases graded."""
    judged: int = 0
    """Cases the judge graded."""
    calls: int = 0
    """Calls made to targets (commands, the API) and the judge; cache hits and outputs files
    make none."""
    tokens: Tokens = Tokens()
    """Tokens of every output and judge grade, cached ones as first recorded."""
    cost_usd: float = 0.0
    """US dollars this run spent on targets and the judge, at the suite's prices."""
    baseline_cost_usd: float | None = None
    """What the compared cases cost in the baseline run."""
    latency_median_s: float | None = None
    """Median latency of every sample of the run cases, in seconds."""
    latency_p95_s: float | None = None
    """95th percentile of the same latencies."""
    baseline_latency_median_s: float | None = None
    """Median latency of the baseline's real calls, over the cases with real calls on both
    sides."""
    latency_increase: float | None = None
    """Relative change of the median latency against the baseline, over the cases run on both
    sides and real (uncached) calls only: 0.5 means +50%; held to gate.max_latency_increase."""
    cost_increase: float | None = None
    """Relative change of the cost per real call against the baseline, over the cases run on
    both sides: 0.5 means +50%; held to gate.max_cost_increase."""
    output_cache: CacheStats = CacheStats()
    """The output cache's lookups and hits."""
    judge_cache: CacheStats = CacheStats()
    """The judge cache's lookups and hits."""
    calls_saved: int = 0
    """Calls the caches made unnecessary (hits of both)."""
    cost_saved_usd: float = 0.0
    """What those calls would have cost at today's prices, in US dollars."""
    duration_s: float | None = None
    """Wall-clock seconds of the run; of a merge, the longest shard's."""


class GateSettings(Model):
    """The suite's gate, recorded so a merge or a re-read reaches the same verdict."""

    min_pass_rate: float = 1.0
    """The summary's pass_rate must reach it (1.0: every selected case passes)."""
    fail_on_regression: bool = False
    """A regression of any case fails the gate, not only a critical case's."""
    max_latency_increase: float | None = None
    """Largest allowed latency_increase (0.5: +50%); null for no limit."""
    max_cost_increase: float | None = None
    """Largest allowed cost_increase (0.5: +50%); null for no limit."""
    pass_at_k: list[int] = []
    """The k values of pass@k the summary reports (suite `pass_at_k`)."""
    confidence: float = 0.995
    """1 - confidence is the chance that noise blocks an unchanged run (Holm across cases)."""
    alpha_first_look: float = 0.0
    """With sequential sampling, the part of 1 - confidence spent on the first look; 0 when
    no case could draw more."""


class RunResults(Model):
    """What `driftgate run --output-json` and `driftgate merge --output-json` write."""

    schema_version: int = SCHEMA_VERSION
    """Version of this format; a reader refuses a newer one."""
    driftgate_version: str = ""
    """The driftgate that wrote the file."""
    suite: str
    """The suite's name (`eval_suite.name`)."""
    suite_path: str
    """The suite file, relative to the repository root."""
    suite_hash: str | None = None
    """SHA-256 of the suite file as read."""
    embedding_model: str
    """The sentence-transformers model of the similarities; another one makes a baseline
    not comparable."""
    judge_model: str | None = None
    """The judge model of the run's judge policy, whether or not a case needed it; null when
    the policy is `never`."""
    git_sha: str | None = None
    """The commit that ran (HEAD); null outside a git checkout."""
    created_at: str | None = None
    """When the run started (ISO 8601, UTC); of a merge, the earliest shard's."""
    mode: str = "full"
    """`selective` when a change list (`--changed-since`, `--changed-files`) chose the cases,
    else `full`."""
    shard: str | None = None
    """`I/N` for one shard's results; null in a full or merged run."""
    warnings: list[str] = []
    """Problems that did not stop the run (suite warnings, a missing baseline, the budget)."""
    gate: GateSettings = Field(default_factory=GateSettings)
    """The gate settings the verdict was decided with."""
    summary: Summary = Field(default_factory=Summary)
    """Counts, rates, costs, latencies and the verdict."""
    cases: list[CaseResult] = []
    """Every case of the suite in suite order, selected or not."""

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
        raise UsageError(
            f"{path}: results file not found; pass a file written by `driftgate run --output-json`"
        ) from None
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
