"""A small real suite run through the real pipeline with a cheap `command` target."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftgate.results import RunResults
from driftgate.shard import Shard

from .shard_demo import write_suite


@pytest.fixture(scope="session")
def demo_suite(tmp_path_factory) -> Path:
    return write_suite(tmp_path_factory.mktemp("shard-demo"))


@pytest.fixture(scope="session")
def run_demo(st_model):
    """Run the real pipeline; a fresh Embedder per run so every run encodes its own batch."""
    from driftgate.pipeline import RunOptions, run
    from driftgate.score.embedder import Embedder

    def runner(config: Path, shard=None, **options):
        embedder = Embedder("all-MiniLM-L6-v2", model=st_model)
        options.setdefault("cache_mode", "off")
        options.setdefault("baseline_branch", None)
        return run(RunOptions(config=config, shard=shard, embedder=embedder, **options))

    return runner


@pytest.fixture(scope="session")
def unsharded(run_demo, demo_suite) -> RunResults:
    return run_demo(demo_suite)


@pytest.fixture(scope="session")
def shards(run_demo, demo_suite):
    cache: dict[int, list[RunResults]] = {}

    def get(total: int) -> list[RunResults]:
        if total not in cache:
            cache[total] = [run_demo(demo_suite, Shard(i, total)) for i in range(1, total + 1)]
        return cache[total]

    return get
