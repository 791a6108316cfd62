"""Read a suite file into resolved, frozen case specs, or fail with every located error.

Resolution happens once here (defaults inherited from the suite, `{file: ...}` values read,
the definition hashed) so later stages never re-derive settings or re-read files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml
from pydantic import ValidationError

from driftgate.config.messages import did_you_mean, issues_from
from driftgate.config.schema import (
    Case,
    Checks,
    FileRef,
    GateConfig,
    JudgeConfig,
    MonitorConfig,
    Price,
    Suite,
    SuiteFile,
    Target,
)
from driftgate.config.source import MAX_SUITE_BYTES, TextProblem, decode_utf8, explain_syntax_error
from driftgate.config.template import MissingVariable, placeholders, render
from driftgate.config.yaml_positions import Located, YAMLStructureError, load_located
from driftgate.errors import ConfigError, ConfigIssue, UsageError
from driftgate.text import noun, short_hash

DEFAULT_CONFIG = "llm-evals.yaml"
SEQUENTIAL_FACTOR = 6  # default max_samples = 6 × samples
MAX_FILE_REF_BYTES = 10 * 1024 * 1024
GIT_DIR = ".git"  # no {file: ...} reads inside it, whatever links lead there


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
    grounding_method: str = "embedding"  # or "judge": the judge model verifies each sentence

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
                f"no value for prompt {noun(len(missing), 'placeholder')} {names}: add it under "
                f"`vars:` of case '{self.name}' (line {self.line})"
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
    monitor: MonitorConfig = MonitorConfig()
    warnings: tuple[ConfigIssue, ...] = ()
    max_output_chars: int = 1_000_000
    # The suite's value of each SUITE_DEFAULTS key: what a case that sets none of them gets,
    # and what a production sample no case names is held to (monitor).
    case_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    # The parsed YAML with every key's position: later checks point at the line they mean.
    located: Located | None = field(default=None, repr=False, compare=False)

    def issue(self, loc: tuple, message: str, severity: str = "error") -> ConfigIssue:
        """A problem located at a key path such as ("eval_suite", "embedding_model")."""
        line, col = self.located.position(loc) if self.located else (1, 1)
        return ConfigIssue(str(self.path), line, col, message, severity)

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


def repo_root(start: Path, git=None) -> Path:
    """The git work tree holding `start`, else its own folder: the boundary for file reads."""
    from driftgate.git import Git

    folder = start if start.is_dir() else start.parent
    return (git or Git()).toplevel(folder) or folder.resolve()


def load_suite(path: str | Path = DEFAULT_CONFIG, root: Path | None = None, git=None) -> SuiteSpec:
    """Load and validate; raises ConfigError listing every problem with file:line:col."""
    path = Path(path)
    display = str(path)
    data = _read_suite_bytes(path, display)
    try:
        text = decode_utf8(data, yaml_text=True)
    except TextProblem as exc:
        raise ConfigError([exc.issue(display)]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode does
    suite, located = parse_suite_text(text, display)
    root = (root or repo_root(path, git)).resolve()
    return resolve(suite, located, path, root, hashlib.sha256(text.encode()).hexdigest())


def _read_suite_bytes(path: Path, display: str) -> bytes:
    try:
        if path.is_dir():
            raise UsageError(f"{display}: is a folder; pass the suite file (--config PATH)")
        if not path.exists():
            loop = " (a symlink that leads nowhere or to itself)" if path.is_symlink() else ""
            raise UsageError(
                f"{display}: suite file not found{loop}. Create it (see docs/suite.md) "
                f"or pass --config PATH."
            )
        if not path.is_file():
            raise UsageError(
                f"{display}: is not a regular file (a pipe or a device); pass the suite file"
            )
        size = path.stat().st_size
        if size > MAX_SUITE_BYTES:
            raise UsageError(
                f"{display}: the suite file is {size:,} bytes; driftgate reads suite files "
                f"up to {MAX_SUITE_BYTES:,} bytes: move long texts into {{file: ...}} references"
            )
        return path.read_bytes()
    except (OSError, ValueError) as exc:  # permission denied, a name too long, a NUL in it
        raise UsageError(f"{display}: cannot read the suite file: {_os_reason(exc)}") from None


def _os_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def parse_suite_text(text: str, display: str) -> tuple[Suite, Located]:
    try:
        located = load_located(text)
    except YAMLStructureError as exc:
        raise ConfigError([exc.issue(display)]) from None
    except yaml.YAMLError as exc:
        line, col, message = explain_syntax_error(exc, text)
        raise ConfigError([ConfigIssue(display, line, col, message)]) from None

    issues = [
        ConfigIssue(display, line, col, f"duplicate key '{key}': remove one of them")
        for key, (line, col) in located.duplicates
    ]
    data = located.data
    if not isinstance(data, dict) or "eval_suite" not in data:
        line, col = located.root
        hint = ""
        if data is None:
            hint = ": the file is empty; see docs/suite.md for a minimal suite"
        elif isinstance(data, dict) and data:
            first = str(next(iter(data)))
            if did_you_mean(first, ["eval_suite"]):
                hint = f" (found '{first}'; did you mean 'eval_suite'?)"
            elif first in Suite.model_fields:
                hint = (
                    f" (found `{first}:`, a key of the suite: add `eval_suite:` as the first "
                    f"line and indent the rest under it)"
                )
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
        issues.extend(issues_from(exc, located, display))
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
            **inherited(case, suite),
            tags=tuple(case.tags),
            trigger_paths=tuple(case.trigger_paths) if case.trigger_paths is not None else None,
            max_samples=max_samples(case, suite),
            **{key: getattr(case, key) for key in AS_WRITTEN},
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
                    f"case '{case.name}': {noun(len(spec.missing_vars), 'placeholder')} "
                    f"{', '.join(spec.missing_vars)} without a value in `vars:`; "
                    "a target that renders the prompt will fail this case",
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
        monitor=suite.monitor,
        max_output_chars=suite.max_output_chars,
        case_defaults=MappingProxyType(suite_defaults(suite)),
        located=located,
    )


# The case keys a CaseSpec takes as the user wrote them (None: unset, decided later).
AS_WRITTEN = (
    "check_grounding",
    "critical",
    "noise_sd",
    "noise_samples",
    "checks",
    "judge",
    "rubric",
    "task",
)

# A case key that is left out takes the suite's value of this key ("the suite's" in the
# default column of docs/suite.md; `max_samples` has its own rule below).
SUITE_DEFAULTS = {
    "target": "target",
    "min_similarity": "default_threshold",
    "grounding_threshold": "grounding_threshold",
    "min_grounding_ratio": "min_grounding_ratio",
    "grounding_mode": "grounding_mode",
    "grounding_method": "grounding_method",
    "samples": "samples",
    "max_drop": "max_drop",
}


def suite_defaults(suite: Suite) -> dict:
    """The suite's values of the SUITE_DEFAULTS keys, under the case keys' names."""
    return {key: getattr(suite, suite_key) for key, suite_key in SUITE_DEFAULTS.items()}


def inherited(case: Case, suite: Suite) -> dict:
    """The case's settings that fall back to the suite's (SUITE_DEFAULTS)."""
    return {key: _first(getattr(case, key), value) for key, value in suite_defaults(suite).items()}


def max_samples(case, suite) -> int:
    """Explicit, else 6 × `samples` (at most 100); never fewer than `samples`."""
    samples = case.samples or suite.samples
    bound = case.max_samples or suite.max_samples or min(100, SEQUENTIAL_FACTOR * samples)
    return max(samples, bound)


def definition_hash(definition: Mapping) -> str:
    """A stable hash of a case as written: key order and YAML formatting don't matter."""
    canonical = json.dumps(definition, sort_keys=True, default=str, separators=(",", ":"))
    return short_hash(canonical)


