"""Google partial responses: the ``fields`` parameter (``a,b(c,d/e)``) applied to a body."""

from __future__ import annotations

from typing import Any

Tree = dict[str, "Tree | None"]


class FieldsError(ValueError):
    """A malformed ``fields`` value (Google answers 400 invalidParameter)."""


def parse(text: str) -> Tree:
    """The tree of a ``fields`` value."""
    tree, rest = _parse(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise FieldsError(text)
    return tree


def _parse(text: str, pos: int) -> tuple[Tree, int]:
    tree: Tree = {}
    while pos < len(text) and text[pos] != ")":
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = text[start:pos].split("/")
        if not all(path):
            raise FieldsError(text)
        sub: Tree | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise FieldsError(text)
            pos += 1
        _insert(tree, path, sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return tree, pos


def _insert(tree: Tree, path: list[str], leaf: Tree | None) -> None:
    node = tree
    for name in path[:-1]:
        child = node.get(name, {})
        if child is None:
            return  # already selected whole
        node[name] = child
        node = child
    last = path[-1]
    if leaf is None or node.get(last, {}) is None:
        node[last] = None
    else:
        merged = node.get(last) or {}
        merged.update(leaf)
        node[last] = merged


def apply(value: Any, tree: Tree | None) -> Any:
    """``value`` trimmed to ``tree`` (None keeps everything)."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {k: apply(value[k], sub) for k, sub in tree.items() if k in value}
