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
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FileRef(Strict):
    """`{file: path}`: text read from a file relative to the suite file, inside the repo."""

    file: str = Field(min_length=1)


VarValue = str | int | float | bool | FileRef


class CommandTarget(Strict):
    """The team's own pipeline, run as a subprocess per case and sample."""

    type: Literal["command"]
    command: str = Field(min_length=1)
    timeout_s: PositiveFloat = 60.0


class OutputsTarget(Strict):
    """Outputs an earlier workflow step produced, one JSON object per line."""

    type: Literal["outputs"]
    path: str = Field(min_length=1)


class AnthropicTarget(Strict):
    """A prompt sent straight to Claude through the anthropic SDK."""

    type: Literal["anthropic"]
    model: str = Field(min_length=1)
    max_tokens: Annotated[int, Field(ge=1)] = 1024
    temperature: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    system: str | None = None
    timeout_s: PositiveFloat = 60.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2


Target = Annotated[CommandTarget | OutputsTarget | AnthropicTarget, Field(discriminator="type")]


class Checks(Strict):
    """Plain assertions on the output: free, deterministic, run before any judge call."""

    contains: Strings = []
    not_contains: Strings = []
    case_insensitive: bool = False
    regex: Strings = []
    json_schema: dict | None = None
    max_length: Annotated[int, Field(ge=0)] | None = None
    max_latency_s: PositiveFloat | None = None

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
    rubric: str = DEFAULT_RUBRIC
    pass_score: Annotated[int, Field(ge=1, le=5)] = 4
    policy: JudgePolicy = "critical"
    max_tokens: Annotated[int, Field(ge=64)] = 512
    required: bool = False
    timeout_s: PositiveFloat = 60.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2


class GateConfig(Strict):
    """When the run fails: pass rate, regressions, latency and cost growth."""

    min_pass_rate: Unit = 1.0
    fail_on_regression: bool = False
    max_latency_increase: NonNegativeFloat | None = None
    max_cost_increase: NonNegativeFloat | None = None
    # The chance that an unchanged run is not blocked by noise, across all its cases.
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.995


class Price(Strict):
    """USD per million tokens."""

    input: NonNegativeFloat
    output: NonNegativeFloat


class MonitorTask(Strict):
    """What production samples of one task must satisfy, without a reference answer."""

    description: str | None = None
    checks: Checks | None = None
    rubric: str | None = None
    judge: bool | None = None
    check_grounding: bool = True
    grounding_threshold: Unit | None = None
    min_grounding_ratio: Unit | None = None
    grounding_mode: GroundingMode | None = None


class MonitorConfig(Strict):
    """`driftgate monitor`: reference-free checks per `task` label of production samples."""

    tasks: dict[str, MonitorTask] = {}
    fail_on_rate: Unit | None = None


class Case(Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    prompt: str = ""
    expected: str = Field(min_length=1)
    context: str | FileRef | None = None
    vars: dict[str, VarValue] = {}
    target: Target | None = None
    min_similarity: Unit | None = None
    check_grounding: bool = False
    grounding_threshold: Unit | None = None
    min_grounding_ratio: Unit | None = None
    grounding_mode: GroundingMode | None = None
    grounding_method: GroundingMethod | None = None
    critical: bool = False
    tags: Strings = []
    trigger_paths: Strings | None = None
    samples: Annotated[int, Field(ge=1, le=100)] | None = None
    max_samples: Annotated[int, Field(ge=1, le=100)] | None = None
    max_drop: Unit | None = None
    noise_sd: Unit | None = None
    noise_samples: Annotated[int, Field(ge=2)] | None = None
    checks: Checks | None = None
    judge: bool | None = None
    rubric: str | None = None
    task: str | None = None

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
    name: str = Field(min_length=1)
    description: str | None = None
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    default_threshold: Unit = 0.80
    grounding_threshold: Unit = 0.60  # measured: docs/grounding.md
    min_grounding_ratio: Unit = 0.85
    grounding_mode: GroundingMode = "chunked"
    grounding_method: GroundingMethod = "embedding"
    target: Target | None = None
    gate: GateConfig = GateConfig()
    samples: Annotated[int, Field(ge=1, le=100)] = 1
    max_samples: Annotated[int, Field(ge=1, le=100)] | None = None
    pass_at_k: list[Annotated[int, Field(ge=1)]] = []
    max_drop: Unit | None = None
    always_run_paths: list[str] = []
    untriggered: Literal["always", "full_only"] = "always"
    judge: JudgeConfig = JudgeConfig()
    pricing: dict[str, Price] = {}
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    # The longest output scored; longer ones are cut with a warning (docs/gate.md).
    max_output_chars: Annotated[int, Field(ge=1)] = 1_000_000
    cache: Literal["read_write", "read_only", "off"] = "read_write"
    monitor: MonitorConfig = MonitorConfig()
    cases: list[Case] = Field(min_length=1)


class SuiteFile(Strict):
    eval_suite: Suite
