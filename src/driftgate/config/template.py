"""The prompt template: `{name}` takes the case's var `name`, `{{` and `}}` are literal braces.

One syntax for every reader: a case renders its prompt with it, the loader warns about
placeholders without a value, and `promote` escapes a logged prompt that would clash with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


class MissingVariable(Exception):
    """The prompt names a placeholder the case gives no value for."""


def placeholders(template: str) -> list[str]:
    seen: list[str] = []
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name and name not in seen:
            seen.append(name)
    return seen


def render(template: str, values: Mapping[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(values[match.group(1)])

    return PLACEHOLDER.sub(substitute, template)
