"""The action's git: the package's one `Git` (driftgate.git) plus what a container needs.

The action builds one and hands it to everything, the pipeline included (RunOptions.git), so
a test can inject a single fake for every git command of a run.
"""

from __future__ import annotations

from pathlib import Path

from driftgate.git import Git as BaseGit


class Git(BaseGit):
    def changes(self, base: str, head: str, root: Path):
        """The PR's files from git (fetching what a shallow checkout lacks), or unknown."""
        from driftgate.select.changes import changes_between

        return changes_between(base, head, root, runner=self)

    def write_baseline(self, root: Path, branch: str, results, sha: str) -> str:
        from driftgate.compare.store import write_baseline_to_branch

        return write_baseline_to_branch(root, branch, results, sha, git=self)
