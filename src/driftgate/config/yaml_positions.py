"""YAML to plain data plus the line and column of every key, within a budget.

PyYAML's safe_load forgets positions, silently keeps the last of two duplicate keys, expands
aliases without limit (a 300-byte "billion laughs" file takes gigabytes) and recurses once
per nesting level. So the data is built here from PyYAML's event stream with an explicit
stack: every key keeps its position, aliases share the anchored value and count against a
budget, nesting has a depth limit, and each problem is reported at its own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from driftgate.errors import LocatedProblem
from driftgate.text import shorten

MAX_DEPTH = 64  # nested lists/mappings, aliases expanded; a suite needs about 8
MAX_ALIAS_VALUES = 100_000  # values that aliases add to the data, all aliases together

Mark = tuple[int, int]  # 1-based line and column
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class YAMLStructureError(LocatedProblem):
    """Parsed YAML that a suite can't hold (alias bomb, too deep, a mapping as a key...)."""


@dataclass
class Located:
    """The data, and the position of every mapping key and list item in it.

    Positions are keyed by (id(container), key) on the containers of `data` itself, so a
    value that several aliases share keeps the positions of the anchor that wrote it.
    """

    data: object
    root: Mark = (1, 1)
    marks: dict[tuple[int, object], Mark] = field(default_factory=dict)
    duplicates: list[tuple[object, Mark]] = field(default_factory=list)

    def walk(self, loc: tuple) -> list[tuple[object, Mark]]:
        """The elements of `loc` found in the data, each with its position (others skipped)."""
        found = []
        node = self.data
        for element in loc:
            if not isinstance(node, dict | list):
                break
            try:
                mark = self.marks.get((id(node), element))
                # A container freed while building (a merged `<<` source) may leave its id
                # to a later one: a position counts only for a key the container holds.
                held = element in node if isinstance(node, dict) else 0 <= element < len(node)
            except TypeError:  # an unhashable element can't be a key of ours
                mark = None
            if mark is None or not held:
                continue
            found.append((element, mark))
            node = node[element]
        return found

    def has(self, loc: tuple) -> bool:
        return len(self.walk(loc)) == len(loc)

    def position(self, loc: tuple) -> Mark:
        """The position of the deepest element of `loc` that exists (the file's start if none)."""
        found = self.walk(loc)
        return found[-1][1] if found else self.root


