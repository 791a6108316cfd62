"""Split the selected cases across N matrix jobs, the same way on every machine.

Each case goes to the shard with the highest hash of (shard, case name): rendezvous
hashing. The owner depends only on the name and N, so adding, removing or reordering
cases never moves another case, and going from N to N+1 shards moves about 1/(N+1)
of them. Any job (and `merge`) can recompute who owns what without talking to the others.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from driftgate.errors import UsageError

MAX_SHARDS = 256
SHARD_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
OTHER_SHARD_REASON = "other shard ({owner}); this job runs shard {shard}"


@dataclass(frozen=True, order=True)
class Shard:
    """Shard `index` of `total`, 1-based like GitHub's `strategy.job-index + 1`."""

    index: int
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"

    def owns(self, name: str) -> bool:
        return shard_of(name, self.total) == self.index

    def owner_of(self, name: str) -> Shard:
        return Shard(shard_of(name, self.total), self.total)


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """`I/N` → Shard, or a UsageError saying what a valid value looks like."""
    match = SHARD_PATTERN.match(str(text))
    if not match:
        raise UsageError(
            f"{source} {text!r}: expected I/N, e.g. 2/4 for the second of four shards; "
            f"in a matrix write `{source} ${{{{ matrix.shard }}}}/N` with shard: [1, 2, ..., N]"
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


def shard_of(name: str, total: int) -> int:
    """The 1-based shard that runs the case called `name` out of `total` shards."""
    return max(range(1, total + 1), key=lambda index: (_weight(name, index), -index))


def split(names: Iterable[str], shard: Shard) -> list[str]:
    """The names (in their given order) that `shard` runs."""
    return [name for name in names if shard.owns(name)]


def other_shard_reason(name: str, shard: Shard) -> str:
    return OTHER_SHARD_REASON.format(owner=shard.owner_of(name), shard=shard)


def _weight(name: str, index: int) -> int:
    digest = hashlib.sha256(f"{index}\x00{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def apply_shard(results, shard: Shard) -> None:
    """Hand the selected cases other shards own to them: unselected here, owner recorded.

    Every case stays in this shard's results, so `merge` can check that the shards cover
    the suite exactly once; unselected cases keep their own reason in every shard.
    """
    results.shard = str(shard)
    for case in results.cases:
        if case.selected and not shard.owns(case.name):
            case.selected = False
            case.selection_reason = other_shard_reason(case.name, shard)
            case.run_by_shard = str(shard.owner_of(case.name))
