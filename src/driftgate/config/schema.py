"""The suite file's schema: every key a user may write, its default and its bounds.

pydantic models at the boundary (the user's YAML); `extra="forbid"` everywhere so a typo
is an error with a suggestion, never a silently ignored setting. The popular write-ups'
format (`eval_suite:` with `cases:`) loads unchanged; everything else is additive.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

import jsonschema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from driftgate.text import unwrap_descriptions

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegativeFloat = Annotated[float, Field(ge=0.0)]


def _one_as_list(value):
    return [value] if isinstance(value, str) else value


# A list of strings where one string may stand alone (`tags: smoke`).
Strings = Annotated[
    list[str], BeforeValidator(_one_as_list, json_schema_input_type=str | list[str])
]


def takes_one_string(field) -> bool:
    """Whether a model field is `Strings` (or `Strings | None`), for the error's wording."""
    nested = (getattr(arg, "__metadata__", ()) for arg in get_args(field.annotation))
    metadata = [*field.metadata, *(item for group in nested for item in group)]
    return any(getattr(item, "func", None) is _one_as_list for item in metadata)


# Which cases the LLM judge grades: the suite's judge.policy, `--judge` and the action input.
JudgePolicy = Literal["critical", "selected", "all", "never"]
JUDGE_POLICIES: tuple[str, ...] = get_args(JudgePolicy)
# How grounding splits the output, and what verifies each piece (suite, case, monitor task).
GroundingMode = Literal["chunked", "whole"]
GroundingMethod = Literal["embedding", "judge"]

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DEFAULT_JUDGE_MODEL = "claude-sonnet-4-5"

DEFAULT_RUBRIC = (
    "5: correct, complete and faithful to the context; nothing a reader would act on wrongly.\n"
    "4: correct and faithful, with minor omissions or wording issues.\n"
    "3: partly correct, or omits something important.\n"
    "2: mostly wrong, misleading, or makes claims the context does not support.\n"
    "1: wrong, harmful, or unrelated to the task."
)


class Strict(BaseModel):
    # `.inf` and `.nan` are YAML numbers; no setting of ours means anything with them.
    # Attribute docstrings become the schema's descriptions: an editor shows them on hover.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
        json_schema_extra=unwrap_descriptions,
    )


class FileRef(Strict):
    """`{file: path}`: text read from a file relative to the suite file, inside the repo."""

    file: str = Field(min_length=1)
    """A path relative to the suite file; refused outside the repository or inside a `.git`
    folder. A change to the file selects the cases that read it."""


VarValue = str | int | float | bool | FileRef


class CommandTarget(Strict):
    """The team's own pipeline, run as a subprocess per case and sample."""

    type: Literal["command"]
    """Run your own program: it reads the case as JSON on stdin and prints the output."""
    command: str = Field(min_length=1)
    """The shell command, run from the repository root once per case and sample; it is part
    of the output cache's key, so a version in it (`--model v3`) starts a fresh cache."""
    timeout_s: PositiveFloat = 60.0
    """Seconds one run may take; past it the command and every child it started are killed
    and the case is an `error`."""


class OutputsTarget(Strict):
    """Outputs an earlier workflow step produced, one JSON object per line."""

    type: Literal["outputs"]
    """Read outputs your workflow already produced instead of calling anything."""
    path: str = Field(min_length=1)
    """The JSONL file of `{"case": ..., "output": ...}` lines (optional `"sample"`), relative
    to the suite file, else to the repository root; a case with no line is an `error`."""


class AnthropicTarget(Strict):
    """A prompt sent straight to Claude through the anthropic SDK."""

    type: Literal["anthropic"]
    """Send the rendered prompt to Claude (needs `ANTHROPIC_API_KEY`; without it each case
    is an `error` naming the secret)."""
    model: str = Field(min_length=1)
    """The Claude model id; it also picks the price from `pricing`."""
    max_tokens: Annotated[int, Field(ge=1)] = 1024
    """The longest answer the model may write, in tokens; a longer one is cut off."""
    temperature: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    """Sampling temperature: 0 for the most repeatable answers; above 0 every sample is a
    fresh draw, so give the case several `samples`."""
    system: str | None = None
    """The system prompt sent with every case; unset, none is sent."""
    timeout_s: PositiveFloat = 60.0
    """Seconds one API request may take before the SDK gives up on it (and retries while
    `max_retries` allows)."""
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    """The SDK's retries after a 429, 5xx, 529 or timeout, honouring `retry-after`; then the
    case is an `error`."""


Target = Annotated[CommandTarget | OutputsTarget | AnthropicTarget, Field(discriminator="type")]


