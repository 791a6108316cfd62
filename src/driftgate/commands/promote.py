"""append a production sample to the suite as a new case (a regression test)

Builds a case from one logged sample (prompt, vars, context) and appends it to the suite
file after the last case, so every comment and the layout stay as they were. The patched
file is validated before it is written; a name that is taken is refused with one that is
free.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from driftgate.commands.options import add_config_argument
from driftgate.config import SuiteSpec, load_suite
from driftgate.config.template import placeholders
from driftgate.errors import EXIT_PASS, ConfigError, UsageError
from driftgate.fileio import line_end, read_as_written
from driftgate.monitor.samples import Line, Reading, read_samples
from driftgate.text import plural

IDS_REMEMBERED = 10_000  # for a did-you-mean on a mistyped --id


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--samples", type=Path, required=True, metavar="LOGS.jsonl")
    parser.add_argument("--id", required=True, metavar="ID", help="the sample's `id`")
    parser.add_argument("--name", help="the new case's name (default: prod-<id>)")
    expected = parser.add_mutually_exclusive_group(required=True)
    expected.add_argument("--expected", metavar="TEXT", help="the reviewed correct answer")
    expected.add_argument(
        "--expected-from-output",
        action="store_true",
        help="use the sample's own output as expected (after you reviewed it)",
    )
    parser.add_argument("--critical", action="store_true", help="a failure fails the gate")
    parser.add_argument("--tags", nargs="+", default=[], metavar="TAG")
    parser.add_argument("--trigger-paths", nargs="+", metavar="PATTERN")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    suite = load_suite(args.config)  # a broken suite is reported before anything is added
    line = find_sample(args.samples, args.id)
    case = build_case(suite, line, args)
    patched = insert_case(suite.path, case)
    validate(suite, patched, case["name"])
    suite.path.write_text(patched, encoding="utf-8")
    print(
        f"{suite.relpath}: added case '{case['name']}' from {args.samples}:{line.number}; "
        f"review it, then run `driftgate run --cases {case['name']}`"
    )
    return EXIT_PASS


def find_sample(path: Path, wanted: str) -> Line:
    reading = Reading(str(path))
    seen: list[str] = []
    found: Line | None = None
    for line in read_samples(path, reading):
        sample_id = line.sample.id
        if sample_id == wanted:
            if found is not None:
                raise UsageError(
                    f"{path}: id '{wanted}' is on line {found.number} and line {line.number}; "
                    f"ids must be unique to promote one: fix the log or pick the line's own id"
                )
            found = line
        elif sample_id is not None and len(seen) < IDS_REMEMBERED:
            seen.append(sample_id)
    if found is None:
        close = difflib.get_close_matches(wanted, seen, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        bad = f"; {plural(len(reading.bad), 'bad line')} skipped" if reading.bad else ""
        raise UsageError(f"{path}: no sample with id '{wanted}'{hint}{bad}")
    return found


def build_case(suite: SuiteSpec, line: Line, args: argparse.Namespace) -> dict:
    sample = line.sample
    name = args.name or "prod-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", str(sample.id)).strip("-")
    taken = {case.name: case.line for case in suite.cases}
    if name in taken:
        free = next(f"{name}-{n}" for n in range(2, 10_000) if f"{name}-{n}" not in taken)
        raise UsageError(
            f"{suite.relpath}:{taken[name]}: a case named '{name}' already exists; "
            f"pass --name, e.g. --name {free}"
        )
    expected = sample.output if args.expected_from_output else args.expected
    if not expected or not expected.strip():
        raise UsageError("the expected answer is empty: pass --expected TEXT with the right answer")
    variables = {k: _scalar(v) for k, v in sample.vars.items()}
    prompt = sample.prompt or ""
    named = placeholders(prompt)
    if not named or any(p not in variables for p in named):
        prompt = prompt.replace("{", "{{").replace("}", "}}")  # a rendered prompt: literal
    created = f", {sample.created_at.isoformat()}" if sample.created_at else ""
    case: dict = {
        "name": name,
        "description": f"promoted from production sample {sample.id} ({args.samples}"
        f":{line.number}{created})",
    }
    if prompt:
        case["prompt"] = prompt
    if variables:
        case["vars"] = variables
    case["expected"] = expected
    if sample.context:
        case["context"] = sample.context
    target = _target_of(suite, sample.case)
    if target is not None:
        case["target"] = target
    if sample.task:
        case["task"] = sample.task
    if args.critical:
        case["critical"] = True
    if args.tags:
        case["tags"] = list(args.tags)
    if args.trigger_paths:
        case["trigger_paths"] = list(args.trigger_paths)
    return case


def _scalar(value):
    """Suite vars are text, numbers or booleans; a nested value is kept as JSON text."""
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def _target_of(suite: SuiteSpec, case_name: str | None):
    """A sample of a case with its own target keeps that target (as the case wrote it)."""
    for case in suite.cases:
        if case.name == case_name and "target" in case.definition:
            return json.loads(json.dumps(case.definition["target"], default=str))
    return None


class _BlockDumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks: what a person would write by hand."""


