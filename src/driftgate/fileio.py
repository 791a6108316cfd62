"""Writing a file so that nothing already at its path is followed: replace, never write through.

In CI the work tree is a pull request's checkout, and driftgate may run as root: a symlink
committed at a report path, at a trace file's predictable name or at a temporary name beside
it would otherwise carry the write to any file the process can reach. Each write makes a new
file beside the target (`mkstemp`: O_EXCL, so no existing name is reused) and renames it over
the target, so a symlink there is replaced, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# Read once at import: os.umask can only be read by setting it, process-wide, not thread-safe.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_text(path: str | Path, text: str) -> None:
    """`text` (UTF-8) as the new content of `path`, its folders created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        # mkstemp makes the file 0600: in the container (root) that would lock the runner's
        # user out of what driftgate wrote in the workspace. Use the umask, as open() does.
        os.fchmod(handle, 0o666 & ~_UMASK)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_as_written(path: str | Path) -> str:
    """A file's UTF-8 text with its line ends as they are (`\\r\\n` kept, where reading in
    text mode makes every one `\\n`): a patch that edits a few lines leaves the rest alone."""
    with Path(path).open(encoding="utf-8", newline="") as stream:
        return stream.read()


def line_end(text: str) -> str:
    """What a line added to `text` ends with: `\\r\\n` in a file written with it."""
    return "\r\n" if "\r\n" in text else "\n"


def leaves_through_a_link(root: Path, path: Path) -> Path | None:
    """Where a write to `path` lands when a symlinked folder on the way takes it out of `root`
    (the checkout); None when it stays inside, or when `path` was never inside `root` (a place
    the workflow chose, like the runner's temp folder)."""
    inside = Path(os.path.abspath(root))
    target = Path(os.path.abspath(path))
    if not target.is_relative_to(inside):
        return None
    lands = target.parent.resolve() / target.name
    return None if lands.is_relative_to(inside.resolve()) else lands
