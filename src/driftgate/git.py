"""Every git command driftgate runs goes through one `Git` object, with one error type.

Selection (changed files, the suite at the base commit), the baseline branch, the cache's
file hashes, the suite's repository root and the run's commit all call it; the edge (the CLI,
the action) builds it and passes it down in RunOptions, so a test can hand one fake to all.

Arguments that come from data (SHAs and refs from an event payload, a --merge-base) are
checked first and placed after `--end-of-options` or `--`, so git never reads them as options:
a `base.sha` of `--upload-pack=…` is refused, never executed.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from driftgate.errors import UsageError
from driftgate.text import shorten

DEFAULT_TIMEOUT_S = 60
NETWORK_TIMEOUT_S = 300  # fetch and push: a large repository over a slow runner
# A full or abbreviated object name: hexadecimal only, so never an option.
SHA = re.compile(r"[0-9a-fA-F]{4,64}")
# What git check-ref-format forbids, plus a leading '-' (an option) and '@{' (reflog syntax).
BAD_REF = re.compile(r"(^-)|(\.\.)|(@\{)|([\x00-\x20\x7f~^:?*\[\\])|(^/)|(/$)|(\.$)|(\.lock$)|(//)")


class GitError(UsageError):
    """git failed, is missing, or was handed an unsafe argument; the message says which."""


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")


def check_sha(value: str, what: str = "commit") -> str:
    """`value` if it is a (possibly abbreviated) hexadecimal object name, else GitError."""
    if not isinstance(value, str) or not SHA.fullmatch(value):
        raise GitError(f"{what} {_show(value)} is not a commit SHA (hexadecimal digits only)")
    return value


def check_ref(value: str, what: str = "ref") -> str:
    """`value` if git could take it as a branch/ref name and never as an option."""
    if not isinstance(value, str) or not value or BAD_REF.search(value):
        raise GitError(
            f"{what} {_show(value)} is not a valid git ref name (it must not start with '-' "
            f"or contain spaces, '..', '~', '^', ':', '?', '*', '[' or '\\\\')"
        )
    return value


def check_rev(value: str, what: str = "revision") -> str:
    """A SHA, or a ref name (optionally with a `~N`/`^N` suffix) that is not an option."""
    if isinstance(value, str) and SHA.fullmatch(value):
        return value
    base = re.sub(r"([~^][0-9]*)+$", "", value) if isinstance(value, str) else value
    check_ref(base, what)
    return value


def scrub(text: str) -> str:
    """git may echo a remote URL; never let a token inside one reach a log."""
    text = re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", text or "")
    return " ".join(text.split())[:500] or "no message from git"


def _show(value: object) -> str:
    shown = repr(value)
    return shorten(shown, 80, "...")


class Git:
    """Runs git without a pager, a prompt or locale surprises. Subclass it to fake git."""

    executable = "git"

    def call(
        self,
        root: Path,
        *args: str,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> Done:
        """Run `git ARGS` in `root`; a non-zero exit is returned, only a missing git raises."""
        full_env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_PAGER": "cat",
            **(env or {}),
        }
        data = input.encode("utf-8") if isinstance(input, str) else input
        try:
            done = subprocess.run(
                [self.executable, "-c", "core.quotePath=false", *args],
                cwd=root,
                input=data,
                capture_output=True,
                env=full_env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {timeout:.0f} s in {root}") from None
        except OSError as exc:
            raise GitError(f"cannot run git ({exc}); driftgate needs git on PATH") from None
        return Done(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))

    def run(self, root: Path, *args: str, **options) -> str:
        """stdout of `git ARGS` (not stripped); GitError with git's own words on failure."""
        done = self.call(root, *args, **options)
        if not done.ok:
            lines = done.stderr.strip().splitlines()
            reason = scrub(lines[-1]) if lines else f"exited {done.returncode}"
            raise GitError(f"git {args[0]} failed in {root}: {reason}")
        return done.text

    # -- questions several stages ask ------------------------------------------------------
    def toplevel(self, folder: Path) -> Path | None:
        """The work tree holding `folder`, or None outside one."""
        try:
            done = self.call(folder, "rev-parse", "--show-toplevel")
        except GitError:
            return None
        out = done.text.strip()
        return Path(out).resolve() if done.ok and out else None

    def head(self, root: Path) -> str | None:
        """The checked-out commit, or None outside a repository (or before a first commit)."""
        try:
            done = self.call(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except GitError:
            return None
        return done.text.strip() or None if done.ok else None

    def resolve(self, root: Path, rev: str) -> str | None:
        """The full SHA of a commit named by the user (--merge-base), or None."""
        check_rev(rev, "revision")
        done = self.call(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
        return done.text.strip() or None if done.ok else None

    def has_commit(self, root: Path, sha: str) -> bool:
        check_rev(sha, "commit")
        done = self.call(root, "cat-file", "-e", "--end-of-options", f"{sha}^{{commit}}")
        return done.ok

    def is_shallow(self, root: Path) -> bool:
        try:
            return self.run(root, "rev-parse", "--is-shallow-repository").strip() == "true"
        except GitError:
            return False

    def tracked(self, root: Path, folder: Path) -> int:
        """How many files under `folder` the repository tracks (0 outside one). In CI the work
        tree is the pull request's: what it commits there is its word, not a job's output.
        Asked of the folder a symlink on the way leads to: git stops at a link, so a committed
        link to a folder of committed files would list nothing."""
        try:
            listed = self.run(root, "ls-files", "-z", "--", str(Path(folder).resolve()))
        except GitError:
            return 0  # not a repository, or the folder is outside it
        return sum(1 for path in listed.split("\0") if path)

    def committed_as_is(self, root: Path, path: Path) -> bool:
        """Whether `path` is a file the repository tracks, unchanged since the last commit:
        what the checkout brought, not what a step of this job wrote."""
        if not self.tracked(root, path):
            return False
        done = self.call(root, "diff", "--quiet", "HEAD", "--", str(Path(path).absolute()))
        return done.ok or self._as_checked_out(root, Path(path).resolve())

    def _as_checked_out(self, root: Path, path: Path) -> bool:
        """Whether the file holds its committed blob's bytes, as stored or as checkout writes
        them. `git diff` compares after git's own conversions, which the repository's
        .gitattributes chooses: a blob committed with CRLF line ends under the `text`
        attribute is "modified" in every fresh checkout, though nothing touched it."""
        top = self.toplevel(root)
        if top is None or not path.is_relative_to(top):
            return False
        try:
            data = path.read_bytes()
        except OSError:
            return False
        name = f"HEAD:{path.relative_to(top).as_posix()}"
        for how in ("blob", "--filters"):  # as stored; as checkout converts it
            done = self.call(top, "cat-file", how, name)
            if done.ok and done.stdout == data:
                return True
        return False

    def trust(self, path: Path) -> None:
        """`safe.directory`: without it git refuses a checkout owned by another uid."""
        anywhere = Path(path.anchor or os.sep)  # global config: no repository needed
        listed = self.call(anywhere, "config", "--global", "--get-all", "safe.directory")
        if str(path) in listed.text.splitlines():
            return
        self.call(anywhere, "config", "--global", "--add", "safe.directory", str(path))
