"""The team's own pipeline as a subprocess: the system under test, not just a model.

The output contract (docs/gate.md): stdout is the answer as plain text, or a JSON object
`{"output": "<string>"}`. A stdout whose first non-blank character is `{` must be such an
object, anything else there is the case's error, never an answer: a crashed or chatty
pipeline must not be scored as if it had answered.
"""

from __future__ import annotations

import codecs
import json
import re
import shlex
from dataclasses import replace

from driftgate.config import CaseSpec
from driftgate.config.schema import CommandTarget
from driftgate.generate.base import Generation, TargetError
from driftgate.generate.process import run_command
from driftgate.text import plural

DEFAULT_MAX_OUTPUT_CHARS = 1_000_000
STDERR_LINES = 5  # the end of a traceback: where the exception is
STDERR_LINE_CHARS = 300
# Room for JSON escapes: one character of output is at most 12 bytes as `\ud83d\ude00`/2.
JSON_BYTES_PER_CHAR = 6
NOTHING = (
    'the target printed nothing: print the answer on stdout, as plain text or {"output": "..."}'
)
JSON_AFTER_TEXT = re.compile(r'^\s*\{\s*"output"\s*:', re.MULTILINE)


def pipeline_request(case: CaseSpec, sample: int) -> dict:
    """What the team's pipeline is sent: on a command's stdin, or as one line of a plan."""
    return {
        "case": case.name,
        "prompt": case.render_prompt() if case.prompt else "",
        "vars": dict(case.vars),
        "context": case.context,
        "sample": sample,
    }


class CommandRunner:
    def __init__(self, spec: CommandTarget, root, max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS):
        self.spec = spec
        self.root = root
        self.max_output_chars = max_output_chars

    def identity(self) -> dict:
        return {"type": "command", "command": self.spec.command}

    def generate(self, case: CaseSpec, sample: int) -> Generation:
        request = pipeline_request(case, sample)
        limit = self.max_output_chars * JSON_BYTES_PER_CHAR + 64 * 1024
        done = run_command(
            self.spec.command, self.root, json.dumps(request).encode(), self.spec.timeout_s, limit
        )
        warnings: list[str] = []

        def failed(message: str) -> Generation:
            # stderr is shown only in errors, so only then is its decoding worth a warning
            stderr = _decode(done.stderr_tail, "stderr", warnings)
            generation = Generation.failed(message + stderr_tail(stderr), done.latency_s)
            return replace(generation, warnings=tuple(warnings))

        if done.timed_out:
            return failed(
                f"command timed out after {self.spec.timeout_s:g}s: {self._short()} (its "
                f"process group was killed; raise `timeout_s` on the target if it is "
                f"legitimately slow)"
            )
        if done.returncode != 0:
            if not done.stderr_tail.strip():
                return failed(f"command exited {done.returncode}: {self._short()}\n(no stderr)")
            return failed(f"command exited {done.returncode}: {self._short()}")
        stdout = _decode(done.stdout, "stdout", warnings, partial_end=done.stdout_cut)
        try:
            if done.stdout_cut and stdout.lstrip().startswith("{"):
                raise TargetError(
                    f"stdout is JSON of {done.stdout_total:,} bytes, past what "
                    f"`max_output_chars: {self.max_output_chars}` can hold; shorten the "
                    f"output or raise the limit"
                )
            output = parse_stdout(stdout)
        except TargetError as exc:
            return failed(str(exc))
        if done.stdout_cut:  # read bounded: only the head was kept
            output = output[: self.max_output_chars]
            warnings.append(
                f"stdout of {done.stdout_total:,} bytes cut to max_output_chars "
                f"{self.max_output_chars:,} characters"
            )
        output = cut(output, self.max_output_chars, warnings)
        return Generation(
            output=output, latency_s=done.latency_s, calls=1, warnings=tuple(warnings)
        )

    def _short(self) -> str:
        return shlex.quote(self.spec.command) if len(self.spec.command) < 80 else "(command)"


def parse_stdout(stdout: str) -> str:
    """The answer in stdout, or TargetError saying what is wrong with it."""
    text = stdout.strip()
    if not text:
        raise TargetError(NOTHING)
    if not text.startswith("{"):
        found = JSON_AFTER_TEXT.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            first = text.splitlines()[0][:80]
            raise TargetError(
                f'stdout has text before its {{"output": ...}} object (line {line}; stdout '
                f"starts with {first!r}): print only the JSON on stdout and logs on stderr"
            )
        return text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetError(
            f"stdout starts with '{{' but is not valid JSON (line {exc.lineno} column "
            f'{exc.colno}: {exc.msg}): print {{"output": "..."}} alone on stdout'
        ) from None
    if not isinstance(data, dict) or "output" not in data:
        keys = ", ".join(sorted(data)[:10]) if isinstance(data, dict) else ""
        raise TargetError(f'stdout is JSON but has no "output" key (keys: {keys or "none"})')
    output = data["output"]
    if not isinstance(output, str):
        raise TargetError(
            f'stdout is JSON but its "output" is {type(output).__name__}, not a string'
        )
    if not output.strip():
        raise TargetError(NOTHING + ' ("output" is empty)')
    return output.strip()


def cut(output: str, max_chars: int, warnings: list[str]) -> str:
    """At most `max_chars` characters; a longer output is cut, and says so."""
    if len(output) <= max_chars:
        return output
    warnings.append(f"output of {len(output):,} characters cut to max_output_chars {max_chars:,}")
    return output[:max_chars]


def stderr_tail(stderr: str) -> str:
    """The last lines of stderr (where a traceback names its exception), or ''."""
    lines = [line.rstrip() for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    shown = [
        line if len(line) <= STDERR_LINE_CHARS else "…" + line[-STDERR_LINE_CHARS:]
        for line in lines[-STDERR_LINES:]
    ]
    more = f" (stderr: last {len(shown)} of {len(lines)} lines)" if len(lines) > len(shown) else ""
    return more + "\n" + "\n".join(shown)


def _decode(data: bytes, what: str, warnings: list[str], partial_end: bool = False) -> str:
    """UTF-8; bytes that are not are replaced (U+FFFD) and a warning says how many.

    `partial_end`: the data was cut, so a character split at the end is dropped silently."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(data, final=not partial_end)
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad > 0:
        replaced = plural(bad, "undecodable byte")
        warnings.append(f"{what} is not valid UTF-8: {replaced} replaced with �")
    return text
