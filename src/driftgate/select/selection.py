"""Which cases run, and why: every case gets a flag and a reason a person can check.

Selection fails safe: when the change list is unknown, the suite file changed in a way we
can't compare, or a case has no trigger_paths, the case runs. Nothing here imports the
scorer, so a run that selects nothing stays fast.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftgate.config.load import CaseSpec, SuiteSpec, definition_hash
from driftgate.config.yaml_positions import load_located
from driftgate.errors import UsageError
from driftgate.git import Git
from driftgate.select.changes import ChangeSet
from driftgate.select.git import has_commit, show_file, tracked_files
from driftgate.select.patterns import (
    ChangedPaths,
    PatternList,
    attributes_files,
    compile_pattern,
)
from driftgate.text import plural

FULL_RUN = "full run"
SUITE = ("eval_suite",)  # the suite file's root key: where key positions start
UNAVAILABLE = "change list unavailable: running all"
NEW_CASE = "new case"
DEFINITION_CHANGED = "definition changed"
UNTRIGGERED_ALWAYS = "no trigger_paths: always runs"
UNTRIGGERED_FULL_ONLY = "no trigger_paths: runs only in full runs (untriggered: full_only)"
NOT_AFFECTED = "not affected"
NOT_IN_CASES = "not in --cases"


@dataclass(frozen=True)
class Selection:
    case: CaseSpec
    selected: bool
    reason: str
    rule: str = ""  # machine-readable name of the rule that decided, e.g. "trigger"


@dataclass
class SelectionResult:
    selections: list[Selection]
    warnings: list[str] = field(default_factory=list)
    changes: ChangeSet | None = None

    @property
    def selected(self) -> list[CaseSpec]:
        return [s.case for s in self.selections if s.selected]

    @property
    def skipped(self) -> list[Selection]:
        return [s for s in self.selections if not s.selected]


def select_cases(
    suite: SuiteSpec,
    changes: ChangeSet | None,
    *,
    names: list[str] | None = None,
    tags: list[str] | None = None,
    git: Git | None = None,
) -> SelectionResult:
    """Decide every case. `changes=None` is a full run (no change source given, or --all)."""
    _check_filters(suite, names, tags)
    warnings = dead_pattern_warnings(suite, git) + uncovered_script_warnings(suite, git)
    rules = None if changes is None else _ChangeRules(suite, changes, warnings, git)
    selections = []
    for case in suite.cases:
        filtered = _filtered_out(case, names, tags)
        if filtered:
            selections.append(Selection(case, False, filtered, "filter"))
        elif rules is None:
            selections.append(Selection(case, True, FULL_RUN, "full_run"))
        else:
            selections.append(rules.decide(case))
    return SelectionResult(selections, warnings, changes)


def _check_filters(suite: SuiteSpec, names: list[str] | None, tags: list[str] | None) -> None:
    known = [c.name for c in suite.cases]
    for name in names or []:
        if name not in known:
            raise UsageError(f"--cases: no case named '{name}'{_did_you_mean(name, known)}")
    known_tags = sorted({t for c in suite.cases for t in c.tags})
    for tag in tags or []:
        if tag not in known_tags:
            listed = ", ".join(known_tags) if known_tags else "none: no case has tags"
            raise UsageError(
                f"--tags: no case has the tag '{tag}'{_did_you_mean(tag, known_tags)} "
                f"(tags in {suite.path}: {listed})"
            )
    if names and tags and all(_filtered_out(case, names, tags) for case in suite.cases):
        # Each filter names something, together nothing: a run of no case would pass.
        raise UsageError(
            f"--cases {','.join(names)} --tags {','.join(tags)}: no case is in both "
            f"(a case must be named in --cases and have a tag in --tags); drop one of them"
        )


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _filtered_out(case: CaseSpec, names: list[str] | None, tags: list[str] | None) -> str | None:
    if names and case.name not in names:
        return NOT_IN_CASES
    if tags and not set(tags) & set(case.tags):
        return f"no tag in --tags {','.join(tags)}"
    return None


class _ChangeRules:
    """The fail-safe rules for a run limited to a change, applied in a fixed order."""

    def __init__(
        self, suite: SuiteSpec, changes: ChangeSet, warnings: list[str], git: Git | None = None
    ):
        self.suite = suite
        self.changes = changes
        self.known = changes.known
        if not self.known:
            warnings.append(f"change list unavailable, running every case: {changes.describe()}")
            return
        assert changes.files is not None
        if changes.note:
            warnings.append(changes.note)
        self.files = changes.files
        self.changed = ChangedPaths(changes.files)
        always = PatternList(suite.always_run_paths).matched(self.changed, limit=1)
        self.always = always[0][0] if always else None
        self.attributes = attributes_files(self.files)
        self.base_hashes: Mapping[str, str] | None = {}
        self.settings_changed: list[str] = []
        self.suite_changed = suite.relpath in self.files
        if self.suite_changed:
            base = _suite_at_base(suite, changes, git)
            if isinstance(base, str):
                self.base_hashes = None
                warnings.append(
                    f"{suite.relpath} changed but its version at the base can't be compared "
                    f"({base}): every case counts as changed"
                )
            else:
                self.base_hashes, base_settings = base
                now = _settings(load_located(suite.path.read_text(encoding="utf-8")).data)
                self.settings_changed = sorted(
                    key
                    for key in set(now) | set(base_settings)
                    if now.get(key) != base_settings.get(key)
                )

    def decide(self, case: CaseSpec) -> Selection:
        if not self.known:
            return Selection(case, True, UNAVAILABLE, "changes_unknown")
        if self.suite_changed:
            if self.base_hashes is None:
                return Selection(
                    case, True, f"{DEFINITION_CHANGED} (base not comparable)", "definition"
                )
            old = self.base_hashes.get(case.name)
            if old is None:
                return Selection(case, True, NEW_CASE, "new")
            if old != case.definition_hash:
                return Selection(case, True, DEFINITION_CHANGED, "definition")
            if self.settings_changed:
                keys = ", ".join(self.settings_changed)
                return Selection(case, True, f"suite settings changed: {keys}", "settings")
        for path in _input_files(case, self.suite):
            if path in self.files:
                return Selection(case, True, f"input file changed: {path}", "input")
        if case.trigger_paths:
            matched = PatternList(case.trigger_paths).matched(self.changed)
            if matched:
                path, pattern = matched[0]
                more = f" (+{len(matched) - 1} more)" if len(matched) > 1 else ""
                return Selection(case, True, f"matched {path} by '{pattern}'{more}", "trigger")
        if self.always:
            return Selection(case, True, f"always_run path changed: {self.always}", "always_run")
        if self.attributes:
            changed = ", ".join(self.attributes[:3])
            return Selection(case, True, f"git attributes changed: {changed}", "always_run")
        if not case.trigger_paths:
            if self.suite.untriggered == "full_only":
                return Selection(case, False, UNTRIGGERED_FULL_ONLY, "untriggered")
            return Selection(case, True, UNTRIGGERED_ALWAYS, "untriggered")
        return Selection(case, False, NOT_AFFECTED, "not_affected")


# Suite keys that can't change any case's outcome; editing any other suite-level key
# (target, embedding_model, thresholds, judge, samples, ...) runs every case.
NEUTRAL_SETTINGS = frozenset(
    {
        "name",
        "description",
        "concurrency",
        "cache",
        "always_run_paths",
        "untriggered",
        "pricing",
        "gate",
    }
)


def _settings(data) -> dict:
    suite = data["eval_suite"]
    return {k: v for k, v in suite.items() if k != "cases" and k not in NEUTRAL_SETTINGS}


def _suite_at_base(
    suite: SuiteSpec, changes: ChangeSet, git: Git | None = None
) -> tuple[Mapping[str, str], dict] | str:
    """Each case's definition hash and the suite-level settings at the base commit.

    ({}, {}) if the file did not exist there (every case is new); a reason string if it
    can't be read or parsed there, so every case runs.
    """
    base = changes.base
    if base is None:
        return f"{changes.source} names no base commit; use --changed-since REF"
    if not has_commit(base, suite.root, git):
        return f"base commit {base[:12]} is not in this clone"
    text = show_file(base, suite.relpath, suite.root, git)
    if text is None:
        return {}, {}
    try:
        data = load_located(text).data
        hashes = {
            str(raw["name"]): definition_hash(raw)
            for raw in data["eval_suite"]["cases"]
            if isinstance(raw, dict) and "name" in raw
        }
        return hashes, _settings(data)
    except Exception as exc:  # any shape at all may be in an old commit
        return f"it does not parse at {base[:12]}: {exc.__class__.__name__}"


def _input_files(case: CaseSpec, suite: SuiteSpec) -> list[str]:
    """Repo-relative paths of the `{file: ...}` values a case reads (vars, context): each as
    written, the folders on its way and the file it leads to. git lists a symlink by its own
    path: a PR that turns the file, or a folder on the way, into a link to another file
    changes what the case reads without changing that file."""
    refs = []
    definition = case.definition
    values = list((definition.get("vars") or {}).values()) + [definition.get("context")]
    for value in values:
        if isinstance(value, Mapping) and isinstance(value.get("file"), str):
            refs.append(value["file"])
    out: list[str] = []
    for ref in refs:
        written = Path(os.path.normpath(suite.path.parent.absolute() / ref))
        for path in (written, *written.parents, written.resolve()):
            try:
                relative = path.relative_to(suite.root).as_posix()
            except ValueError:
                continue
            if relative != "." and relative not in out:
                out.append(relative)
    return out


def dead_pattern_warnings(suite: SuiteSpec, git: Git | None = None) -> list[str]:
    """Patterns that can never match a tracked file: a typo there would hide a case."""
    patterns = [
        (f"case '{c.name}'", _pattern_loc(c, i), p)
        for c in suite.cases
        for i, p in enumerate(c.trigger_paths or ())
    ] + [
        ("always_run_paths", (*SUITE, "always_run_paths", i), p)
        for i, p in enumerate(suite.always_run_paths)
    ]
    if not patterns:
        return []
    tracked = tracked_files(suite.root, git)
    tracked_paths = ChangedPaths(tracked) if tracked is not None else None
    out = []
    for owner, loc, text in patterns:
        pattern = compile_pattern(text)
        dead = tracked_paths is not None and not pattern.negate and not tracked_paths.hits(pattern)
        if not (pattern.problem or pattern.note or dead):
            continue
        where = f"{suite.relpath}:{_line_at(suite, loc)}"
        if pattern.problem:
            out.append(f"{where}: {owner}: pattern '{text}' {pattern.problem}; it never matches")
            continue
        if pattern.note:
            out.append(f"{where}: {owner}: pattern '{text}': {pattern.note}")
        if dead:
            parts = [part.strip() for part in text.split(",") if part.strip()]
            fix = (
                f"one pattern per list item: write {parts!r}, not one text with commas"
                if len(parts) > 1
                else "fix the path (a dead pattern never selects the case)"
            )
            out.append(f"{where}: {owner}: pattern '{text}' matches no file tracked by git; {fix}")
    return out


def uncovered_script_warnings(suite: SuiteSpec, git: Git | None = None) -> list[str]:
    """A `command` target's script that no pattern of a case with trigger_paths matches:
    an edit to it selects none of those cases and changes none of their cache keys."""
    tracked: set[str] | None = None
    always = PatternList(suite.always_run_paths)
    uncovered: dict[str, list[str]] = {}
    command_at: dict[str, tuple] = {}  # each script's first command, for the warning's line
    for case in suite.cases:
        command = getattr(case.target, "command", None)
        if not command or not case.trigger_paths:
            continue  # no trigger_paths: the case depends on every tracked file already
        if tracked is None:
            tracked = set(tracked_files(suite.root, git) or ())
        own = PatternList(case.trigger_paths)
        for path in _command_files(command, tracked):
            if always.match(path) is None and own.match(path) is None:
                uncovered.setdefault(path, []).append(case.name)
                target = (*SUITE, "cases", case.index) if "target" in case.definition else SUITE
                command_at.setdefault(path, (*target, "target", "command"))
    out = []
    for path, names in uncovered.items():
        line = _line_at(suite, command_at[path])
        shown = ", ".join(names[:5]) + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")
        out.append(
            f"{suite.relpath}:{line}: the command target runs '{path}', which the "
            f"trigger_paths of {plural(len(names), 'case')} ({shown}) don't match: an edit to "
            f"it selects none of them and reuses their cached outputs; add '{path}' to "
            f"always_run_paths"
        )
    return out


def _command_files(command: str, tracked: set[str]) -> list[str]:
    """The words of a command that are tracked files (it runs from the repository root)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    found = []
    for word in words:
        path = posixpath.normpath(word) if word else word
        if path in tracked and path not in found:
            found.append(path)
    return found


def _pattern_loc(case: CaseSpec, index: int) -> tuple:
    """Where the suite file writes a case's index-th trigger pattern (one string: the key)."""
    loc = (*SUITE, "cases", case.index, "trigger_paths")
    return loc if isinstance(case.definition.get("trigger_paths"), str) else (*loc, index)


def _line_at(suite: SuiteSpec, loc: tuple) -> int:
    """The line of a key the loader parsed (the deepest part of `loc` the file has)."""
    return suite.located.position(loc)[0] if suite.located else 1
