"""Target outputs through the cache, with a real `command` pipeline in a real git repository.

The pipeline logs every invocation, so "zero model calls on a warm run" and "only the
case whose trigger path changed re-runs" are counted, not assumed.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from driftgate.cache import Cache
from driftgate.config import load_suite
from driftgate.generate import generate_all
from driftgate.generate.cached import CachingGenerator, from_entry
from driftgate.generate.runner import Targets

PIPELINE = """
import json, os, sys
request = json.load(sys.stdin)
with open(os.environ["CALLS_LOG"], "a") as log:
    log.write(json.dumps({"case": request["case"], "sample": request["sample"]}) + "\\n")
if request["vars"].get("fail") == "yes":
    sys.exit("pipeline broke")
style = open("src/router/style.txt").read().strip()
print(json.dumps({"output": f"{style}: {request['prompt']} #{request['sample']}"}))
"""

SUITE = """
eval_suite:
  name: cache-suite
  target: {{type: command, command: "{python} pipeline.py"}}
  always_run_paths: [requirements.txt]
  samples: {samples}
  cases:
    - name: router
      prompt: "route {{ticket}}"
      vars: {{ticket: "refund please"}}
      expected: "billing"
      trigger_paths: ["src/router/**"]
    - name: summary
      prompt: "summarise {{ticket}}"
      vars: {{ticket: "refund please"}}
      expected: "a refund"
      trigger_paths: ["src/summary/**"]
    - name: anything
      prompt: "anything"
      expected: "x"
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write_suite(root: Path, samples: int = 1) -> Path:
    path = root / "llm-evals.yaml"
    path.write_text(SUITE.format(python=sys.executable, samples=samples))
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    for folder in ("src/router", "src/summary"):
        (root / folder).mkdir(parents=True)
    (root / "pipeline.py").write_text(textwrap.dedent(PIPELINE))
    (root / "src/router/style.txt").write_text("v1\n")
    (root / "src/summary/prompt.txt").write_text("s1\n")
    (root / "requirements.txt").write_text("anthropic==2.12.0\n")
    (root / "README.md").write_text("readme\n")
    write_suite(root)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    monkeypatch.setenv("CALLS_LOG", str(tmp_path / "calls.log"))
    return root


def calls(root: Path) -> list[tuple[str, int]]:
    log = root.parent / "calls.log"
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    log.unlink()
    return sorted((row["case"], row["sample"]) for row in rows)


def run(root: Path, mode: str = "read_write", cache_dir: Path | None = None, names=None):
    suite = load_suite(root / "llm-evals.yaml")
    cases = [c for c in suite.cases if names is None or c.name in names]
    targets = Targets(suite)
    cache = Cache(cache_dir or root.parent / "cache", mode)
    generations = generate_all(cases, targets, 4, generate=CachingGenerator(suite, targets, cache))
    return generations, cache


ALL = [("anything", 0), ("router", 0), ("summary", 0)]


def test_warm_run_makes_no_calls_and_returns_the_same_outputs(repo):
    cold, cache = run(repo)
    assert calls(repo) == ALL
    assert not any(g.cached for g in cold.values())
    assert (cache.stats("outputs").lookups, cache.stats("outputs").hits) == (3, 0)

    warm, cache = run(repo)
    assert calls(repo) == []
    assert all(g.cached and g.calls == 0 for g in warm.values())
    assert {k: g.output for k, g in warm.items()} == {k: g.output for k, g in cold.items()}
    assert warm[("router", 0)].latency_s == cold[("router", 0)].latency_s
    assert (cache.stats("outputs").lookups, cache.stats("outputs").hits) == (3, 3)


def test_a_trigger_path_edit_reruns_only_the_cases_it_can_affect(repo):
    run(repo)
    calls(repo)
    (repo / "src/router/style.txt").write_text("v2\n")  # unstaged, like a local edit
    generations, _ = run(repo)
    # router (its trigger path) and anything (no trigger_paths: depends on every file).
    assert calls(repo) == [("anything", 0), ("router", 0)]
    assert generations[("router", 0)].output.startswith("v2:")
    assert generations[("summary", 0)].cached

    (repo / "README.md").write_text("a file no case names\n")
    run(repo)
    assert calls(repo) == [("anything", 0)]


def test_an_always_run_path_edit_reruns_every_case(repo):
    run(repo)
    calls(repo)
    (repo / "requirements.txt").write_text("anthropic==2.13.0\n")
    run(repo)
    assert calls(repo) == ALL


ROUTER_TICKET = 'ticket: "refund please"}\n      expected: "billing"'


@pytest.mark.parametrize(
    ("old", "new", "expected_calls"),
    [
        (ROUTER_TICKET, ROUTER_TICKET.replace("refund please", "refund now"), [("router", 0)]),
        ("route {ticket}", "route this: {ticket}", [("router", 0)]),
        ("pipeline.py", "pipeline.py --v2", ALL),
    ],
    ids=["vars", "prompt", "command"],
)
def test_suite_edits_that_change_what_the_pipeline_receives_miss(repo, old, new, expected_calls):
    run(repo)
    calls(repo)
    suite = repo / "llm-evals.yaml"
    assert old in suite.read_text()
    suite.write_text(suite.read_text().replace(old, new))
    run(repo)
    assert calls(repo) == expected_calls


