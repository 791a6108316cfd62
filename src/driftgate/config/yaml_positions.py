"""YAML to plain data plus the line and column of every key, so errors can point at them.

PyYAML's safe_load forgets positions and silently keeps the last of two duplicate keys;
composing the node graph ourselves keeps both facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple  # a key path: ("eval_suite", "cases", 3, "min_similarity")


@dataclass
class Located:
    data: object
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[Path_, tuple[int, int]]] = field(default_factory=list)

    def position(self, loc: tuple) -> tuple[int, int]:
        """Best position for a pydantic error location (skips union tags it can't place)."""
        best: Path_ = ()
        for element in loc:
            candidate = (*best, element)
            if candidate in self.positions:
                best = candidate
        return self.positions.get(best, (1, 1))


def load_located(text: str) -> Located:
    """Parse YAML text. Raises yaml.YAMLError (with marks) on syntax errors."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    located = Located(data=None)
    if node is None:
        return located
    located.positions[()] = _mark(node)
    located.data = _build(node, (), located)
    return located


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node: yaml.Node, path: Path_, located: Located):
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        # Merge keys (<<) are rare in suites; let SafeLoader flatten them first.
        loader = yaml.SafeLoader("")
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                key = tuple(key)
            child = (*path, key)
            if key in result:
                located.duplicates.append((child, _mark(key_node)))
            located.positions[child] = _mark(key_node)
            result[key] = _build(value_node, child, located)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            located.positions[child] = _mark(item)
            items.append(_build(item, child, located))
        return items
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)