def _first(value, default):
    return default if value is None else value


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_file_ref(ref: FileRef, suite_path: Path, root: Path) -> str:
    """The referenced file's text; UsageError says what is wrong with it (the caller adds
    the suite line of the reference)."""
    name = ref.file
    try:
        target = (suite_path.parent / name).resolve()
    except RuntimeError:  # Python 3.11: a symlink loop
        raise UsageError(
            f"file '{_short_name(name)}' is a symlink loop; point it at a real file"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"file '{_short_name(name)}' can't be opened: {_os_reason(exc)}") from None
    if not target.is_relative_to(root):
        raise UsageError(
            f"file '{_short_name(name)}' resolves outside the repository ({root}); "
            f"keep referenced files inside the repository"
        )
    if GIT_DIR in target.relative_to(root).parts:
        # git's own files, not the work tree's: a checkout keeps its token in .git/config,
        # and in CI a pull request can point a referenced file there with a symlink.
        raise UsageError(
            f"file '{_short_name(name)}' resolves into the repository's {GIT_DIR} folder "
            f"(git's own files, which can hold the checkout's credentials); name a file of "
            f"the work tree"
        )
    try:
        if target.is_dir():
            raise UsageError(f"file '{_short_name(name)}' is a folder; name a text file")
        if not target.exists():
            raise UsageError(
                f"file '{_short_name(name)}' not found (looked at {target}); "
                f"paths are relative to the suite file"
            )
        if not target.is_file():
            raise UsageError(
                f"file '{_short_name(name)}' is not a regular file (a pipe or device); "
                f"name a text file"
            )
        size = target.stat().st_size
        if size > MAX_FILE_REF_BYTES:
            raise UsageError(
                f"file '{_short_name(name)}' is {size:,} bytes; a referenced file may hold "
                f"up to {MAX_FILE_REF_BYTES:,} bytes"
            )
        data = target.read_bytes()
    except (OSError, ValueError) as exc:
        raise UsageError(f"file '{_short_name(name)}' can't be read: {_os_reason(exc)}") from None
    try:
        return decode_utf8(data, yaml_text=False)
    except TextProblem as exc:
        raise UsageError(f"file '{_short_name(name)}': {exc.message}") from None


def _short_name(name: str) -> str:
    """A file name fit for a message: NUL and other control characters shown escaped,
    an over-long name cut."""
    shown = name.encode("unicode_escape").decode("ascii") if not name.isprintable() else name
    return shown if len(shown) <= 120 else shown[:100] + f"...({len(name)} characters)"