def test_an_expected_answer_edit_still_hits(repo):
    run(repo)
    calls(repo)
    suite = repo / "llm-evals.yaml"
    suite.write_text(suite.read_text().replace('expected: "billing"', 'expected: "Billing"'))
    run(repo, names=["router"])
    assert calls(repo) == []  # expected is scored, never sent: no reason to call again


def test_each_sample_has_its_own_entry(repo):
    write_suite(repo, samples=3)
    generations, cache = run(repo, names=["router"])
    assert calls(repo) == [("router", 0), ("router", 1), ("router", 2)]
    assert len({g.output for g in generations.values()}) == 3
    run(repo, names=["router"])
    assert calls(repo) == []
    write_suite(repo, samples=4)
    run(repo, names=["router"])
    assert calls(repo) == [("router", 3)]


def test_errors_are_not_cached(repo):
    suite = repo / "llm-evals.yaml"
    broken = 'ticket: "refund please", fail: "yes"}\n      expected: "a refund"'
    text = suite.read_text().replace('ticket: "refund please"}\n      expected: "a refund"', broken)
    assert broken in text
    suite.write_text(text)
    first, _ = run(repo, names=["summary"])
    assert first[("summary", 0)].error
    run(repo, names=["summary"])
    assert calls(repo) == [("summary", 0), ("summary", 0)]


def test_modes_off_and_read_only(repo):
    run(repo, mode="off")
    run(repo, mode="off")
    assert calls(repo) == sorted(ALL + ALL)

    run(repo, mode="read_only")
    assert calls(repo) == ALL
    run(repo)  # read_write stores
    calls(repo)
    _, cache = run(repo, mode="read_only")
    assert calls(repo) == []
    assert cache.stats("outputs").hits == 3


def test_outside_git_command_outputs_are_not_cached(tmp_path, monkeypatch):
    root = tmp_path / "plain"
    (root / "src/router").mkdir(parents=True)
    (root / "pipeline.py").write_text(textwrap.dedent(PIPELINE))
    (root / "src/router/style.txt").write_text("v1\n")
    write_suite(root)
    monkeypatch.setenv("CALLS_LOG", str(tmp_path / "calls.log"))
    run(root, names=["router"])
    _, cache = run(root, names=["router"])
    assert calls(root) == [("router", 0), ("router", 0)]
    assert any("not cached" in w for w in cache.warnings)


def test_a_corrupt_entry_is_recomputed(repo):
    cache_dir = repo.parent / "cache"
    run(repo, cache_dir=cache_dir)
    calls(repo)
    for entry in cache_dir.rglob("*.json"):
        entry.write_bytes(entry.read_bytes()[:10])
    generations, cache = run(repo, cache_dir=cache_dir)
    assert calls(repo) == ALL
    assert not any(g.error for g in generations.values())
    assert cache.corrupt == 3
    run(repo, cache_dir=cache_dir)
    assert calls(repo) == []


def test_entries_that_are_not_generations_are_ignored():
    assert from_entry({"output": 3}) is None
    assert from_entry({"nothing": "here"}) is None
    assert from_entry({"output": "ok", "tokens": {"input": "x"}}) is None
    assert from_entry({"output": "ok"}).cached
    assert from_entry({"output": "ok", "latency_s": 1.5, "tokens": {"input": 3}}).latency_s == 1.5


def _run_in_process(root: str, cache_dir: str, log: str) -> None:
    import os

    os.environ["CALLS_LOG"] = log
    generations, cache = run(Path(root), cache_dir=Path(cache_dir))
    assert not any(g.error for g in generations.values()), generations
    assert cache.corrupt == 0


def test_two_concurrent_runs_share_one_cache_dir(repo):
    cache_dir = repo.parent / "shared-cache"
    context = multiprocessing.get_context("spawn")
    logs = [str(repo.parent / f"calls-{i}.log") for i in range(2)]
    workers = [
        context.Process(target=_run_in_process, args=(str(repo), str(cache_dir), log))
        for log in logs
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    # Whatever interleaving happened, the store is complete and readable afterwards.
    _, cache = run(repo, cache_dir=cache_dir)
    assert calls(repo) == []
    assert cache.stats("outputs").hits == 3


@pytest.mark.parametrize(
    "tampered",
    [
        {"latency_s": "fast"},  # found: an internal error in the max_latency_s check
        {"latency_s": float("nan")},
        {"latency_s": -1.0},
        {"latency_s": True},
        {"tokens": {"input": float("inf")}},  # found: OverflowError made the case an error
        {"tokens": {"input": -3}},
        {"tokens": {"output": 2.5}},
        {"output": "   "},  # found: scored, although no target may answer nothing
        {"output": ""},
    ],
)
def test_an_entry_driftgate_could_not_have_written_is_recomputed(repo, tampered):
    """A cache entry whose checksum matches but whose values are not a generation's (a
    poisoned or foreign cache) is a miss: recomputed, never scored or crashed on."""
    cache_dir = repo.parent / "cache"
    run(repo, cache_dir=cache_dir)
    calls(repo)
    store = Cache(cache_dir)
    entries = list((cache_dir / "v1" / "outputs").rglob("*.json"))
    assert len(entries) == 3
    for path in entries:
        value = json.loads(path.read_text())["value"]
        store.put("outputs", path.stem, {**value, **tampered})
    generations, cache = run(repo, cache_dir=cache_dir)
    assert calls(repo) == ALL
    assert not any(g.error or g.cached for g in generations.values())
    assert cache.corrupt == 3
