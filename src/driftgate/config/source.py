"""Bytes to YAML text, and YAML's own complaints, said in the suite's words with a line.

A suite (or a file it references) that is UTF-16, Latin-1, binary or holds control
characters is named with the line of the first bad byte; a YAML syntax error is explained
in plain words ("check the indentation of line 11: a list item cannot start here").
"""

from __future__ import annotations

import codecs
import re

import yaml

from driftgate.errors import LocatedProblem

MAX_SUITE_BYTES = 16 * 1024 * 1024

# The characters YAML does not allow in a stream (PyYAML's reader rejects the same set).
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


class TextProblem(LocatedProblem):
    """Bytes that aren't usable text, located at the first bad one."""


def decode_utf8(data: bytes, yaml_text: bool) -> str:
    """UTF-8 text (a UTF-8 BOM is dropped); `yaml_text` also rejects YAML's forbidden
    control characters. Raises TextProblem naming the line of the first bad byte."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            raise TextProblem(1, 1, f"the file is {name} encoded: save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        if _looks_utf16(data):
            raise TextProblem(1, 1, "the file looks UTF-16 encoded (no BOM): save it as UTF-8")
        raise TextProblem(
            line,
            col,
            f"NUL byte at line {line}, column {col} (byte offset {nul}): this is a binary "
            f"file, not text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise TextProblem(
            line,
            col,
            f"byte 0x{bad} at line {line}, column {col} (byte offset {exc.start}) is not "
            f"UTF-8: the file is binary or in another encoding (Latin-1 or Windows-1252 "
            f"are common); save it as UTF-8",
        ) from None
    if yaml_text:
        found = _NOT_PRINTABLE.search(text)
        if found:
            line, col = text_position(text, found.start())
            raise TextProblem(
                line,
                col,
                f"control character U+{ord(found.group()):04X} at line {line}, column {col} "
                f"is not allowed in YAML: remove it (inside double quotes it can be written "
                f'as an escape such as "\\x07")',
            )
    return text


def text_position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col


def _looks_utf16(data: bytes) -> bool:
    """ASCII text in UTF-16 has a NUL in every other byte."""
    head = data[:200]
    if len(head) < 4:
        return False
    odd = head[1::2].count(0)
    even = head[0::2].count(0)
    half = len(head) // 2
    return max(odd, even) >= 0.8 * half and min(odd, even) <= 0.1 * half


# -- YAML syntax errors ------------------------------------------------------------------------

_INDENT_TOKENS = {
    "<block sequence start>": "a list item (`- `) cannot start here",
    "<block mapping start>": "a key cannot start here",
    "<block end>": "a line ends a block here that the lines above don't expect",
    "'-'": "a list item (`- `) cannot start here",
    "'?'": "a key cannot start here",
    "<scalar>": "a value cannot start here (or a quote on a line above is never closed)",
    "<alias>": "an alias cannot start here",
    "<anchor>": "an anchor cannot start here",
}


def explain_syntax_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """(line, col, message) in plain words for a PyYAML scanner/parser error."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = text_position(text, exc.position)
        return line, col, f"YAML cannot read character {exc.character!r} here: {exc.reason}"
    if not isinstance(exc, yaml.MarkedYAMLError):
        return 1, 1, f"YAML error: {exc}"
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or ""
    context = exc.context or ""
    opened = exc.context_mark.line + 1 if exc.context_mark else line
    source = _line_text(text, line)
    shown = f" (`{source.strip()[:60]}`)" if source.strip() else ""

    if "found character '\\t' that cannot start any token" in problem:
        return line, col, f"line {line} is indented with a tab: YAML allows only spaces"
    if problem.startswith("expected <block end>, but found"):
        found = (
            problem.split("but found ", 1)[1].strip("'")
            if "'<" in problem
            else (problem.split("but found ", 1)[1])
        )
        what = _INDENT_TOKENS.get(found, f"{found} cannot start here")
        return (
            line,
            col,
            f"check the indentation of line {line}{shown}: {what}; indent it like the "
            f"lines it belongs with",
        )
    if "mapping values are not allowed here" in problem:
        return (
            line,
            col,
            f"line {line}{shown} has a `: ` where YAML doesn't expect one: if the value "
            f"contains ': ', put the whole value in quotes; else check the indentation",
        )
    if "could not find expected ':'" in problem:
        return (
            line,
            col,
            f"line {opened} starts a key that never gets its `: `: add `: ` after the key, "
            f"or check the indentation of the lines around it",
        )
    if "did not find expected key" in problem or "did not find expected '-'" in problem:
        return (
            line,
            col,
            f"check the indentation of line {line}{shown}: it doesn't line up with the "
            f"{'list' if 'sequence' in context else 'mapping'} that starts on line {opened}",
        )
    if "found unexpected end of stream" in problem and "quoted scalar" in context:
        return (
            line,
            col,
            f"the quoted value that starts on line {opened} is never closed: add the closing quote",
        )
    if "found unknown escape character" in problem:
        return (
            line,
            col,
            f"line {line}: {problem} inside double quotes: use single quotes, or write "
            f"the backslash twice (\\\\)",
        )
    if "flow" in context and ("expected ',' or" in problem or "end of stream" in problem):
        return (
            line,
            col,
            f"the [ ] or {{ }} that opens on line {opened} is not closed properly "
            f"({problem}): check its commas and closing bracket",
        )
    if problem.startswith("expected the node content, but found"):
        found = problem.split("but found ", 1)[1]
        if "flow" in context:
            return (
                line,
                col,
                f"line {line}{shown}: {found} cannot start a value inside [ ] or {{ }}: check "
                f"the brackets opened before it (is one never closed? a `- ` list item can't "
                f"be written inside brackets)",
            )
        return (
            line,
            col,
            f"line {line}{shown}: {found} cannot start a value here: put the value in quotes, "
            f"or remove the stray {found}",
        )
    if "found incompatible YAML document" in problem:
        return (
            line,
            col,
            f"line {line}: the %YAML directive asks for another YAML version: remove it",
        )
    if "that cannot start any token" in problem:
        char = problem.split("found character ", 1)[1].split(" that", 1)[0]
        return (
            line,
            col,
            f"line {line}: {char} cannot start a plain value in YAML: put the value in quotes",
        )
    if "while scanning an alias" in context or "while scanning an anchor" in context:
        return (
            line,
            col,
            f"line {line}: `*` or `&` starts an alias or anchor here: put the value in quotes "
            f"if it is text",
        )
    if "block scalar" in context:
        return (
            line,
            col,
            f"line {opened}: a value starting with `|` or `>` is a block of text: put the text "
            f"on the lines below, indented more than the key, or quote the value",
        )
    if "sequence entries are not allowed here" in problem:
        return (
            line,
            col,
            f"line {line}{shown}: a list item (`- `) can't start here: put the item on a line "
            f"of its own, or quote a value that starts with '- '",
        )
    if "mapping keys are not allowed here" in problem:
        return (
            line,
            col,
            f"line {line}{shown}: `? ` starts a complex key here: quote a value that starts "
            f"with '? '",
        )
    if "a tag" in context:
        return (
            line,
            col,
            f"line {opened}: `!` starts a YAML tag here: quote a value that starts with '!'",
        )
    if problem.startswith("expected '<document start>'"):
        return (
            line,
            col,
            f"line {line}{shown}: the document has ended here (a `...` line or a `%` "
            f"directive before it): remove that line, or quote the value",
        )
    if "directive" in context:
        return (
            line,
            col,
            f"line {opened}: a line starting with `%` is a YAML directive: quote the value or "
            f"remove the `%`",
        )
    where = f" ({context} on line {opened})" if context else ""
    return line, col, f"YAML syntax error: {problem}{where}; fix the syntax here"


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
