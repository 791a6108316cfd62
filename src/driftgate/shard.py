"""Split the selected cases across N matrix jobs, the same way on every machine.

Rendezvous hashing with bounded loads: each case prefers the shards in the order of
hash(shard, case name); cases are placed one by one, heaviest (most samples) first and
otherwise in an order fixed by a hash of their name, into the most preferred shard that
still has room for its fair share of the work. The split depends on the set of cases and
their samples only, never on their order, so every job computes it alone; adding a case or
a shard moves few others (benchmarks/bench_shards.py prints how many).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
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


def assign(names: Iterable[str] | Mapping[str, int], total: int) -> dict[str, int]:
    """Each name's 1-based shard out of `total`. Weights (a case's samples) make a shard's
    load the work it does; heavier cases are placed first, each in its most preferred shard
    with room under ceil(total weight / total), else the least loaded. With equal weights
    no shard gets more than ceil(len / total)."""
    weights = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names, 1)
    order = sorted(weights, key=lambda name: (-weights[name], _weight(name, 0), name))
    capacity = math.ceil(sum(weights.values()) / total) if weights else 0
    load = [0] * (total + 1)
    owners: dict[str, int] = {}
    for name in order:
        ranked = preferences(name, total)
        index = next(
            (i for i in ranked if load[i] + weights[name] <= capacity),
            min(ranked, key=lambda i: load[i]),
        )
        load[index] += weights[name]
        owners[name] = index
    return owners


def preferences(name: str, total: int) -> list[int]:
    """The shards in the order this case prefers them (highest hash first)."""
    return sorted(range(1, total + 1), key=lambda index: (-_weight(name, index), index))


def split(names: Iterable[str], shard: Shard) -> list[str]:
    """The names (in their given order) that `shard` runs."""
    names = list(names)
    owners = assign(names, shard.total)
    return [name for name in names if owners[name] == shard.index]


def apply_shard(results, shard: Shard, weights: Mapping[str, int] | None = None) -> None:
    """Hand the selected cases other shards own to them: unselected here, owner recorded.

    Every case stays in this shard's results, so `merge` can check that the shards cover
    the selection exactly once; unselected cases keep their own reason in every shard.
    `weights` (samples per case) balance the work rather than the number of cases.
    """
    results.shard = str(shard)
    selected = [c.name for c in results.cases if c.selected]
    owners = assign({name: (weights or {}).get(name, 1) for name in selected}, shard.total)
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
