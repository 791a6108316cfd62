"""Does a changed *file* match a list of gitignore-style patterns?

pathspec parses each pattern (escapes, anchoring, `**`, classes, invalid patterns dropped like
git does); this module decides what a match means for a changed file, because neither of git's
own readings fits a trigger:

* file-level, like `git check-attr`: `src/*` matches `src/a.py` but not `src/sub/a.py`, `*.py`
  matches Python files only, and `!src/legacy/**` really excludes `src/legacy/` from `src/**`;
* plus the directory rule of `git check-ignore` where the user named a directory: a pattern
  ending in `/`, or whose last part is a plain name (`prompts/router`, `build`, `**/fixtures`),
  also matches every file below a matching directory.

The last matching pattern wins; `!pattern` excludes. docs/selection.md ("How patterns match")
lists every difference from git, and tests/selection/test_oracle.py checks each one against git.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

GIT_ATTRIBUTES = ".gitattributes"  # in any folder: decides the bytes a checkout writes
_DIR_MARK_OPT = "(?:(?P<ps_d>/)|$)"
_WILDCARD = re.compile(r"[*?\[]")
_SPECIAL = re.compile(r"[*?\[\\]")
_ESCAPED = re.compile(r"\\.")


@dataclass(frozen=True)
class Pattern:
    """One compiled trigger pattern.

    Common shapes (`dir/**`, a plain path, a plain name) are matched with string operations;
    only the rest compile a regex, lazily: compiling thousands of regexes would cost more
    than all the matching.
    """

    text: str
    negate: bool = False
    dir_only: bool = False  # ends with '/': matches files below a matching directory only
    dir_rule: bool = False  # also matches files below a matching directory
    prefix: str | None = None  # literal start of every path an anchored pattern can match
    name_only: bool = False  # unanchored single part (`*.py`, `build`): matched per path part
    problem: str | None = None  # why the pattern can never match (comment, invalid, empty)
    note: str | None = None  # where this pattern means something else to git
    kind: str = "regex"  # "inside" (dir/**), "path" (a/b), "name" (build), or "regex"
    literal: str = ""  # the literal of the string kinds
    required: str = ""  # text every matching "/path/" contains (a cheap pre-check)
    core: str = field(default="", repr=False)  # the pattern without `!` and trailing '/'

    @property
    def valid(self) -> bool:
        return self.problem is None

    @cached_property
    def exact(self) -> str:
        """Regex (no end anchor) for the path itself, from pathspec's translation."""
        return _exact_regex(self.core) or "(?!)"

    @cached_property
    def file_re(self) -> re.Pattern:
        return re.compile(self.exact + r"\Z")

    @cached_property
    def dir_re(self) -> re.Pattern:
        return re.compile(self.exact + "/")

    def matches(self, path: str) -> bool:
        """True if this pattern (ignoring its `!`) applies to the file `path`."""
        if self.problem is not None:
            return False
        kind, lit = self.kind, self.literal
        if kind == "inside":
            return path.startswith(lit)
        if kind == "path":
            return (not self.dir_only and path == lit) or path.startswith(lit + "/")
        if kind == "name":
            if not self.dir_only and (path == lit or path.endswith("/" + lit)):
                return True
            return ("/" + path).find("/" + lit + "/") >= 0
        if self.required and self.required not in f"/{path}/":
            return False
        if not self.dir_only and self.file_re.match(path):
            return True
        return self.dir_rule and self.dir_re.match(path) is not None

    def matches_name(self, name: str) -> bool:
        """For a name_only pattern: does one path part (a file or folder name) match?"""
        if self.kind == "name":
            return name == self.literal
        return self.file_re.match(name) is not None


def attributes_files(paths: Iterable[str]) -> list[str]:
    """The `.gitattributes` files among `paths`: they change what every file below them
    reads as in a checkout (`eol`, `working-tree-encoding`, `ident`, filters) while its blob
    stays the same, so every case depends on them, whatever its trigger_paths say."""
    return [p for p in paths if p.rsplit("/", 1)[-1] == GIT_ATTRIBUTES]


