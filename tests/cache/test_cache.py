"""The content-hash cache: keys that must miss, keys that must hit, a store that never crashes."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from driftgate.cache import (
    Cache,
    RepoFiles,
    embedding_key,
    format_hit_rate,
    judge_key,
    output_key,
)
from driftgate.results import CacheStats

ANTHROPIC = {
    "type": "anthropic",
    "model": "claude-haiku-4-5",
    "temperature": 0.0,
    "max_tokens": 512,
    "system": None,
}
COMMAND = {"type": "command", "command": "python pipeline.py"}


def base_request(**overrides):
    request = {
        "prompt": "Summarise: the build failed",
        "vars": {"ticket": "the build failed"},
        "context": "CI logs",
        "sample": 0,
        "files": None,
    }
    request.update(overrides)
    return request


# -- keys -----------------------------------------------------------------------------------


def test_output_key_is_stable_and_ignores_mapping_order():
    a = output_key(dict(ANTHROPIC), **base_request(vars={"a": "1", "b": "2"}))
    b = output_key(dict(reversed(ANTHROPIC.items())), **base_request(vars={"b": "2", "a": "1"}))
    assert a == b
    assert len(a) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"target": {**ANTHROPIC, "model": "claude-sonnet-4-5"}},
        {"target": {**ANTHROPIC, "temperature": 0.7}},
        {"target": {**ANTHROPIC, "max_tokens": 1024}},
        {"target": {**ANTHROPIC, "system": "Be terse."}},
        {"target": COMMAND},
        {"target": {**COMMAND, "command": "python pipeline.py --v2"}},
        {"prompt": "Summarise: the build failed!"},
        {"vars": {"ticket": "the build passed"}},
        {"vars": {"ticket": "the build failed", "extra": "x"}},
        {"context": "CI logs, again"},
        {"context": None},
        {"sample": 1},
        {"files": "0" * 64},
        {"case": "renamed"},
    ],
)
def test_output_key_misses_when_anything_that_changes_the_output_changes(change):
    before = output_key(ANTHROPIC, **base_request())
    target = change.pop("target", ANTHROPIC)
    assert output_key(target, **base_request(**change)) != before


def test_judge_key_depends_on_every_input():
    base = dict(
        model="claude-sonnet-4-5",
        rubric="5: perfect",
        template_version="1",
        output="An answer.",
        context="ctx",
    )
    key = judge_key(**base)
    assert judge_key(**dict(base)) == key
    for name, value in [
        ("model", "claude-opus-4-1"),
        ("rubric", "5: flawless"),
        ("template_version", "2"),
        ("output", "Another answer."),
        ("context", None),
    ]:
        assert judge_key(**{**base, name: value}) != key, name
    assert judge_key(**base, task="triage") != key
    assert judge_key(**base, task="triage") == judge_key(**base, task="triage")


def test_embedding_key_depends_on_model_and_text():
    key = embedding_key("all-MiniLM-L6-v2", "hello")
    assert key == embedding_key("all-MiniLM-L6-v2", "hello")
    assert key != embedding_key("all-MiniLM-L6-v2", "hello ")
    assert key != embedding_key("all-mpnet-base-v2", "hello")


# -- store ----------------------------------------------------------------------------------


def test_put_then_get_hits_and_counts(tmp_path):
    cache = Cache(tmp_path)
    key = output_key(ANTHROPIC, **base_request())
    assert cache.get("outputs", key) is None
    cache.put("outputs", key, {"output": "Build failed on step 3.", "tokens": {"input": 10}})
    assert cache.get("outputs", key) == {
        "output": "Build failed on step 3.",
        "tokens": {"input": 10},
    }
    assert cache.stats("outputs") == CacheStats(lookups=2, hits=1)
    assert cache.stats("judge") == CacheStats(lookups=0, hits=0)
    # A second process (a new instance) reads what the first wrote.
    assert Cache(tmp_path).get("outputs", key)["output"] == "Build failed on step 3."


def test_entries_are_readable_by_other_users_as_open_would_make_them(tmp_path):
    """The action runs as root in its container; the runner's user saves the cache afterwards."""
    cache = Cache(tmp_path)
    key = output_key(ANTHROPIC, **base_request())
    cache.put("outputs", key, {"output": "x"})
    (entry,) = tmp_path.rglob("*.json")
    mask = os.umask(0)
    os.umask(mask)
    assert entry.stat().st_mode & 0o777 == 0o666 & ~mask
    assert entry.stat().st_mode & 0o004  # world-readable under the usual umask 022


def test_an_entry_the_caller_cannot_use_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.put("outputs", "k1", {"output": 3})
    parse = lambda v: v["output"] if isinstance(v["output"], str) else None  # noqa: E731
    assert cache.get("outputs", "k1", parse=parse) is None
    cache.put("outputs", "k2", {"output": "fine"})
    assert cache.get("outputs", "k2", parse=parse) == "fine"
    assert cache.stats("outputs") == CacheStats(lookups=2, hits=1)
    assert cache.corrupt == 1


