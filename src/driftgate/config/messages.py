"""pydantic's validation errors, said in the suite's words at the line of the wrong key.

pydantic names union branches in its error locations (`target.command.timeout_s` for the
`command` branch of the target union, `context.str` for the text branch of `context`); the
schema is walked alongside each location so the branch names are dropped and the message
names the key the user wrote. Raw phrases ("List should have at least 1 item after
validation") become instructions ("`cases:` is empty: add at least one case").
"""

from __future__ import annotations

import difflib
import json
import math
import types
import typing

from pydantic import BaseModel, ValidationError

from driftgate.config.schema import SuiteFile, takes_one_string
from driftgate.config.yaml_positions import Located
from driftgate.errors import ConfigIssue
from driftgate.text import plural, shorten


def issues_from(exc: ValidationError, located: Located, display: str) -> list[ConfigIssue]:
    """One issue per wrong key; a union's failed branches become one 'expected A or B'."""
    grouped: dict[tuple, list[tuple[dict, tuple]]] = {}
    for error in exc.errors():
        data_loc, branch = data_location(tuple(error["loc"]))
        grouped.setdefault(data_loc, []).append((error, branch))
    issues = []
    for data_loc, errors in grouped.items():
        if _another_branch_went_deeper(data_loc, errors, grouped):
            continue
        line, col = located.position(data_loc)
        where = dotted(data_loc, located)
        message = _message(data_loc, where, errors)
        issues.append(ConfigIssue(display, line, col, message))
    return issues


def _another_branch_went_deeper(data_loc: tuple, errors: list, grouped: dict) -> bool:
    """`context: {file: ''}` fails the text branch at `context` and the {file} branch at
    `context.file`; the value has the {file} shape, so only the deeper error is useful."""
    if not all(branch for _, branch in errors):
        return False
    return any(
        other[: len(data_loc)] == data_loc and len(other) > len(data_loc) for other in grouped
    )


def data_location(loc: tuple) -> tuple[tuple, tuple]:
    """(the location in the user's data, the union branch names pydantic added to it)."""
    tp: object = SuiteFile
    data: list = []
    branches: list = []
    for element in loc:
        members = _union_members(tp)
        if len(members) > 1:
            chosen = _branch(members, element)
            if chosen is not None:
                branches.append(element)
                tp = chosen
                continue
        data.append(element)
        tp = _child_type(tp, element)
    return tuple(data), tuple(branches)


def dotted(loc: tuple, located: Located) -> str:
    """A readable key path of the keys that exist, naming cases by their name."""
    parts: list[str] = []
    node = located.data
    for element, _mark in located.walk(loc):
        if isinstance(node, list) and parts:
            item = node[element]
            name = item.get("name") if isinstance(item, dict) else None
            label = repr(name) if isinstance(name, str) and name else str(element)
            parts[-1] = f"{parts[-1]}[{label}]"
        else:
            parts.append(str(element))
        node = node[element]
    return ".".join(parts) or "the file"


def _type_at(loc: tuple) -> object:
    """The schema type at a pydantic location (union branch names choose the member)."""
    tp: object = SuiteFile
    for element in loc:
        members = _union_members(tp)
        chosen = _branch(members, element) if len(members) > 1 else None
        tp = chosen if chosen is not None else _child_type(tp, element)
    return tp


def fields_at(loc: tuple) -> list[str]:
    """The key names valid at a pydantic location."""
    models = _models_in(_type_at(loc))
    return list(models[0].model_fields) if len(models) == 1 else []


def _field_takes_one_string(loc: tuple) -> bool:
    models = _models_in(_type_at(loc[:-1]))
    field = models[0].model_fields.get(loc[-1]) if len(models) == 1 and loc else None
    return field is not None and takes_one_string(field)


def did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


# -- messages ----------------------------------------------------------------------------------
def _message(loc: tuple, where: str, errors: list[tuple[dict, tuple]]) -> str:
    if len(errors) > 1 and all(branch for _, branch in errors):
        words = list(dict.fromkeys(_branch_words(branch[0]) for _, branch in errors))
        expected = ", ".join(words[:-1]) + f" or {words[-1]}"
        return f"{where}: must be {expected}{_got(errors[0][0])}"
    return "; ".join(dict.fromkeys(_one(loc, where, error) for error, _ in errors))


