"""Read a suite file into resolved, frozen case specs, or fail with every located error.

Resolution happens once here (defaults inherited from the suite, `{file: ...}` values read,
the definition hashed) so later stages never re-derive settings or re-read files.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml
from pydantic import BaseModel, ValidationError

from driftgate.config.schema import (
    Checks,
    FileRef,
    GateConfig,
    JudgeConfig,
    Price,
    Suite,
    SuiteFile,
    Target,
)
from driftgate.config.yaml_positions import Located, load_located
from driftgate.errors import ConfigError, ConfigIssue, UsageError

DEFAULT_CONFIG = "llm-evals.yaml"
SEQUENTIAL_FACTOR = 6  # default max_samples = 6 × samples
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


class MissingVariable(Exception):
    """The prompt names a placeholder the case gives no value for."""


@dataclass(frozen=True)
class CaseSpec:
    """One case with every setting resolved: what every later stage reads."""

    name: str
    index: int
    line: int
    prompt: str
    expected: str
    context: str | None
    vars: Mapping[str, str]
    target: Target | None
    min_similarity: float
    check_grounding: bool
    grounding_threshold: float
    min_grounding_ratio: float
    grounding_mode: str
    critical: bool
    tags: tuple[str, ...]
    trigger_paths: tuple[str, ...] | None
    samples: int
    max_samples: int  # the bound of sequential sampling, and a critical case's baseline size
    max_drop: float | None  # None: the case's noise decides (see compare/rules.py)
    noise_sd: float | None  # measured by `driftgate calibrate`
    noise_samples: int | None
    checks: Checks | None
    judge: bool | None
    rubric: str | None
    task: str | None
    definition: Mapping = field(repr=False)
    definition_hash: str = ""

    @property
    def placeholders(self) -> list[str]:
        return placeholders(self.prompt)

    @property
    def missing_vars(self) -> list[str]:
        return [name for name in self.placeholders if name not in self.vars]

    def render_prompt(self) -> str:
        """The prompt with `{name}` filled from vars; `{{`/`}}` are literal braces."""
        missing = self.missing_vars
        if missing:
            names = ", ".join(missing)
            raise MissingVariable(
                f"prompt placeholder(s) {names} have no value: add them under `vars:` "
                f"of case '{self.name}' (line {self.line})"
            )
        return render(self.prompt, self.vars)


@dataclass(frozen=True)
class SuiteSpec:
    path: Path
    root: Path
    name: str
    embedding_model: str
    target: Target | None
    gate: GateConfig
    judge: JudgeConfig
    pricing: Mapping[str, Price]
    concurrency: int
    cache: str
    samples: int
    pass_at_k: tuple[int, ...]
    always_run_paths: tuple[str, ...]
    untriggered: str
    cases: tuple[CaseSpec, ...]
    file_hash: str
    warnings: tuple[ConfigIssue, ...] = ()

    @property
    def relpath(self) -> str:
        """The suite file relative to the repository root, as git and annotations name it."""
        try:
            return self.path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return self.path.name

    def case(self, name: str) -> CaseSpec:
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(name)


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


def repo_root(start: Path) -> Path:
    """The git work tree holding `start`, else its own folder: the boundary for file reads."""
    folder = start if start.is_dir() else start.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        out = None
    if out is not None and out.returncode == 0 and out.stdout.strip():
        return Path(out.stdout.strip()).resolve()
    return folder.resolve()


def load_suite(path: str | Path = DEFAULT_CONFIG, root: Path | None = None) -> SuiteSpec:
    """Load and validate; raises ConfigError listing every problem with file:line:col."""
    path = Path(path)
    display = str(path)
    if not path.is_file():
        raise UsageError(
            f"{display}: suite file not found. Create it (see README 'The suite file') "
            f"or pass --config PATH."
        )
    text = path.read_text(encoding="utf-8")
    suite, located = parse_suite_text(text, display)
    root = (root or repo_root(path)).resolve()
    return resolve(suite, located, path, root, hashlib.sha256(text.encode()).hexdigest())


def parse_suite_text(text: str, display: str) -> tuple[Suite, Located]:
    try:
        located = load_located(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
        raise ConfigError(
            [ConfigIssue(display, line, col, f"YAML syntax error: {problem}; fix the syntax here")]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(display, 1, 1, f"YAML error: {exc}")]) from None

    issues = [
        ConfigIssue(display, line, col, f"duplicate key '{loc[-1]}': remove one of them")
        for loc, (line, col) in located.duplicates
    ]
    data = located.data
    if not isinstance(data, dict) or "eval_suite" not in data:
        line, col = located.position(())
        hint = ""
        if isinstance(data, dict):
            close = difflib.get_close_matches(str(next(iter(data), "")), ["eval_suite"], n=1)
            hint = f" (found '{next(iter(data))}'; did you mean 'eval_suite'?)" if close else ""
        issues.append(
            ConfigIssue(
                display, line, col, f"the file must start with a top-level `eval_suite:` key{hint}"
            )
        )
        raise ConfigError(issues)

    issues.extend(_duplicate_case_names(data, located, display))
    try:
        parsed = SuiteFile.model_validate(data)
    except ValidationError as exc:
        issues.extend(_issues_from(exc, located, display))
        parsed = None
    if issues:
        raise ConfigError(sorted(issues, key=lambda i: (i.line, i.col)))
    assert parsed is not None
    return parsed.eval_suite, located


def _duplicate_case_names(data: dict, located: Located, display: str) -> list[ConfigIssue]:
    """Checked on the raw data so it is reported alongside every other error."""
    suite = data.get("eval_suite")
    cases = suite.get("cases") if isinstance(suite, dict) else None
    first: dict[str, int] = {}
    issues = []
    for index, case in enumerate(cases if isinstance(cases, list) else []):
        name = case.get("name") if isinstance(case, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            line, col = located.position(("eval_suite", "cases", index, "name"))
            first_line = located.position(("eval_suite", "cases", first[name], "name"))[0]
            issues.append(
                ConfigIssue(
                    display,
                    line,
                    col,
                    f"duplicate case name '{name}' (first used on line {first_line}): "
                    f"case names must be unique",
                )
            )
        else:
            first[name] = index
    return issues


def _issues_from(exc: ValidationError, located: Located, display: str) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line, col = located.position(loc)
        where = _dotted(loc, located)
        kind = error["type"]
        if kind == "extra_forbidden":
            message = _unknown_key_message(loc, where)
        elif kind == "missing":
            message = f"{where}: required key '{loc[-1]}' is missing; add it"
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            message = (
                f"{where}: `type` must be one of command, outputs, anthropic (see README 'Targets')"
            )
        elif kind in {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}:
            message = f"{where}: {error['msg'].lower()} (got {error.get('input')!r})"
        else:
            message = f"{where}: {error['msg']} (got {_short(error.get('input'))})"
        issues.append(ConfigIssue(display, line, col, message))
    # A union reports each branch's failure; one message per location is enough.
    unique: dict[tuple[int, int, str], ConfigIssue] = {}
    for issue in issues:
        unique.setdefault((issue.line, issue.col, issue.message), issue)
    return list(unique.values())


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(loc: tuple, located: Located) -> str:
    """A readable key path, naming cases by their name instead of their index."""
    parts: list[str] = []
    walked: tuple = ()
    data = located.data
    for element in loc:
        candidate = (*walked, element)
        if candidate not in located.positions:
            continue
        walked = candidate
        if isinstance(element, int):
            name = None
            if isinstance(data, list) and element < len(data) and isinstance(data[element], dict):
                name = data[element].get("name")
            parts[-1] = f"{parts[-1]}[{name!r}]" if name else f"{parts[-1]}[{element}]"
        else:
            parts.append(str(element))
        data = data[element] if isinstance(data, (dict, list)) else None
    return ".".join(parts) or "file"


def _unknown_key_message(loc: tuple, where: str) -> str:
    key = str(loc[-1])
    allowed = _fields_at(loc[:-1])
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    suggestion = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"{where}: unknown key '{key}': {suggestion}valid keys here: {', '.join(sorted(allowed))}"
    )


def _fields_at(loc: tuple) -> list[str]:
    """The field names of the model found at a pydantic error location."""
    model: object = SuiteFile
    for element in loc:
        model = _child_type(model, element)
    models = _models_in(model)
    return list(models[0].model_fields) if len(models) == 1 else []


def _models_in(tp) -> list[type[BaseModel]]:
    """Every pydantic model a type annotation can hold (through Annotated, Optional, unions)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _models_in(arg)]
    return []