# Line breaks to YAML 1.1 (PyYAML writes them raw, unescaped) but text to the suite's loader:
# written raw they came back as a space or a newline. Double quotes escape them (`\u2028`).
_RAW_BREAKS = ("\x85", "\u2028", "\u2029")


def _text(dumper, value: str):
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    if any(mark in value for mark in _RAW_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text)


def render_item(case: dict, indent: int, newline: str = "\n") -> list[str]:
    block = yaml.dump(
        [case],
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return [(" " * indent + line if line else line) + newline for line in block.splitlines()]


def insert_case(path: Path, case: dict) -> str:
    """The suite's text with `case` appended after the last case, nothing else changed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    text = read_as_written(path)
    try:
        data = YAML(typ="rt").load(text)
        suite = data["eval_suite"]
        cases = suite["cases"]
    except (YAMLError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: cannot read the suite file to add a case: {exc}") from None
    lines = text.splitlines(keepends=True)
    if cases.fa.flow_style() or not len(cases):
        line = suite.lc.key("cases")[0] + 1
        raise UsageError(
            f"{path}:{line}: `cases:` is written in flow style ([...]); write it as a block "
            f"list (one `- name:` per case) so a case can be added without reformatting it"
        )
    first_line, first_col = cases.lc.item(0)
    dash = lines[first_line].rfind("-", 0, first_col + 1)
    at = _end_of_cases(data, suite, lines)
    newline = line_end(text)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    lines[at:at] = render_item(case, max(dash, 0), newline)
    return "".join(lines)


def _end_of_cases(data, suite, lines: list[str]) -> int:
    """The line index just after the last case: before the next key, or the file's end."""
    keys = list(suite.keys())
    after = keys[keys.index("cases") + 1 :]
    if after:
        stop = suite.lc.key(after[0])[0]
    else:
        top = list(data.keys())
        later = top[top.index("eval_suite") + 1 :]
        stop = data.lc.key(later[0])[0] if later else len(lines)
    # blank lines and comments just above the next key (or the end) stay where they are
    while stop > 0 and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
        stop -= 1
    return stop


def validate(suite: SuiteSpec, patched: str, name: str) -> None:
    """Load the patched text exactly as `run` would, from beside the real file."""
    with tempfile.NamedTemporaryFile(
        "w",
        suffix=".yaml",
        dir=suite.path.parent,
        prefix=".driftgate-promote-",
        encoding="utf-8",
        delete=False,
    ) as handle:
        handle.write(patched)
        temp = Path(handle.name)
    try:
        patched_suite = load_suite(temp, root=suite.root)
    except ConfigError as exc:
        shown = [
            replace(
                issue,
                file=str(suite.path),
                message=f"{issue.message} (in the new case; nothing was written)",
            )
            for issue in exc.issues
        ]
        raise ConfigError(shown) from None
    finally:
        temp.unlink(missing_ok=True)
    if name not in {case.name for case in patched_suite.cases}:
        raise UsageError(
            f"{suite.relpath}: the case could not be added safely; nothing was written"
        )