class Checks(Strict):
    """Plain assertions on the output: free, deterministic, run before any judge call."""

    contains: Strings = []
    """Text the output must contain; each one missing is a failed check."""
    not_contains: Strings = []
    """Text the output must not contain, e.g. `As an AI`."""
    case_insensitive: bool = False
    """Whether `contains`, `not_contains` and `regex` ignore case."""
    regex: Strings = []
    """Python regular expressions that must each match somewhere in the output
    (`re.search`); an invalid one is a config error."""
    json_schema: dict | None = None
    """A JSON Schema (draft 2020-12) the output must parse as JSON and satisfy; an output
    wrapped in a Markdown code fence is not JSON."""
    max_length: Annotated[int, Field(ge=0)] | None = None
    """The most characters the output may have."""
    max_latency_s: PositiveFloat | None = None
    """The most seconds the target call may take; a cached sample keeps its first latency,
    and `outputs` targets have none, so it is not applied to them."""

    @field_validator("regex")
    @classmethod
    def _patterns_compile(cls, value):
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return value

    @field_validator("json_schema")
    @classmethod
    def _schema_is_valid(cls, value):
        if value is not None:
            _keys_are_text(value)
            try:
                jsonschema.Draft202012Validator.check_schema(value)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"invalid JSON Schema: {exc.message}") from None
        return value


def _keys_are_text(value) -> None:
    """JSON objects have text keys: `1:` in a schema is a typo, and can't be hashed in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"invalid JSON Schema: the key {key!r} must be text; quote it")
            _keys_are_text(item)
    elif isinstance(value, list):
        for item in value:
            _keys_are_text(item)


class JudgeConfig(Strict):
    """The LLM-as-judge rubric grader; costs one call per judged case."""

    model: str = DEFAULT_JUDGE_MODEL
    """The Claude model that grades outputs, and verifies sentences under
    `grounding_method: judge`."""
    rubric: str = DEFAULT_RUBRIC
    """The 1–5 scale the judge grades against, unless a case or monitor task sets its own
    `rubric`."""
    pass_score: Annotated[int, Field(ge=1, le=5)] = 4
    """A grade below this fails the case even when its similarity passed; driftgate
    compares it, so changing it needs no new judge call."""
    policy: JudgePolicy = "critical"
    """Which cases are judged: `critical` ones and those with `judge: true`, every
    `selected` case except `judge: false`, `all` that ran, or `never`; `--judge` overrides
    it for one run."""
    max_tokens: Annotated[int, Field(ge=64)] = 512
    """The longest reply the judge may write, in tokens; part of the grade's cache key."""
    required: bool = False
    """Whether a grade the judge can't give (no `ANTHROPIC_API_KEY`, the `--max-cost` budget
    spent) makes the case an `error` instead of skipping the judge."""
    timeout_s: PositiveFloat = 60.0
    """Seconds one judge request may take before the SDK gives up on it (and retries while
    `max_retries` allows)."""
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    """The SDK's retries after a 429, 5xx, 529 or timeout, honouring `retry-after`; then the
    judge is an `error`, which makes a passing case an `error`."""


class GateConfig(Strict):
    """When the run fails: pass rate, regressions, latency and cost growth."""

    min_pass_rate: Unit = 1.0
    """The share of selected cases that must pass; an error, a failure or a case the
    `--max-cost` budget left unrun counts as not passed, so 1.0 means every case."""
    fail_on_regression: bool = False
    """Whether a regression of any case fails the gate, not only of a critical one; every
    case then joins the family the regression test corrects across."""
    max_latency_increase: NonNegativeFloat | None = None
    """Fails the gate when the median latency of uncached calls rises by more than this
    fraction over the baseline (0.5 = +50%); unset, latency never fails it."""
    max_cost_increase: NonNegativeFloat | None = None
    """Fails the gate when the cost per call rises by more than this fraction over the
    baseline (0.5 = +50%); unset, cost never fails it."""
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.995
    """The chance that an unchanged run is not blocked by noise, across all the cases that
    can block; higher blocks less often and needs larger drops to catch one."""


class Price(Strict):
    """A model's price in USD per million tokens, for `cost_usd` and the `--max-cost`
    budget."""

    input: NonNegativeFloat
    """USD per million input (prompt) tokens."""
    output: NonNegativeFloat
    """USD per million output (completion) tokens."""