@lru_cache(maxsize=65536)
def compile_pattern(text: str) -> Pattern:
    """Compile one pattern; cached so a pattern shared by many cases is compiled once."""
    body = text if text.endswith("\\ ") else text.rstrip(" ")
    if not body.strip():
        return Pattern(text, problem="empty pattern")
    if body.startswith("#"):
        return Pattern(text, problem="starts with '#', which makes it a comment (write '\\#')")
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    dir_only = body.endswith("/")
    core = body.rstrip("/")
    if not core:
        return Pattern(text, negate=negate, problem="matches nothing ('/' alone names no file)")
    if core.startswith("!"):
        core = "\\" + core  # a literal '!' after the negation mark
    last = _ESCAPED.sub("", core.rsplit("/", 1)[-1])
    dir_rule = dir_only or not _WILDCARD.search(last)
    prefix = _literal_prefix(core)
    single = core[3:] if core.startswith("**/") else core
    name_only = "/" not in single and "**" not in single
    kind, literal = "regex", ""
    plain = core.lstrip("/")
    if name_only and not _SPECIAL.search(single):
        kind, literal = "name", single  # 'build', '**/fixtures'
    elif not _SPECIAL.search(plain) and prefix is not None:
        kind, literal, prefix = "path", plain, plain  # 'prompts/router'
    elif (
        plain.endswith("/**")
        and not dir_only
        and prefix is not None
        and not _SPECIAL.search(plain[:-3])
    ):
        kind, literal = "inside", plain[:-2]  # 'src/router/**'
    exact = None
    if kind == "regex":  # only these need pathspec's translation (it costs more than matching)
        exact = _exact_regex(core)
        if exact is None:
            return Pattern(
                text,
                negate=negate,
                problem="is not a valid pattern (git ignores it), e.g. an unclosed '['",
            )
    pattern = Pattern(
        text,
        negate=negate,
        dir_only=dir_only,
        dir_rule=dir_rule,
        prefix=prefix,
        name_only=name_only,
        note=_double_star_note(core),
        kind=kind,
        literal=literal,
        required=_required_literal(core),
        core=core,
    )
    if exact is not None:
        pattern.__dict__["exact"] = exact  # seed the cached_property
    return pattern


def _exact_regex(core: str) -> str | None:
    """pathspec's regex for the pattern, cut to match the path itself; None if invalid."""
    regex, include = GitIgnoreSpecPattern.pattern_to_regex(core)
    if regex is None or include is None:
        return None
    if regex.endswith(_DIR_MARK_OPT):
        return regex[: -len(_DIR_MARK_OPT)]
    if regex == ".":  # '*' and '**': every path
        return "^[^\n]+"
    if regex.endswith("/"):  # 'dir/**': everything inside
        return regex + "[^\n]+"
    # pragma: no cover - pathspec produced a form this module doesn't know
    raise ValueError(f"unexpected pathspec regex {regex!r} for pattern {core!r}")


def _required_literal(core: str) -> str:
    """The longest run of plain text that every matching path, written "/path/", contains.

    Wrapping the path in slashes keeps runs like "/fixtures/" of "**/fixtures/**" valid
    when '**/' matches no folder at all. Only text before any '[' or '\\' is used.
    """
    before_class = re.split(r"[\[\\]", core, maxsplit=1)[0]
    runs = re.split(r"[*?]", before_class)
    return max(runs, key=len) if runs else ""


def _double_star_note(core: str) -> str | None:
    """pathspec reads `**` ending a name (`foo**/bar`, `a/b**`) as `*`; git lets it span
    folders there (elsewhere, as in `foo**bar`, git reads it as `*` too)."""
    for segment in _ESCAPED.sub("", core).split("/"):
        if segment.endswith("**") and segment.strip("*"):
            return (
                f"'**' inside a name ('{segment}') acts like '*' here (git would let it span "
                f"folders): write '**' as a whole path part, e.g. 'foo*/**/bar'"
            )
    return None


def _literal_prefix(core: str) -> str | None:
    """The fixed leading folders of an anchored pattern, to skip paths that can't match.

    None for an unanchored pattern (`*.py`, `build`): it can match at any depth.
    """
    anchored = core.startswith("/") or "/" in core
    if not anchored:
        return None
    core = core.lstrip("/")
    cut = len(core)
    for index, char in enumerate(core):
        if char in "*?[\\":
            cut = index
            break
    head = core[:cut]
    return head[: head.rfind("/") + 1]


