"""GitHub Actions workflow commands: log groups, masks, annotations, outputs, job summary.

Escaping follows @actions/core (`%`, CR, LF in data; also `:` and `,` in properties), so a
case name or message can never break out of its annotation. Outputs use the heredoc form
with a random delimiter, which is safe for multi-line values. Everything except `mask` passes
the redactor first, and log lines cannot start a command (`redact.neutralize_commands`).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from driftgate.redact import neutralize_commands, redact


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Workflow:
    """Writes workflow commands to a stream and files; every method is safe outside Actions."""

    def __init__(
        self,
        stream: TextIO | None = None,
        output_path: str | None = None,
        summary_path: str | None = None,
    ):
        self.stream = stream or sys.stdout
        self.output_path = output_path
        self.summary_path = summary_path

    def _command(self, name: str, message: str, **props: object) -> None:
        given = ",".join(
            f"{key}={escape_property(redact(str(value)))}" for key, value in props.items() if value
        )
        head = f"::{name} {given}::" if given else f"::{name}::"
        self.stream.write(f"{head}{escape_data(redact(message))}\n")
        self.stream.flush()

    def mask(self, secret: str) -> None:
        """The one command that carries a secret, so GitHub masks it: never redacted."""
        for line in secret.splitlines():
            if line.strip():
                self.stream.write(f"::add-mask::{escape_data(line)}\n")
        self.stream.flush()

    def error(self, message: str, **where: object) -> None:
        """An annotation; `where` is file=, line=, col=, title= as GitHub reads them."""
        self._command("error", message, **where)

    def warning(self, message: str, **where: object) -> None:
        self._command("warning", message, **where)

    def notice(self, message: str, title: str | None = None) -> None:
        self._command("notice", message, title=title)

    def log(self, text: str) -> None:
        """A plain line; untrusted text in it can never start a workflow command."""
        text = neutralize_commands(redact(text))
        self.stream.write(text if text.endswith("\n") else text + "\n")
        self.stream.flush()

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.stream.write(f"::group::{escape_data(redact(title))}\n")
        self.stream.flush()
        try:
            yield
        finally:
            self.stream.write("::endgroup::\n")
            self.stream.flush()

    def set_output(self, name: str, value: object) -> None:
        text = "" if value is None else redact(str(value))
        if not self.output_path:
            return
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        while delimiter in text:  # practically never; keeps the heredoc unambiguous
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
        with Path(self.output_path).open("a", encoding="utf-8") as handle:
            handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")

    def summary(self, markdown: str) -> None:
        if not self.summary_path:
            return
        markdown = redact(markdown)
        with Path(self.summary_path).open("a", encoding="utf-8") as handle:
            handle.write(markdown if markdown.endswith("\n") else markdown + "\n")


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file back the way the runner does (for tests and the demo)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values
