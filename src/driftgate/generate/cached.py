"""Target generation through the content-hash cache: a call whose inputs did not change is free.

Wraps `generate_one` for `generate_all(..., generate=...)`. Only successful outputs are
stored (an error is retried next run).

Outputs read from a file (`--outputs`, the plan → generate → score flow) are keyed as the
team's pipeline's outputs (`pipeline_key`): a line in the file wins and is stored, a request
without a line is answered from the cache (`driftgate plan` left it out because it was
there), and one with neither is that case's error.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import replace

from driftgate.cache import Cache, RepoFiles, entry_tokens, output_key
from driftgate.config import CaseSpec, MissingVariable, SuiteSpec
from driftgate.config.schema import CommandTarget
from driftgate.generate.base import Generation
from driftgate.generate.outputs_target import OutputsFile
from driftgate.generate.runner import Targets, generate_one

NOT_GIT = (
    "cache: {problem}; outputs of `command` targets and outputs files are not cached "
    "(their key needs the content of the case's trigger_paths)"
)


class CachingGenerator:
    """`(case, sample) -> Generation`, answering from the cache when the key matches."""

    def __init__(self, suite: SuiteSpec, targets: Targets, cache: Cache, git=None):
        self.suite = suite
        self.targets = targets
        self.cache = cache
        self.files = RepoFiles(suite.root, ignore=[suite.relpath], git=git)
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    def key(self, case: CaseSpec, sample: int) -> str | None:
        """The output key, or None when this output must not be cached."""
        runner = self.targets.for_case(case)
        if runner is None or not self.cache.enabled:
            return None
        if isinstance(runner, OutputsFile):
            return self.pipeline_key(case, sample)
        identity = dict(runner.identity())
        kind = identity.get("type")
        if kind == "anthropic":
            # The same model name behind another endpoint (a proxy, a fake) is another model.
            identity["base_url"] = self.targets.anthropic.endpoint
            return self._output_key(identity, case, sample)
        if kind == "command":
            return self.pipeline_key(case, sample)
        return None

    def pipeline_key(self, case: CaseSpec, sample: int) -> str | None:
        """The key of what the team's own pipeline answers for this request.

        The pipeline's code is an input too: the key hashes the files the case depends on.
        A case whose suite target is a `command` gets that command's key, so outputs made by
        the same script in the workflow's own job and inside the container share entries.
        """
        if not self.cache.enabled:
            return None
        files = self.files.files_hash(case.trigger_paths, self.suite.always_run_paths)
        if files is None:
            self.cache.note(NOT_GIT.format(problem=self.files.problem))
            return None
        if isinstance(case.target, CommandTarget):
            identity = {"type": "command", "command": case.target.command}
        else:
            identity = {"type": "pipeline"}
        # The pipeline receives the case name, so it is part of the key.
        return self._output_key(identity, case, sample, files=files, name=case.name)

    def _output_key(self, identity, case, sample, files=None, name=None) -> str | None:
        try:
            prompt = case.render_prompt() if case.prompt else ""
        except MissingVariable:
            return None  # the target reports it as this case's error
        return output_key(
            identity,
            prompt=prompt,
            vars=case.vars,
            context=case.context,
            sample=sample,
            files=files,
            case=name,
        )

    def cached(self, key: str) -> Generation | None:
        return self.cache.get("outputs", key, parse=from_entry)

    def __call__(self, case: CaseSpec, sample: int) -> Generation:
        key = self.key(case, sample)
        runner = self.targets.for_case(case)
        if isinstance(runner, OutputsFile):
            return self._from_file(runner, case, sample, key)
        if key is None:
            return generate_one(self.targets, case, sample)
        with self._single_flight(key):
            generation = self.cached(key)
            if generation is not None:
                return generation
            generation = generate_one(self.targets, case, sample)
            if generation.error is None and generation.output is not None:
                self.cache.put("outputs", key, to_entry(generation))
            return generation

    def _from_file(self, runner: OutputsFile, case: CaseSpec, sample: int, key) -> Generation:
        """The file's line first (and store it), else the cache, else this request's error."""
        if runner.has_output(case.name, sample) or key is None:
            generation = generate_one(self.targets, case, sample)
            if key is not None and generation.error is None and generation.output is not None:
                self.cache.put("outputs", key, to_entry(generation))
            return generation
        generation = self.cached(key)
        if generation is not None:
            return generation
        missing = generate_one(self.targets, case, sample)
        return replace(
            missing,
            error=f"{missing.error}, and no cached output either: the plan asked for it "
            f"(`driftgate plan`), so the generation step must write it",
        )

    @contextlib.contextmanager
    def _single_flight(self, key: str):
        """Two cases sending the identical request in one run: the second waits, then hits."""
        with self._lock:
            lock = self._flights.setdefault(key, threading.Lock())
        with lock:
            yield


def to_entry(generation: Generation) -> dict:
    return {
        "output": generation.output,
        "latency_s": generation.latency_s,
        "tokens": {"input": generation.tokens.input, "output": generation.tokens.output},
        "model": generation.model,
    }


def from_entry(entry: dict) -> Generation | None:
    """A cached generation keeps the original latency and tokens (for checks and savings).

    An entry driftgate could not have written (an empty output, a latency that is not a
    finite number of seconds, a token count that is not a whole number) is a miss: a
    tampered or foreign cache is recomputed, never scored or crashed on."""
    try:
        output = entry["output"]
        latency = entry.get("latency_s")
        if not isinstance(output, str) or not output.strip():
            return None
        if latency is not None and not _seconds(latency):
            return None
        return Generation(
            output=output,
            latency_s=latency,
            tokens=entry_tokens(entry),
            model=entry.get("model"),
            cached=True,
            calls=0,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _seconds(value) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )
