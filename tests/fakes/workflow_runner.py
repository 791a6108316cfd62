"""How GitHub's runner reads workflow commands from a step's output, for assertions.

The runner (actions/runner, ActionCommandManager) reads output line by line (.NET's
ReadLine: \\n, \\r and \\r\\n end a line), trims leading whitespace (Char.IsWhiteSpace) and
treats a line that then starts with `::` as a command `::name props::message`; `##[name]`
is the legacy form. Both stdout and stderr are read.
"""

from __future__ import annotations

import re

# Char.IsWhiteSpace: the characters .NET's TrimStart removes.
DOTNET_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_COMMAND = re.compile(r"::([^\s:]+)(?: ([^:]*))?::(.*)")


def runner_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def commands(text: str) -> list[tuple[str, str, str]]:
    """(name, properties, message) of every line the runner would take as a command."""
    found = []
    for line in runner_lines(text):
        line = line.lstrip(DOTNET_WHITESPACE)
        if line.startswith("##["):
            found.append((line[3:].split("]", 1)[0], "", line))
            continue
        match = _COMMAND.match(line)
        if line.startswith("::") and match:
            found.append((match.group(1), match.group(2) or "", match.group(3)))
        elif line.startswith("::"):
            found.append(("?", "", line))
    return found