class MonitorTask(Strict):
    """What production samples of one task must satisfy, without a reference answer."""

    description: str | None = None
    """What the task's outputs are for, told to the judge in place of the task's label."""
    checks: Checks | None = None
    """Deterministic checks on this task's samples; a sample of a case that has `checks`
    gets the case's instead."""
    rubric: str | None = None
    """The judge's rubric for this task's samples, in place of the case's or the suite's."""
    judge: bool | None = None
    """Like a case's `judge`, for this task's samples: `true` grades them under policy
    `critical`, `false` only under `all`; it wins over their case's setting."""
    check_grounding: bool = True
    """Whether a sample with a context (its own or its case's) has its sentences checked
    against it; `false` skips grounding for this task."""
    grounding_threshold: Unit | None = None
    """The support a sentence needs to count as grounded; unset, the case's, else the
    suite's."""
    min_grounding_ratio: Unit | None = None
    """The share of a sample's sentences that must be grounded; unset, the case's, else the
    suite's."""
    grounding_mode: GroundingMode | None = None
    """`chunked` or `whole` for this task's samples; unset, the case's, else the suite's."""


class MonitorConfig(Strict):
    """`driftgate monitor`: reference-free checks per `task` label of production samples."""

    tasks: dict[str, MonitorTask] = {}
    """Settings per task label: a sample's own `task`, else its case's `task`."""
    fail_on_rate: Unit | None = None
    """`driftgate monitor` exits 1 when more than this share of all samples, or of any one
    case or task, is flagged; `--fail-on-rate` overrides it, and unset, flags never fail."""


class Case(Strict):
    """One eval: what the target is asked, the answer it should give, and the bars its
    output must meet. A key left out takes the suite's value where the suite has one."""

    name: str = Field(min_length=1)
    """Unique within the suite: `--cases`, `outputs` files and the baseline know the case
    by it, so a renamed case starts with no baseline."""
    description: str | None = None
    """Free text for readers; editing it still counts as a changed definition, so the case
    runs on that change."""
    prompt: str = ""
    """The template sent to the target: `{name}` is filled from `vars`, `{{` and `}}` are
    literal braces. An `outputs` target needs none."""
    expected: str = Field(min_length=1)
    """The reference answer: the output's embedding similarity to it is the case's score,
    and the judge reads it; blank is an error."""
    context: str | FileRef | None = None
    """The source the answer must be grounded in, as text or `{file: path}`; a `command`
    target and the judge receive it too."""
    vars: dict[str, VarValue] = {}
    """Values for the prompt's `{placeholders}`; a `{file: path}` value is read relative to
    the suite file, and a change to that file selects the case."""
    target: Target | None = None
    """What produces this case's output, in place of the suite's `target`."""
    min_similarity: Unit | None = None
    """The cosine similarity to `expected` each sample must reach; unset, the suite's
    `default_threshold`."""
    check_grounding: bool = False
    """Whether each output sentence must be supported by `context`: the case fails when
    fewer than `min_grounding_ratio` of them are."""
    grounding_threshold: Unit | None = None
    """The support a sentence needs to count as grounded; unset, the suite's."""
    min_grounding_ratio: Unit | None = None
    """The share of output sentences that must be grounded; unset, the suite's."""
    grounding_mode: GroundingMode | None = None
    """`chunked` (each context sentence and part) or `whole` (the whole context, kept for
    comparison); unset, the suite's."""
    grounding_method: GroundingMethod | None = None
    """`embedding` (local checks) or `judge` (the judge model verifies each sentence with
    quoted evidence, a paid call); unset, the suite's."""
    critical: bool = False
    """Whether this case failing, erroring, regressing or being left unrun fails the gate,
    whatever `gate.min_pass_rate` allows; the judge's default policy grades critical cases."""
    tags: Strings = []
    """Labels for `--tags`, which runs the cases that have any of the tags given."""
    trigger_paths: Strings | None = None
    """Gitignore-style patterns, from the repository root, of the files that affect this
    case: a change to one selects it, and a `command` target's cache key hashes them.
    Without any, `untriggered` decides."""
    samples: Annotated[int, Field(ge=1, le=100)] | None = None
    """Generations per run of this case; unset, the suite's."""
    max_samples: Annotated[int, Field(ge=1, le=100)] | None = None
    """Sequential sampling's bound for this case; unset, the suite's, else 6 × `samples`."""
    max_drop: Unit | None = None
    """The smallest similarity drop that counts as a regression of this case; unset, the
    suite's, else the case's noise decides."""
    noise_sd: Unit | None = None
    """The standard deviation of one sample's similarity, the regression test's yardstick
    until baselines record more; `driftgate calibrate --write` sets it."""
    noise_samples: Annotated[int, Field(ge=2)] | None = None
    """How many samples measured `noise_sd`: the two are set together or not at all."""
    checks: Checks | None = None
    """Deterministic assertions on every sample's output, run before the judge."""
    judge: bool | None = None
    """`true` judges this case under any policy but `never`, even after a failed check;
    `false` only under policy `all`; unset, `judge.policy` decides."""
    rubric: str | None = None
    """The judge's rubric for this case, in place of `judge.rubric`."""
    task: str | None = None
    """What the output is for, told to the judge in place of the rendered prompt;
    `driftgate monitor` also takes it as the task label of this case's samples."""

    @field_validator("expected")
    @classmethod
    def _expected_says_something(cls, value):
        # Stripped, a blank `expected` is "": its embedding sits near every short output
        # (similarity 0.50 to "hi"), so a low threshold would pass anything.
        if not value.strip():
            raise ValueError("expected is blank: write the answer this case expects")
        return value

    @model_validator(mode="after")
    def _noise_has_its_count(self):
        if (self.noise_sd is None) != (self.noise_samples is None):
            raise ValueError(
                "noise_sd and noise_samples go together (the spread and how many samples "
                "measured it); `driftgate calibrate --write` sets both"
            )
        return self


