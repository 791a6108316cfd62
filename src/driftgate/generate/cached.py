"""Target generation through the content-hash cache: a call whose inputs did not change is free.

Wraps `generate_one` for `generate_all(..., generate=...)`. Only successful outputs are
stored (an error is retried next run). `outputs` targets are not cached: reading a file
costs nothing and the file is the source of truth.
"""

from __future__ import annotations

import contextlib
import os
import threading

from driftgate.cache import Cache, RepoFiles, output_key
from driftgate.config import CaseSpec, MissingVariable, SuiteSpec
from driftgate.generate.base import Generation
from driftgate.generate.runner import Targets, generate_one
from driftgate.results import Tokens

ANTHROPIC_DEFAULT_URL = "https://api.anthropic.com"
NOT_GIT = (
    "cache: {problem}; outputs of `command` targets are not cached "
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
        identity = dict(runner.identity())
        kind = identity.get("type")
        files = name = None
        if kind == "anthropic":
            # The same model name behind another endpoint (a proxy, a fake) is another model.
            base_url = os.environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_DEFAULT_URL
            identity["base_url"] = base_url.rstrip("/")
        elif kind == "command":
            # The pipeline's code is an input too: hash what the case depends on.
            files = self.files.files_hash(case.trigger_paths, self.suite.always_run_paths)
            if files is None:
                self.cache.note(NOT_GIT.format(problem=self.files.problem))
                return None
            name = case.name  # the command receives the case name
        else:
            return None
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

    def __call__(self, case: CaseSpec, sample: int) -> Generation:
        key = self.key(case, sample)
        if key is None:
            return generate_one(self.targets, case, sample)
        with self._single_flight(key):
            generation = self.cache.get("outputs", key, parse=from_entry)
            if generation is not None:
                return generation
            generation = generate_one(self.targets, case, sample)
            if generation.error is None and generation.output is not None:
                self.cache.put("outputs", key, to_entry(generation))
            return generation

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
    """A cached generation keeps the original latency and tokens (for checks and savings)."""
    try:
        output = entry["output"]
        tokens = entry.get("tokens") or {}
        if not isinstance(output, str):
            return None
        return Generation(
            output=output,
            latency_s=entry.get("latency_s"),
            tokens=Tokens(input=int(tokens.get("input", 0)), output=int(tokens.get("output", 0))),
            model=entry.get("model"),
            cached=True,
            calls=0,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
