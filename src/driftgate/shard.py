"""Split the selected cases across N matrix jobs, the same way on every machine.

Rendezvous hashing with bounded loads: each case prefers the shards in the order of
hash(shard, case name); cases are placed one by one, in an order fixed by a hash of their
name, into the most preferred shard that still has room (at most ceil(cases / N) each).
The split depends on the set of names only, never on their order, so every job (and
`merge`) computes it alone; no shard holds more than its fair share; adding a case or a
shard moves few others (benchmarks/bench_shards.py prints how many).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from driftgate.errors import UsageError

MAX_SHARDS = 256
SHARD_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
OTHER_SHARD_REASON = "other shard ({owner}); this job runs shard {shard}"


@dataclass(frozen=True, order=True)
class Shard:
    """Shard `index` of `total`, 1-based like the `I/N` users write."""

    index: int
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """`I/N` → Shard, or a UsageError saying what a valid value looks like."""
    match = SHARD_PATTERN.match(str(text))
    if not match:
        raise UsageError(
            f"{source} {text!r}: expected I/N, e.g. 2/4 for the second of four shards "
            f"(in a matrix: `${{{{ matrix.shard }}}}/4` with `shard: [1, 2, 3, 4]`)"
        )
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or total > MAX_SHARDS:
        raise UsageError(f"{source} {text!r}: the number of shards must be 1 to {MAX_SHARDS}")
    if not 1 <= index <= total:
        raise UsageError(
            f"{source} {text!r}: the shard index must be 1 to {total} (shards count from 1, "
            f"so with `strategy.job-index` use job-index + 1)"
        )
    return Shard(index, total)


def assign(names: Iterable[str], total: int) -> dict[str, int]:
    """Each name's 1-based shard out of `total`; none gets more than ceil(len / total)."""
    unique = sorted(set(names), key=lambda name: (_weight(name, 0), name))
    capacity = math.ceil(len(unique) / total) if unique else 0
    load = [0] * (total + 1)
    owners: dict[str, int] = {}
    for name in unique:
        for index in preferences(name, total):
            if load[index] < capacity:
                load[index] += 1
                owners[name] = index
                break
    return owners


def preferences(name: str, total: int) -> list[int]:
    """The shards in the order this case prefers them (highest hash first)."""
    return sorted(range(1, total + 1), key=lambda index: (-_weight(name, index), index))


def split(names: Iterable[str], shard: Shard) -> list[str]:
    """The names (in their given order) that `shard` runs."""
    names = list(names)
    owners = assign(names, shard.total)
    return [name for name in names if owners[name] == shard.index]


def apply_shard(results, shard: Shard) -> None:
    """Hand the selected cases other shards own to them: unselected here, owner recorded.

    Every case stays in this shard's results, so `merge` can check that the shards cover
    the selection exactly once; unselected cases keep their own reason in every shard.
    """
    results.shard = str(shard)
    owners = assign((c.name for c in results.cases if c.selected), shard.total)
    for case in results.cases:
        owner = owners.get(case.name)
        if owner is not None and owner != shard.index:
            case.selected = False
            case.selection_reason = OTHER_SHARD_REASON.format(
                owner=Shard(owner, shard.total), shard=shard
            )
            case.run_by_shard = str(Shard(owner, shard.total))


def _weight(name: str, index: int) -> int:
    digest = hashlib.sha256(f"{index}\x00{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