def test_read_only_reads_but_never_writes(tmp_path):
    Cache(tmp_path).put("judge", "k1", {"score": 5})
    cache = Cache(tmp_path, "read_only")
    assert cache.get("judge", "k1") == {"score": 5}
    cache.put("judge", "k2", {"score": 4})
    assert cache.get("judge", "k2") is None
    assert not cache.path("judge", "k2").exists()
    assert cache.stats("judge") == CacheStats(lookups=2, hits=1)


def test_off_neither_reads_nor_writes_nor_counts(tmp_path):
    Cache(tmp_path).put("judge", "k1", {"score": 5})
    cache = Cache(tmp_path, "off")
    assert cache.get("judge", "k1") is None
    cache.put("judge", "k3", {"score": 1})
    assert not cache.path("judge", "k3").exists()
    assert cache.stats("judge") == CacheStats()


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="read_write, read_only, off"):
        Cache(tmp_path, "sometimes")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated mid-write by a killed process
        lambda raw: b"",
        lambda raw: b"\x00\xff garbage",
        lambda raw: raw.replace(b"Build", b"Bxild"),  # value altered: checksum mismatch
        lambda raw: json.dumps({"format": 1, "value": []}).encode(),
        lambda raw: b"[1, 2, 3]",
        lambda raw: raw.replace(b'"format":1', b'"format":999'),
    ],
)
def test_corrupt_entries_are_misses_and_get_rewritten(tmp_path, damage):
    cache = Cache(tmp_path)
    cache.put("outputs", "abcdef", {"output": "Build failed."})
    path = cache.path("outputs", "abcdef")
    path.write_bytes(damage(path.read_bytes()))

    assert cache.get("outputs", "abcdef") is None
    assert cache.corrupt == 1
    cache.put("outputs", "abcdef", {"output": "Build failed again."})
    assert cache.get("outputs", "abcdef") == {"output": "Build failed again."}


def test_an_entry_stored_under_another_key_is_not_served(tmp_path):
    cache = Cache(tmp_path)
    cache.put("outputs", "aa11", {"output": "one"})
    # A file copied to the wrong name (e.g. a broken restore) must not answer for it.
    other = cache.path("outputs", "aa22")
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_bytes(cache.path("outputs", "aa11").read_bytes())
    assert cache.get("outputs", "aa22") is None


def test_unwritable_cache_dir_is_a_warning_not_a_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = Cache(blocker / "cache")
    cache.put("outputs", "abcd", {"output": "x"})
    assert cache.get("outputs", "abcd") is None
    assert cache.warnings and "cannot write" in cache.warnings[0]


def test_vectors_round_trip_exactly(tmp_path):
    cache = Cache(tmp_path)
    rng = np.random.default_rng(7)
    vectors = {"a": rng.normal(size=384), "b": rng.normal(size=384)}
    vectors = {t: v / np.linalg.norm(v) for t, v in vectors.items()}  # as the embedder's
    cache.put_vectors("m", vectors)
    found = Cache(tmp_path).get_vectors("m", ["a", "b", "c", "a"])
    assert set(found) == {"a", "b"}
    assert np.array_equal(found["a"], vectors["a"])
    assert np.array_equal(found["b"], vectors["b"])
    assert Cache(tmp_path).get_vectors("other-model", ["a"]) == {}


def test_prune_drops_entries_unused_for_a_month_and_a_hit_keeps_one_alive(tmp_path):
    cache = Cache(tmp_path)
    for key in ("old1", "old2", "used", "new"):
        cache.put("outputs", key, {"output": key})
    month_ago = time.time() - 31 * 86400
    for key in ("old1", "old2", "used"):
        os.utime(cache.path("outputs", key), (month_ago, month_ago))
    stray = cache.path("outputs", "old1").parent / ".tmp-killed.json"
    stray.write_text("{")
    os.utime(stray, (month_ago, month_ago))

    assert cache.get("outputs", "used") == {"output": "used"}  # refreshes its mtime
    assert Cache(tmp_path, "read_only").prune() == 0
    assert cache.prune() == 3
    assert [k for k in ("old1", "old2", "used", "new") if cache.path("outputs", k).exists()] == [
        "used",
        "new",
    ]
    assert not stray.exists()


# -- concurrency ----------------------------------------------------------------------------


def _writer(directory: str, worker: int, rounds: int) -> None:
    cache = Cache(directory)
    for i in range(rounds):
        # Both processes write the same keys (a race) and their own keys.
        shared = {"output": f"shared {i % 20}", "pad": "x" * 2000}
        cache.put("outputs", f"shared{i % 20:04d}", shared)
        cache.put("outputs", f"own{worker}-{i:04d}", {"output": f"{worker}:{i}"})
        value = cache.get("outputs", f"shared{(i * 7) % 20:04d}")
        if value is not None:
            assert value["output"] == f"shared {(i * 7) % 20}"
    assert cache.corrupt == 0