def _one(loc: tuple, where: str, error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = _got(error)
    key = loc[-1] if loc else ""
    if tuple(error["loc"])[-1:] == ("[key]",) or kind == "invalid_key":
        parent = where.rsplit(".", 1)[0] if "." in where else "the file"
        return (
            f"{parent}: the key {_shown(error.get('input'))} is not text (YAML reads numbers, "
            f"dates and true/false/yes/no/on/off as such): quote it"
        )
    if kind == "extra_forbidden":
        allowed = fields_at(tuple(error["loc"])[:-1])
        return (
            f"{where}: unknown key '{key}': {did_you_mean(str(key), allowed)}"
            f"valid keys here: {', '.join(sorted(allowed))}"
        )
    if kind == "missing":
        return f"{where}: required key '{key}' is missing; add it"
    if kind == "union_tag_invalid":
        return (
            f"{where}: `type` must be one of command, outputs, anthropic "
            f"(got {ctx.get('tag')!r}; see docs/targets.md)"
        )
    if kind == "union_tag_not_found":
        return f"{where}: add `type:` (one of command, outputs, anthropic; see docs/targets.md)"
    if kind == "too_short":
        if ctx.get("actual_length") == 0:
            item = "case" if key == "cases" else "item"
            return f"{where}: is empty; add at least one {item}"
        return f"{where}: needs at least {plural(ctx.get('min_length') or 0, 'item')}{got}"
    if kind == "string_too_short":
        return f"{where}: must not be empty"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        limit = next(iter(ctx.values()), "")
        bound = f"{limit:g}" if isinstance(limit, float) else limit
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        value = error.get("input")
        share = (
            kind == "less_than_equal"
            and limit == 1
            and isinstance(value, int | float)
            and 1 < value <= 100
        )
        percent = f"; a share, not a percentage: write {value / 100:g}" if share else ""
        return f"{where}: must be {words} {bound}{got}{percent}"
    if kind == "finite_number":
        return f"{where}: must be a finite number{got}"
    if kind == "literal_error":
        return f"{where}: must be one of {ctx.get('expected')}{got}"
    if kind == "value_error":
        return f"{where}: {str(ctx.get('error', error['msg']))}"
    if kind == "int_from_float":
        return f"{where}: must be a whole number{got}"
    if kind == "list_type" and _field_takes_one_string(tuple(error["loc"])):
        scalar = not isinstance(error.get("input"), list | dict | bytes | type(None))
        return f"{where}: must be text or a list of text{got}" + (
            "; put it in quotes to make it text" if scalar else ""
        )
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        command = error.get("input") if key == "target" else None
        hint = (
            f"; write {{type: command, command: {json.dumps(command)}}} (see docs/targets.md)"
            if isinstance(command, str)
            else ""
        )
        return f"{where}: must be a mapping (`key: value` lines){got}{hint}"
    for prefix, words in (
        ("string", "text"),
        ("int", "a whole number"),
        ("float", "a number"),
        ("bool", "true or false"),
        ("list", "a list"),
    ):
        if kind.startswith(prefix + "_"):
            unit = " of seconds, e.g. 60" if words == "a number" and str(key).endswith("_s") else ""
            scalar = not isinstance(error.get("input"), list | dict | bytes | type(None))
            quote = "; put it in quotes to make it text" if words == "text" and scalar else ""
            return f"{where}: must be {words}{unit}{got}{quote}"
    message = error["msg"].replace("Input should be", "must be")
    return f"{where}: {message[:1].lower()}{message[1:]}{got}"


def _got(error: dict) -> str:
    value = error.get("input")
    return "; the key has no value" if value is None else f" (got {_shown(value)})"


def _shown(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return shorten(text, 60, "...")


def _branch_words(branch) -> str:
    words = {
        "str": "text",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "FileRef": "{file: PATH}",
    }
    return words.get(str(branch), str(branch))


# -- walking the schema ------------------------------------------------------------------------
def _union_members(tp) -> list:
    """The members of a union (Optional's None dropped); [tp] for anything else."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = []
        for arg in typing.get_args(tp):
            if arg is not type(None):
                members.extend(_union_members(arg))
        return members
    return [tp]


def _branch(members: list, element) -> object | None:
    """The member a pydantic branch name denotes: a model's name, its `type` tag, or a
    plain type's name ('str', 'int', 'function-after[...]' wrapped ones included)."""
    if not isinstance(element, str):
        return None
    for member in members:
        base = member
        while typing.get_origin(base) is typing.Annotated:
            base = typing.get_args(base)[0]
        if isinstance(base, type) and issubclass(base, BaseModel):
            tag = base.model_fields.get("type")
            if base.__name__ == element or (
                tag is not None and element in typing.get_args(tag.annotation)
            ):
                return member
        elif isinstance(base, type) and base.__name__ == element:
            return member
    return None


def _models_in(tp) -> list[type[BaseModel]]:
    return [m for m in _union_members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]


def _child_type(tp, element):
    members = _union_members(tp)
    if len(members) != 1:
        return tp
    tp = members[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if isinstance(element, str) and element in tp.model_fields:
            return tp.model_fields[element].annotation
        return tp
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and isinstance(element, int):
        return args[0]
    if origin is dict:
        return args[1] if element != "[key]" else args[0]
    return tp
