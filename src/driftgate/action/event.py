"""The event payload (GITHUB_EVENT_PATH) checked against the types GitHub sends, once.

Every field the action reads is checked here, so the rest of the action can trust them: a
number is an int, `head` is an object, a SHA is 40 (or, in SHA-256 repositories, 64)
hexadecimal digits and so can never be read by git as an option. A payload GitHub did not
write (a hand-made file, an edited artifact) is exit 2 with every problem named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from driftgate.errors import UsageError
from driftgate.text import shorten

SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
MISSING = object()


def is_sha(value: object) -> bool:
    return isinstance(value, str) and SHA.fullmatch(value) is not None


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


KINDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "object": ("an object", lambda v: isinstance(v, Mapping)),
    "object|null": ("an object or null", lambda v: v is None or isinstance(v, Mapping)),
    "string": ("a string", lambda v: isinstance(v, str)),
    "string|null": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "number": ("a positive whole number", _int),
    "sha": ("a commit SHA (40 hexadecimal digits)", is_sha),
    "list": ("a list", lambda v: isinstance(v, list)),
}

_PR = [
    ("action", "string", True),
    ("number", "number", True),
    ("pull_request", "object", True),
    ("pull_request.number", "number", False),
    ("pull_request.head", "object", True),
    ("pull_request.head.sha", "sha", True),
    ("pull_request.head.ref", "string", False),
    ("pull_request.head.repo", "object|null", False),
    ("pull_request.head.repo.fork", "bool", False),
    ("pull_request.head.repo.full_name", "string", False),
    ("pull_request.base", "object", True),
    ("pull_request.base.sha", "sha", True),
    ("pull_request.base.ref", "string", False),
    ("pull_request.base.repo", "object|null", False),
    ("pull_request.base.repo.full_name", "string", False),
]
# (dotted path, kind, required) per event; `repository` is checked for every event.
RULES: dict[str, list[tuple[str, str, bool]]] = {
    "pull_request": _PR,
    "pull_request_target": _PR,
    "push": [("ref", "string", False), ("before", "sha", False), ("after", "sha", False)],
    "workflow_run": [
        ("workflow_run", "object", True),
        ("workflow_run.head_sha", "sha", True),
        ("workflow_run.pull_requests", "list", False),
    ],
}
COMMON = [("repository", "object", False), ("repository.default_branch", "string|null", False)]

BAD_EVENT = (
    "GITHUB_EVENT_PATH {path}: the event payload is not what GitHub sends for "
    "'{name}':\n{problems}\nThe file was not written by GitHub as it is: check the step that "
    "writes or edits it (driftgate trusts nothing else in it)."
)


def check_event(name: str, event: object, path: str = "") -> None:
    """Raise UsageError naming every field whose type is not the one GitHub sends."""
    if not isinstance(event, Mapping):
        problems = [f"- the payload is {_describe(event)}, not an object"]
    else:
        problems = _check(event, [*COMMON, *RULES.get(name, [])])
        if name == "workflow_run" and isinstance(event.get("workflow_run"), Mapping):
            listed = event["workflow_run"].get("pull_requests")
            for i, entry in enumerate(listed if isinstance(listed, list) else []):
                where = f"workflow_run.pull_requests[{i}]"
                if not isinstance(entry, Mapping):
                    problems.append(f"- `{where}` is {_describe(entry)}; GitHub sends an object")
                elif not _int(entry.get("number")):
                    problems.append(
                        f"- `{where}.number` is {_describe(entry.get('number'))}; GitHub sends "
                        f"a positive whole number"
                    )
    if problems:
        raise UsageError(BAD_EVENT.format(path=path, name=name, problems="\n".join(problems)))


def _check(event: Mapping, rules: list[tuple[str, str, bool]]) -> list[str]:
    problems: list[str] = []
    broken: list[str] = []  # a bad parent: its children are not looked at
    for dotted, kind, required in rules:
        if any(dotted.startswith(f"{parent}.") for parent in broken):
            continue
        value = _get(event, dotted)
        wanted, ok = KINDS[kind]
        if value is MISSING:
            if required:
                problems.append(f"- `{dotted}` is missing; GitHub sends {wanted}")
                broken.append(dotted)
            continue
        if not ok(value):
            problems.append(f"- `{dotted}` is {_describe(value)}; GitHub sends {wanted}")
            broken.append(dotted)
    return problems


def _get(event: Mapping, dotted: str) -> object:
    value: object = event
    for key in dotted.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return MISSING
        value = value[key]
    return value


def _describe(value: object) -> str:
    kind = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    # Shown in the job summary: nothing that Markdown, HTML or a mention could act on.
    shown = re.sub(r"[^A-Za-z0-9 ._:/'=+-]", "?", repr(value))
    shown = shorten(shown, 60, "...")
    return kind if isinstance(value, dict | list) else f"{kind} ({shown})"