class Suite(Strict):
    """The suite's settings and cases; the settings a case may override are its defaults."""

    name: str = Field(min_length=1)
    """Names the PR comment, the commit status and the stored baseline, so a renamed suite
    starts with no baseline."""
    description: str | None = None
    """Free text for readers; editing it re-runs no case."""
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    """The sentence-transformers model for similarity and grounding: `all-MiniLM-L6-v2` is
    bundled; another name or path must be available locally (nothing is downloaded). A
    baseline scored with another model is not compared."""
    default_threshold: Unit = 0.80
    """The `min_similarity` of every case that sets none."""
    grounding_threshold: Unit = 0.60
    """The support a sentence needs to count as grounded, lower for sentences under 4
    content words; measured in docs/grounding.md, and `driftgate calibrate` proposes one."""
    min_grounding_ratio: Unit = 0.85
    """The share of an output's sentences that must be grounded in a case with
    `check_grounding`."""
    grounding_mode: GroundingMode = "chunked"
    """`chunked` checks each output sentence against each context sentence and `;` part;
    `whole` against the whole context (the write-ups' proxy, at chance on labelled data)."""
    grounding_method: GroundingMethod = "embedding"
    """What verifies each sentence: `embedding` (local and free) or `judge` (the judge model
    quotes evidence from the context; one paid call per output)."""
    target: Target | None = None
    """What produces the outputs: your `command`, an `outputs` file or an `anthropic` model.
    Without one (here or on the case), pass `--outputs PATH`."""
    gate: GateConfig = GateConfig()
    """The rules that turn the case results into a pass or a fail (exit 0 or 1)."""
    samples: Annotated[int, Field(ge=1, le=100)] = 1
    """Generations per case: with several, a case passes when at least half of its samples
    pass, and the regression test measures its noise from them."""
    max_samples: Annotated[int, Field(ge=1, le=100)] | None = None
    """Sequential sampling's bound: a case that can block and dropped ambiguously draws
    batches of `samples` up to this, and a recorded baseline gives it this many; unset,
    6 × `samples`."""
    pass_at_k: list[Annotated[int, Field(ge=1)]] = []
    """Extra k values to report pass@k for (reported, not gated); a k above a case's
    `samples` is left out, and `validate` warns."""
    max_drop: Unit | None = None
    """The smallest similarity drop that counts as a regression; unset, each case's noise
    decides (floor 0.02), or 0.05 with one sample on each side and no recorded noise."""
    always_run_paths: list[str] = []
    """Gitignore-style patterns: a changed file matching one selects every case, and the
    files they match are in every `command` output's cache key. For shared code, prompts and
    lock files."""
    untriggered: Literal["always", "full_only"] = "always"
    """Whether a case without `trigger_paths` runs on every change (`always`) or only in
    full runs (`full_only`)."""
    judge: JudgeConfig = JudgeConfig()
    """The LLM judge: its model, rubric, pass score and which cases it grades."""
    pricing: dict[str, Price] = {}
    """Prices per model id, added to the built-in Anthropic list or replacing its entries; a
    key matches the ids that start with it, and an unpriced model costs $0 with a warning."""
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    """How many target and judge calls are in flight at once; a `--max-cost` run can end
    above its budget by at most this many calls."""
    max_output_chars: Annotated[int, Field(ge=1)] = 1_000_000
    """The longest output scored, in characters; a longer one is cut with a warning
    (docs/gate.md)."""
    cache: Literal["read_write", "read_only", "off"] = "read_write"
    """Whether outputs, judge grades and embeddings are read from and stored in the cache:
    `read_only` never writes (fork PRs), `off` neither; `--no-cache` is `off` for one run."""
    monitor: MonitorConfig = MonitorConfig()
    """Settings of `driftgate monitor`, which scores production samples without a
    reference answer."""
    cases: list[Case] = Field(min_length=1)
    """The evals, at least one, each under a unique `name`."""


class SuiteFile(Strict):
    """A driftgate suite file: everything sits under `eval_suite:`."""

    eval_suite: Suite
    """The suite: its settings and its cases. The popular write-ups' files load unchanged."""
