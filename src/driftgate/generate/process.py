"""Run one shell command with bounded memory and no survivors.

The command runs in a session of its own, so its whole process group can be killed on a
timeout and no grandchild outlives the run. stdout is read as it streams and kept only up
to a byte limit (the rest is counted and dropped); stderr keeps only its tail. The command
is done when its own process exits: a background child that still holds the pipes gets a
short grace to finish writing, then its group is killed instead of the case timing out.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

CHUNK = 64 * 1024
STDERR_TAIL_BYTES = 8 * 1024
COLLECT_GRACE_S = 0.5  # after the command exits, for what its children are still writing


@dataclass(frozen=True)
class Finished:
    returncode: int | None  # None: timed out (the group was killed)
    stdout: bytes  # at most the limit's bytes
    stdout_total: int  # every byte the command wrote to stdout
    stderr_tail: bytes
    latency_s: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def stdout_cut(self) -> bool:
        return self.stdout_total > len(self.stdout)


class _Reader(threading.Thread):
    """Drains a pipe so the writer never blocks; keeps the head (stdout) or the tail."""

    def __init__(self, pipe, keep: int, tail: bool):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.keep = keep
        self.tail = tail
        self.total = 0
        self._head = bytearray()
        self._tail: deque[bytes] = deque()
        self._tail_size = 0

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(CHUNK):
                self.total += len(chunk)
                if self.tail:
                    self._tail.append(chunk)
                    self._tail_size += len(chunk)
                    while self._tail_size - len(self._tail[0]) >= self.keep:
                        self._tail_size -= len(self._tail.popleft())
                elif len(self._head) < self.keep:
                    self._head += chunk[: self.keep - len(self._head)]

    def data(self) -> bytes:
        if self.tail:
            data = b"".join(self._tail)[-self.keep :]
            # cut in the middle of a character: drop its continuation bytes
            return data.lstrip(bytes(range(0x80, 0xC0))) if self.total > self.keep else data
        return bytes(self._head)


def run_command(
    command: str, cwd: Path, stdin: bytes, timeout_s: float, max_stdout_bytes: int, env=None
) -> Finished:
    """Run `command` through the shell; never raises for what the command itself does."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env if env is not None else os.environ.copy(),
        start_new_session=True,  # its own process group: killed as one on a timeout
    )
    out = _Reader(process.stdout, max_stdout_bytes, tail=False)
    err = _Reader(process.stderr, STDERR_TAIL_BYTES, tail=True)
    writer = threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True)
    for thread in (out, err, writer):
        thread.start()
    limit = timeout_s if math.isfinite(timeout_s) else None
    try:
        returncode: int | None = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        returncode = None
        _kill_group(process.pid)
        process.wait()
    latency = time.perf_counter() - started
    # Done when its own process exits; give children a moment to finish their writes,
    # then end whoever still holds the pipes so the readers (and the run) can finish.
    deadline = time.monotonic() + COLLECT_GRACE_S
    for thread in (out, err):
        thread.join(max(0.0, deadline - time.monotonic()))
    if out.is_alive() or err.is_alive():
        _kill_group(process.pid)
        for thread in (out, err):
            thread.join(COLLECT_GRACE_S)
    for thread, pipe in ((out, process.stdout), (err, process.stderr)):
        if not thread.is_alive():  # a reader still blocked (a child that left the group) keeps it
            with contextlib.suppress(OSError):
                pipe.close()
    return Finished(returncode, out.data(), out.total, err.data(), latency)


def _feed(pipe, data: bytes) -> None:
    """Send the request; a command that never reads stdin is not an error."""
    with contextlib.suppress(OSError, ValueError):
        pipe.write(data)
    with contextlib.suppress(OSError, ValueError):
        pipe.close()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
