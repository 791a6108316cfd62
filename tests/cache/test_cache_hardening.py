"""The cache never hangs or floods the log: non-regular entries are misses, an unwritable
folder is one warning."""

from __future__ import annotations

import os
import threading

from driftgate.cache import Cache, digest


def test_a_fifo_at_an_entry_path_is_a_miss_not_a_hang(tmp_path):
    cache = Cache(tmp_path / "cache")
    key = digest({"k": 1})
    path = cache.path("outputs", key)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    got = []
    reader = threading.Thread(target=lambda: got.append(cache.get("outputs", key)), daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO cache entry blocked"
    assert got == [None]
    assert "not a regular file" in cache.warnings[0]


def test_a_folder_at_an_entry_path_is_a_miss(tmp_path):
    cache = Cache(tmp_path / "cache")
    key = digest({"k": 2})
    cache.path("judge", key).mkdir(parents=True)
    assert cache.get("judge", key) is None


def test_an_unwritable_cache_dir_warns_once(tmp_path):
    (tmp_path / "file.txt").write_text("not a folder")
    cache = Cache(tmp_path / "file.txt" / "cache")
    for i in range(20):
        cache.put("outputs", digest({"i": i}), {"output": "x"})
    assert len(cache.warnings) == 1
    assert cache.warnings[0].startswith(f"cache: cannot write to {tmp_path / 'file.txt' / 'cache'}")