def load_located(
    text: str, max_depth: int = MAX_DEPTH, max_alias_values: int = MAX_ALIAS_VALUES
) -> Located:
    """Parse one YAML document. Raises yaml.YAMLError on syntax errors and
    YAMLStructureError on input that parses but exceeds a limit or can't be data.

    libyaml's parser (5x faster) reads the file; on a syntax error the pure-Python parser
    reads it again, so the error is PyYAML's, whose wording `source.py` explains.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _build(fast, text, max_depth, max_alias_values)
        except yaml.YAMLError:
            pass
    return _build(yaml.SafeLoader, text, max_depth, max_alias_values)


def _build(loader_class, text: str, max_depth: int, max_alias_values: int) -> Located:
    loader = loader_class(text)
    try:
        return _Builder(loader, max_depth, max_alias_values).build()
    finally:
        loader.dispose()


def _mark(mark) -> Mark:
    return mark.line + 1, mark.column + 1


@dataclass
class _Anchored:
    value: object
    size: int  # values it holds, itself included
    depth: int  # nesting levels it holds


@dataclass
class _Frame:
    """A list or mapping being built."""

    container: dict | list
    mark: Mark
    anchor: str | None
    size: int = 1
    depth: int = 1
    key: object = None
    key_mark: Mark | None = None
    has_key: bool = False
    key_is_merge: bool = False
    merges: list[tuple[object, Mark]] = field(default_factory=list)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, max_depth: int, max_alias_values: int):
        self.loader = loader
        self.max_depth = max_depth
        self.alias_budget = max_alias_values
        self.alias_values = 0
        self.anchors: dict[str, _Anchored] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.located = Located(data=None)
        self.documents = 0

    def build(self) -> Located:
        loader = self.loader
        while not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    line, col = _mark(event.start_mark)
                    raise YAMLStructureError(
                        line,
                        col,
                        f"a second YAML document starts on line {line}: a suite file holds "
                        f"one document; remove the `---` (or `...`) and what follows, or "
                        f"merge it into the first",
                    )
            elif isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self._start(event)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self._end()
        return self.located

    # -- events ------------------------------------------------------------------------------
    def _scalar(self, event: yaml.ScalarEvent) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        mark = _mark(event.start_mark)
        if tag == _MERGE_TAG:
            if self._expects_key():
                self._attach(None, mark, 1, 0, merge=True)
                return
            tag = "tag:yaml.org,2002:str"  # `<<` anywhere else is just text
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            if "could not determine a constructor" in str(exc.problem):
                message = f"the tag {_short_tag(tag)} is not supported in a suite file: remove it"
            else:
                message = f"{event.value[:40]!r} can't be read as {_short_tag(tag)}: {exc.problem}"
            raise YAMLStructureError(*mark, message) from None
        except Exception as exc:  # e.g. `2024-13-45` resolves as a date and isn't one
            raise YAMLStructureError(
                *mark, _unreadable_scalar(event.value, tag, exc, tagged=not event.implicit[0])
            ) from None
        finally:
            self.loader.constructed_objects.clear()
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 0)
        self._attach(value, mark, 1, 0)

    def _alias(self, event: yaml.AliasEvent) -> None:
        line, col = _mark(event.start_mark)
        name = event.anchor
        if name in self.open_anchors:
            raise YAMLStructureError(
                line,
                col,
                f"the alias *{name} is used inside the value anchored as &{name}: a value "
                f"can't contain itself",
            )
        anchored = self.anchors.get(name)
        if anchored is None:
            raise YAMLStructureError(
                line, col, f"the alias *{name} refers to no anchor &{name} written before it"
            )
        self.alias_values += anchored.size
        if self.alias_values > self.alias_budget:
            raise YAMLStructureError(
                line,
                col,
                f"the alias *{name} takes the aliases' expansion past "
                f"{self.alias_budget:,} values (this one adds {anchored.size:,}): "
                f"driftgate stops there so a small file can't expand into gigabytes; "
                f"write the values out or use fewer nested aliases",
            )
        self._check_depth(len(self.stack) + anchored.depth, line, col, f"the alias *{name}")
        self._attach(anchored.value, (line, col), anchored.size, anchored.depth)

    def _start(self, event) -> None:
        line, col = _mark(event.start_mark)
        kind = "mapping" if isinstance(event, yaml.MappingStartEvent) else "list"
        self._check_depth(len(self.stack) + 1, line, col, f"the {kind} starting here")
        if event.tag not in _PLAIN_TAGS:
            raise YAMLStructureError(
                line,
                col,
                f"the tag {_short_tag(event.tag)} is not supported in a suite file: remove it "
                f"(lists and mappings need no tag)",
            )
        if self._expects_key():
            raise YAMLStructureError(
                line,
                col,
                f"a {kind} is used as a key here (`? ...` or `[a, b]: ...`): keys in a "
                f"suite file are plain names; write the key as text",
            )
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        container: dict | list = {} if kind == "mapping" else []
        self.stack.append(_Frame(container, (line, col), event.anchor))

    def _end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict):
            self._apply_merges(frame)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = _Anchored(frame.container, frame.size, frame.depth)
        self._attach(frame.container, frame.mark, frame.size, frame.depth)

    # -- building ----------------------------------------------------------------------------
    def _expects_key(self) -> bool:
        """The next value completes a key of the innermost mapping (not its value)."""
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].container, dict)
            and (not self.stack[-1].has_key)
        )

    def _check_depth(self, depth: int, line: int, col: int, what: str) -> None:
        if depth > self.max_depth:
            raise YAMLStructureError(
                line,
                col,
                f"{what} nests deeper than {self.max_depth} levels of lists and mappings: "
                f"a suite needs far fewer; flatten the structure",
            )

    def _attach(self, value, mark: Mark, size: int, depth: int, merge: bool = False) -> None:
        located = self.located
        if not self.stack:
            located.data = value
            located.root = mark
            return
        frame = self.stack[-1]
        frame.size += size
        frame.depth = max(frame.depth, depth + 1)
        container = frame.container
        if isinstance(container, list):
            located.marks[(id(container), len(container))] = mark
            container.append(value)
            return
        if not frame.has_key:
            if isinstance(value, dict | list):
                kind = "mapping" if isinstance(value, dict) else "list"
                raise YAMLStructureError(
                    *mark,
                    f"a {kind} is used as a key here (`? ...` or `[a, b]: ...`): keys in a "
                    f"suite file are plain names; write the key as text",
                )
            try:
                hash(value)
            except TypeError:
                raise YAMLStructureError(
                    *mark, "this key can't be used as a key: write the key as plain text"
                ) from None
            frame.key, frame.key_mark, frame.has_key, frame.key_is_merge = value, mark, True, merge
            return
        key, key_mark = frame.key, frame.key_mark
        assert key_mark is not None
        frame.has_key = False
        if frame.key_is_merge:
            frame.merges.append((value, key_mark))
            return
        if key in container:
            located.duplicates.append((key, key_mark))
        located.marks[(id(container), key)] = key_mark
        container[key] = value

    def _apply_merges(self, frame: _Frame) -> None:
        """`<<: *defaults`: keys written in the mapping win, then earlier merged mappings."""
        container = frame.container
        assert isinstance(container, dict)
        for value, mark in frame.merges:
            sources = value if isinstance(value, list) else [value]
            if not sources or not all(isinstance(s, dict) for s in sources):
                raise YAMLStructureError(
                    *mark,
                    "`<<` (merge) must be followed by a mapping or a list of mappings, "
                    "e.g. `<<: *defaults`",
                )
            for source in sources:
                for key, item in source.items():
                    if key not in container:
                        container[key] = item
                        self.located.marks[(id(container), key)] = self.located.marks.get(
                            (id(source), key), mark
                        )


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _unreadable_scalar(value: str, tag: str, exc: Exception, tagged: bool) -> str:
    short = shorten(value, 40, "...")
    kind = tag.rsplit(":", 1)[-1]
    reason = f" ({exc})" if isinstance(exc, ValueError) else ""
    if tagged:
        return f"{short!r} can't be read as !!{kind}{reason}: fix the value or remove the tag"
    return (
        f"{short!r} reads as a YAML {kind} and is not a valid one{reason}: "
        f"put it in quotes if it is text"
    )
