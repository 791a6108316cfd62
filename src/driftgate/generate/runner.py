"""Run every (case, sample) through its target concurrently, never losing a result."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config import CaseSpec, MissingVariable, SuiteSpec
from driftgate.config.schema import AnthropicTarget, CommandTarget, OutputsTarget
from driftgate.generate.anthropic_target import AnthropicRunner
from driftgate.generate.base import Generation
from driftgate.generate.command_target import DEFAULT_MAX_OUTPUT_CHARS, CommandRunner, cut
from driftgate.generate.outputs_target import OutputsFile

NO_TARGET = (
    "no target: add `target:` to the suite or the case (see docs/targets.md), "
    "or pass --outputs PATH"
)

EMPTY_OUTPUT = "the target printed nothing: its output is empty"


def make_target(
    spec,
    root: Path,
    suite_dir: Path,
    budget=None,
    tracer=None,
    max_output_chars=None,
    anthropic: AnthropicSettings | None = None,
):
    if isinstance(spec, CommandTarget):
        return CommandRunner(spec, root, max_output_chars or DEFAULT_MAX_OUTPUT_CHARS)
    if isinstance(spec, OutputsTarget):
        return OutputsFile(spec, root, suite_dir)
    if isinstance(spec, AnthropicTarget):
        return AnthropicRunner(spec, anthropic or AnthropicSettings(), budget, tracer)
    raise TypeError(f"unknown target {spec!r}")


class Targets:
    """One runner per distinct target spec, so an outputs file is read once per run."""

    def __init__(
        self,
        suite: SuiteSpec,
        override=None,
        budget=None,
        tracer=None,
        anthropic: AnthropicSettings | None = None,
    ):
        self.suite = suite
        self.override = override
        # key and base URL for `anthropic` targets, read by the edges (cli, action)
        self.anthropic = anthropic or AnthropicSettings()
        self.budget = budget  # cost.Budget and traces.TraceWriter for API targets
        self.tracer = tracer
        self._runners: dict[str, object] = {}

    def close(self) -> None:
        """Release API clients' connections (the anthropic runner's)."""
        for runner in self._runners.values():
            close = getattr(runner, "close", None)
            if close is not None:
                close()

    def warnings(self) -> list[str]:
        """What the runners noticed beyond single cases (an outputs line for no case)."""
        names = [case.name for case in self.suite.cases]
        out: list[str] = []
        for runner in self._runners.values():
            check = getattr(runner, "unknown_case_warnings", None)
            if check is not None:
                out += check(names)
        return out

    def for_case(self, case: CaseSpec):
        spec = self.override or case.target
        if spec is None:
            return None
        key = spec.model_dump_json()
        if key not in self._runners:
            self._runners[key] = make_target(
                spec,
                self.suite.root,
                self.suite.path.parent,
                self.budget,
                self.tracer,
                self.suite.max_output_chars,
                self.anthropic,
            )
        return self._runners[key]


def generate_one(targets: Targets, case: CaseSpec, sample: int) -> Generation:
    runner = targets.for_case(case)
    if runner is None:
        return Generation.failed(NO_TARGET)
    try:
        generation = runner.generate(case, sample)
    except MissingVariable as exc:
        return Generation.failed(str(exc))
    except Exception as exc:  # a target bug must not sink the other cases
        return Generation.failed(f"target failed: {exc.__class__.__name__}: {exc}")
    return within_contract(generation, targets.suite.max_output_chars)


def within_contract(generation: Generation, max_output_chars: int) -> Generation:
    """Every target's output, whatever produced it: never empty, never past the cap."""
    if generation.error is not None:
        return generation
    if generation.output is None or not generation.output.strip():
        return replace(generation, output=None, error=EMPTY_OUTPUT)
    warnings = list(generation.warnings)
    output = cut(generation.output, max_output_chars, warnings)
    if output is generation.output:
        return generation
    return replace(generation, output=output, warnings=tuple(warnings))


def generate_all(
    cases: list[CaseSpec],
    targets: Targets,
    concurrency: int,
    on_done: Callable[[CaseSpec, int, Generation], None] | None = None,
    generate: Callable[[CaseSpec, int], Generation] | None = None,
) -> dict[tuple[str, int], Generation]:
    """Every sample of every case; results keyed by (case name, sample index)."""
    generate = generate or (lambda case, sample: generate_one(targets, case, sample))
    jobs = [(case, sample) for case in cases for sample in range(case.samples)]
    results: dict[tuple[str, int], Generation] = {}
    if not jobs:
        return results
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(jobs)))) as pool:
        futures = {pool.submit(generate, case, sample): (case, sample) for case, sample in jobs}
        for future in as_completed(futures):
            case, sample = futures[future]
            try:
                generation = future.result()
            except Exception as exc:
                generation = Generation.failed(f"{exc.__class__.__name__}: {exc}")
            results[(case.name, sample)] = generation
            if on_done:
                on_done(case, sample, generation)
    return results
