"""The exceptions that cross module boundaries, and the exit code each one means.

Every module raises one of these with a message that says what to fix; only the CLI
edge turns them into text and an exit code, so no user ever sees a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2


class DriftgateError(Exception):
    """Base: a problem the user can fix. `exit_code` says how the CLI ends."""

    exit_code = EXIT_USAGE


class UsageError(DriftgateError):
    """Bad flags, missing files, impossible combinations."""


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a suite file, located so an editor can jump to it."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}"

    @property
    def located(self) -> str:
        """`FILE:LINE:COL: message` without the severity, for lists that are all warnings
        (a run's `warnings`), which are printed as `warning: ...` once."""
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class LocatedProblem(Exception):
    """A problem at a line and column of text that is not yet a suite file's issue (bad
    bytes, a YAML structure a suite can't hold); the loader adds the file's name."""

    def __init__(self, line: int, col: int, message: str):
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message

    def issue(self, file: str) -> ConfigIssue:
        return ConfigIssue(file, self.line, self.col, self.message)


class ConfigError(UsageError):
    """The suite file is invalid. Carries every issue found, not just the first."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))