def _child_type(tp, element):
    models = _models_in(tp)
    if len(models) > 1:  # a union of targets keyed by its `type` tag, e.g. 'command'
        for model in models:
            tag = model.model_fields.get("type")
            if tag is not None and element in typing.get_args(tag.annotation):
                return model
        return tp
    if models:
        model = models[0]
        if isinstance(element, str) and element in model.model_fields:
            return model.model_fields[element].annotation
        return model
    while typing.get_origin(tp) is typing.Annotated or (
        typing.get_origin(tp) in (typing.Union, types.UnionType)
    ):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and isinstance(element, int):
        return args[0]
    if origin is dict and isinstance(element, str):
        return args[1]
    return tp


def resolve(suite: Suite, located: Located, path: Path, root: Path, file_hash: str) -> SuiteSpec:
    display = str(path)
    issues: list[ConfigIssue] = []
    warnings: list[ConfigIssue] = []
    cases = []
    raw_cases = located.data["eval_suite"]["cases"]
    for index, case in enumerate(suite.cases):
        loc = ("eval_suite", "cases", index)
        line = located.position(loc)[0]

        def read(ref: FileRef, key: tuple, loc=loc) -> str:
            try:
                return _read_file_ref(ref, path, root)
            except UsageError as exc:
                line_, col = located.position((*loc, *key))
                issues.append(ConfigIssue(display, line_, col, str(exc)))
                return ""

        values = {
            name: (
                read(value, ("vars", name, "file")) if isinstance(value, FileRef) else _text(value)
            )
            for name, value in case.vars.items()
        }
        context = case.context
        if isinstance(context, FileRef):
            context = read(context, ("context", "file"))
        definition = raw_cases[index]
        spec = CaseSpec(
            name=case.name,
            index=index,
            line=line,
            prompt=case.prompt,
            expected=case.expected.strip(),
            context=context,
            vars=MappingProxyType(values),
            target=case.target or suite.target,
            min_similarity=_first(case.min_similarity, suite.default_threshold),
            check_grounding=case.check_grounding,
            grounding_threshold=_first(case.grounding_threshold, suite.grounding_threshold),
            min_grounding_ratio=_first(case.min_grounding_ratio, suite.min_grounding_ratio),
            grounding_mode=case.grounding_mode or suite.grounding_mode,
            critical=case.critical,
            tags=tuple(case.tags),
            trigger_paths=tuple(case.trigger_paths) if case.trigger_paths is not None else None,
            samples=case.samples or suite.samples,
            max_samples=max_samples(case, suite),
            max_drop=_first(case.max_drop, suite.max_drop),
            noise_sd=case.noise_sd,
            noise_samples=case.noise_samples,
            checks=case.checks,
            judge=case.judge,
            rubric=case.rubric,
            task=case.task,
            definition=MappingProxyType(definition),
            definition_hash=definition_hash(definition),
        )
        if spec.missing_vars:
            l_, c_ = located.position((*loc, "prompt"))
            warnings.append(
                ConfigIssue(
                    display,
                    l_,
                    c_,
                    f"case '{case.name}': placeholder(s) {', '.join(spec.missing_vars)} have no "
                    f"value in `vars:`; a target that renders the prompt will fail this case",
                    severity="warning",
                )
            )
        if case.check_grounding and not context:
            l_, c_ = located.position((*loc, "check_grounding"))
            warnings.append(
                ConfigIssue(
                    display,
                    l_,
                    c_,
                    f"case '{case.name}': check_grounding is on but the case has no `context:`; "
                    f"grounding is skipped",
                    severity="warning",
                )
            )
        cases.append(spec)
    fewest = min(cases, key=lambda c: c.samples, default=None)
    for k in suite.pass_at_k:
        if fewest is not None and k > fewest.samples:
            l_, c_ = located.position(("eval_suite", "pass_at_k"))
            warnings.append(
                ConfigIssue(
                    display,
                    l_,
                    c_,
                    f"pass@{k} needs {k} samples per case and case '{fewest.name}' has "
                    f"{fewest.samples}; it is not reported (raise `samples:` to {k} or more)",
                    severity="warning",
                )
            )
    if issues:
        raise ConfigError(issues)
    return SuiteSpec(
        path=path,
        root=root,
        name=suite.name,
        embedding_model=suite.embedding_model,
        target=suite.target,
        gate=suite.gate,
        judge=suite.judge,
        pricing=MappingProxyType(dict(suite.pricing)),
        concurrency=suite.concurrency,
        cache=suite.cache,
        samples=suite.samples,
        pass_at_k=tuple(suite.pass_at_k),
        always_run_paths=tuple(suite.always_run_paths),
        untriggered=suite.untriggered,
        cases=tuple(cases),
        file_hash=file_hash,
        warnings=tuple(warnings),
    )


def max_samples(case, suite) -> int:
    """Explicit, else 6 × `samples` (at most 100); never fewer than `samples`."""
    samples = case.samples or suite.samples
    bound = case.max_samples or suite.max_samples or min(100, SEQUENTIAL_FACTOR * samples)
    return max(samples, bound)


def definition_hash(definition: Mapping) -> str:
    """A stable hash of a case as written: key order and YAML formatting don't matter."""
    canonical = json.dumps(definition, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _first(value, default):
    return default if value is None else value


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_file_ref(ref: FileRef, suite_path: Path, root: Path) -> str:
    target = (suite_path.parent / ref.file).resolve()
    if not target.is_relative_to(root):
        raise UsageError(
            f"file '{ref.file}' resolves outside the repository ({root}); "
            f"keep referenced files inside the repository"
        )
    if not target.is_file():
        raise UsageError(
            f"file '{ref.file}' not found (looked at {target}); "
            f"paths are relative to the suite file"
        )
    return target.read_text(encoding="utf-8")
