"""The git operations of the action, behind one small object so tests can hand in a fake.

Changed files and the baseline branch are the selection's and the compare stage's code; this
adds only what a container needs first: trusting the workspace, which another user owns.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class Git:
    def trust(self, path: Path) -> None:
        """`safe.directory`: without it git refuses a checkout owned by another uid."""
        listed = subprocess.run(
            ["git", "config", "--global", "--get-all", "safe.directory"],
            capture_output=True,
            text=True,
            check=False,
        )
        if str(path) in listed.stdout.splitlines():
            return
        subprocess.run(
            ["git", "config", "--global", "--add", "safe.directory", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )

    def changes(self, base: str, head: str, root: Path):
        """The PR's files from git (fetching what a shallow checkout lacks), or unknown."""
        from driftgate.select.changes import changes_between

        return changes_between(base, head, root)

    def write_baseline(self, root: Path, branch: str, results, sha: str) -> str:
        from driftgate.compare.store import write_baseline_to_branch

        return write_baseline_to_branch(root, branch, results, sha)