def test_two_processes_share_one_cache_dir(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), w, 200)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]

    cache = Cache(tmp_path)
    for i in range(20):
        assert cache.get("outputs", f"shared{i:04d}")["output"] == f"shared {i}"
    for w in range(2):
        assert cache.get("outputs", f"own{w}-0199") == {"output": f"{w}:199"}
    assert cache.corrupt == 0
    leftovers = [p for p in Path(tmp_path).rglob(".tmp-*")]
    assert leftovers == []


# -- hit rate -------------------------------------------------------------------------------


def test_hit_rate_arithmetic(tmp_path):
    cache = Cache(tmp_path)
    for i in range(3):
        cache.put("judge", f"k{i}", {"score": i})
    for i in range(8):
        cache.get("judge", f"k{i}")
    stats = cache.stats("judge")
    assert (stats.lookups, stats.hits) == (8, 3)
    assert stats.hit_rate == pytest.approx(0.375)
    assert format_hit_rate(stats) == "3/8 hits (38%)"
    assert CacheStats().hit_rate is None
    assert format_hit_rate(CacheStats()) == "no lookups"


# -- repository files -----------------------------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "src/router").mkdir(parents=True)
    (root / "src/summary").mkdir(parents=True)
    (root / "src/router/route.py").write_text("ROUTES = 1\n")
    (root / "src/summary/sum.py").write_text("LEN = 3\n")
    (root / "requirements.txt").write_text("anthropic==2.12.0\n")
    (root / "README.md").write_text("hi\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    return root


def test_files_hash_follows_the_content_of_trigger_paths(repo):
    before = RepoFiles(repo)
    router = before.files_hash(["src/router/**"], ["requirements.txt"])
    summary = before.files_hash(["src/summary/**"], ["requirements.txt"])
    everything = before.files_hash(None)
    assert router and summary and everything
    assert router != summary

    # An unstaged edit of a router file: router cases miss, summary cases still hit.
    (repo / "src/router/route.py").write_text("ROUTES = 2\n")
    after = RepoFiles(repo)
    assert after.files_hash(["src/router/**"], ["requirements.txt"]) != router
    assert after.files_hash(["src/summary/**"], ["requirements.txt"]) == summary
    assert after.files_hash(None) != everything  # a case without trigger_paths depends on all

    # Staging the same edit gives the same hash as the unstaged one.
    git(repo, "add", "src/router/route.py")
    assert RepoFiles(repo).files_hash(["src/router/**"], ["requirements.txt"]) == after.files_hash(
        ["src/router/**"], ["requirements.txt"]
    )

    # A change in an always_run path reaches every case.
    (repo / "requirements.txt").write_text("anthropic==2.13.0\n")
    latest = RepoFiles(repo)
    assert latest.files_hash(["src/summary/**"], ["requirements.txt"]) != summary

    # Files nobody depends on don't matter.
    (repo / "README.md").write_text("changed\n")
    assert RepoFiles(repo).files_hash(["src/summary/**"], ["requirements.txt"]) == (
        latest.files_hash(["src/summary/**"], ["requirements.txt"])
    )


def test_files_hash_follows_the_git_attributes_that_write_the_files(repo):
    """`.gitattributes` decide the bytes a checkout writes (`working-tree-encoding`, `eol`,
    `ident`) with the blobs unchanged: a PR adding one changed what the pipeline reads, and
    its cases hit the outputs cached for the old bytes."""
    router = RepoFiles(repo).files_hash(["src/router/**"])
    (repo / ".gitattributes").write_text("src/router/** working-tree-encoding=UTF-16\n")
    git(repo, "add", ".gitattributes")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "attributes")
    (repo / "src/router/route.py").unlink()
    git(repo, "checkout", "--", "src/router/route.py")  # as a fresh checkout writes it
    assert (repo / "src/router/route.py").read_bytes() != b"ROUTES = 1\n"
    assert RepoFiles(repo).files_hash(["src/router/**"]) != router


def test_files_hash_sees_deletions_and_negations(repo):
    spec = ["src/**", "!src/summary/**"]
    before = RepoFiles(repo).files_hash(spec)
    (repo / "src/summary/sum.py").write_text("LEN = 4\n")
    assert RepoFiles(repo).files_hash(spec) == before  # excluded by the negation
    os.remove(repo / "src/router/route.py")
    assert RepoFiles(repo).files_hash(spec) != before


def test_files_hash_outside_git_is_none(tmp_path):
    files = RepoFiles(tmp_path)
    assert files.files_hash(["**"]) is None
    assert files.problem