class ChangedPaths:
    """The changed files, sorted once, with each pattern's hits computed once and shared.

    Anchored patterns only look at paths under their literal folder (a binary search);
    single-part patterns (`*.py`, `build`) are tested once per distinct file or folder name.
    """

    def __init__(self, paths: Iterable[str]):
        self.paths: list[str] = sorted(set(paths))
        self._hits: dict[str, frozenset[int]] = {}
        self._names: tuple | None = None
        self._path_lines: _Lines | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def hits(self, pattern: Pattern) -> frozenset[int]:
        """Indexes of the paths the pattern applies to (its `!` ignored)."""
        found = self._hits.get(pattern.text)
        if found is None:
            found = frozenset(self._scan(pattern))
            self._hits[pattern.text] = found
        return found

    def _scan(self, pattern: Pattern) -> Iterable[int]:
        if not pattern.valid:
            return ()
        if pattern.name_only:
            return self._scan_names(pattern)
        paths = self.paths
        if pattern.prefix:
            start = bisect.bisect_left(paths, pattern.prefix)
            stop = bisect.bisect_left(paths, pattern.prefix + "\U0010ffff", lo=start)
            candidates: Iterable[int] = range(start, stop)
        elif pattern.required:
            candidates = self._lines().containing(pattern.required)
        else:
            candidates = range(len(paths))
        return [i for i in candidates if pattern.matches(paths[i])]

    def _scan_names(self, pattern: Pattern) -> list[int]:
        files, folders, file_names, folder_names = self._name_index()
        out: list[int] = []
        if pattern.kind == "name":
            if not pattern.dir_only:
                out += files.get(pattern.literal, ())
            out += folders.get(pattern.literal, ())
            return out
        for wanted, index, names in (
            (not pattern.dir_only, files, file_names),
            (pattern.dir_rule, folders, folder_names),
        ):
            if not wanted:
                continue
            candidates = (
                names.containing(pattern.required) if pattern.required else range(len(names.items))
            )
            for i in candidates:
                name = names.items[i]
                if pattern.matches_name(name):
                    out += index[name]
        return out

    def _lines(self) -> _Lines:
        if self._path_lines is None:
            self._path_lines = _Lines(self.paths)
        return self._path_lines

    def _name_index(self):
        """File name -> paths, and folder name -> paths below a folder of that name."""
        if self._names is None:
            files: dict[str, list[int]] = {}
            folders: dict[str, list[int]] = {}
            for index, path in enumerate(self.paths):
                *dirs, name = path.split("/")
                files.setdefault(name, []).append(index)
                for folder in set(dirs):
                    folders.setdefault(folder, []).append(index)
            self._names = files, folders, _Lines(list(files)), _Lines(list(folders))
        return self._names


class _Lines:
    """Strings joined as "/item/" lines, to find the ones containing a text at C speed."""

    def __init__(self, items: list[str]):
        self.items = items
        self.starts: list[int] = []
        offset = 0
        for item in items:
            self.starts.append(offset)
            offset += len(item) + 3
        self.text = "".join(f"/{item}/\n" for item in items)

    def containing(self, needle: str) -> list[int]:
        out = []
        starts, find = self.starts, self.text.find
        pos = find(needle)
        while pos != -1:
            line = bisect.bisect_right(starts, pos) - 1
            out.append(line)
            if line + 1 >= len(starts):
                break
            pos = find(needle, starts[line + 1])
        return out


class PatternList:
    """An ordered pattern list (one case's trigger_paths, or always_run_paths)."""

    def __init__(self, patterns: Sequence[str]):
        self.patterns: tuple[Pattern, ...] = tuple(compile_pattern(p) for p in patterns)

    def match(self, path: str) -> Pattern | None:
        """The pattern that includes `path` (last match wins), or None."""
        for pattern in reversed(self.patterns):
            if pattern.matches(path):
                return None if pattern.negate else pattern
        return None

    def matched(self, changed: ChangedPaths, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, deciding pattern) for the changed files this list includes, in path order."""
        hits = [changed.hits(p) for p in self.patterns]
        candidates: set[int] = set()
        for pattern, found in zip(self.patterns, hits, strict=True):
            if not pattern.negate:
                candidates |= found
        out: list[tuple[str, str]] = []
        for index in sorted(candidates):
            for pattern, found in zip(reversed(self.patterns), reversed(hits), strict=True):
                if index in found:
                    if not pattern.negate:
                        out.append((changed.paths[index], pattern.text))
                    break
            if limit is not None and len(out) >= limit:
                break
        return out
