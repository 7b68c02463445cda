"""The framework: indicators grouped into sub-areas, areas, and one index at the root.

A `Tree` is built from a data frame with one row per node (`code`, `parent`, optional `weight`);
the root is the one parent that is not itself a row (or the row whose parent is empty). Every
indicator must sit at the same depth, as in UNESCO's framework (indicators -> 12 sub-areas ->
3 areas -> index); a thinner branch needs a pass-through node. Levels are numbered from the
indicators (level 0) up to the root, and siblings are kept next to each other in every level, so
that a node's children, and the indicators under it, are one contiguous slice.

>>> tree = Tree.from_frame(pd.DataFrame({
...     "code": ["a", "b", "c", "A", "B"], "parent": ["A", "A", "B", "LCI", "LCI"]}))
>>> tree.levels
(('a', 'b', 'c'), ('A', 'B'), ('LCI',))
>>> tree.children("A"), tree.indicators_under("LCI")
(('a', 'b'), ('a', 'b', 'c'))
>>> tree.without(["c"]).levels
(('a', 'b'), ('A',), ('LCI',))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analytics.index._checks import IntArray


@dataclass(frozen=True, eq=False)
class Tree:
    """A balanced framework tree: `levels[0]` are the indicators, `levels[-1]` is `(root,)`."""

    levels: tuple[tuple[str, ...], ...]
    parent: Mapping[str, str]
    weights: Mapping[str, float] = field(default_factory=dict)  # optional given weights, by node

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Tree:
        """A tree from rows (`code`, `parent`, optional `weight`); see the module docstring."""
        missing = [column for column in ("code", "parent") if column not in frame.columns]
        if missing:
            raise ValueError(f"the framework table lacks the column(s) {missing}; it needs code and parent")
        codes = [str(code) for code in frame["code"]]
        if len(set(codes)) != len(codes):
            repeated = sorted({code for code in codes if codes.count(code) > 1})
            raise ValueError(f"the framework lists the node(s) {repeated[:5]} more than once")
        empty = frame["parent"].isna() | (frame["parent"].astype(str).str.strip() == "")
        parents = {code: str(parent) for code, parent, no in zip(codes, frame["parent"], empty, strict=True) if not no}
        weights = _given_weights(frame, codes)
        roots = {code for code, no in zip(codes, empty, strict=True) if no} | (set(parents.values()) - set(codes))
        if len(roots) != 1:
            raise ValueError(f"the framework must have exactly one root (the index), found {sorted(roots)}")
        return cls.from_parents(parents, weights)

    @classmethod
    def from_parents(cls, parents: Mapping[str, str], weights: Mapping[str, float] | None = None) -> Tree:
        """A tree from child -> parent links, in framework order (children keep their order of appearance)."""
        children: dict[str, list[str]] = {}
        for child, parent in parents.items():
            children.setdefault(parent, []).append(child)
        roots = set(children) - set(parents)
        if len(roots) != 1:
            raise ValueError(f"the framework must have exactly one root (the index), found {sorted(roots)}")
        levels = [tuple(roots)]
        while any(node in children for node in levels[-1]):
            leaves = [node for node in levels[-1] if node not in children]
            if leaves:
                raise ValueError(
                    f"every indicator must sit at the same depth, but {leaves[:3]} stop(s) {len(levels) - 1} "
                    "level(s) below the index while others go deeper: add a pass-through node"
                )
            levels.append(tuple(child for node in levels[-1] for child in children[node]))
            if len(levels) > len(parents) + 1:
                raise ValueError("the framework has a cycle")
        if sum(len(level) for level in levels) != len(parents) + 1:
            raise ValueError("the framework has a cycle or a node that does not lead to the index")
        return cls(tuple(reversed(levels)), dict(parents), dict(weights or {}))

    @property
    def root(self) -> str:
        """The index."""
        return self.levels[-1][0]

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicators (leaves), in framework order."""
        return self.levels[0]

    @property
    def depth(self) -> int:
        """Aggregation steps from the indicators to the index (3 for indicators -> sub-areas -> areas -> index)."""
        return len(self.levels) - 1

    @cached_property
    def nodes(self) -> tuple[str, ...]:
        """Every node but the root, level by level from the indicators up: the order of weight vectors."""
        return tuple(code for level in self.levels[:-1] for code in level)

    @cached_property
    def level_offsets(self) -> tuple[int, ...]:
        """Where each level starts in `nodes` (and, last, the number of nodes)."""
        return tuple(int(offset) for offset in np.cumsum([0, *(len(level) for level in self.levels[:-1])]))

    def children(self, code: str) -> tuple[str, ...]:
        """The children of a node, in framework order."""
        level = self.level_of(code)
        if level == 0:
            return ()
        return tuple(child for child in self.levels[level - 1] if self.parent[child] == code)

    def level_of(self, code: str) -> int:
        """0 for an indicator, up to `depth` for the root; a ValueError for an unknown code."""
        for level, codes in enumerate(self.levels):
            if code in codes:
                return level
        raise ValueError(f"{code!r} is not a node of the framework")

    def indicators_under(self, code: str) -> tuple[str, ...]:
        """The indicators below a node (the node itself for an indicator)."""
        return self.indicators[self.indicator_slice(code)]

    def indicator_slice(self, code: str) -> slice:
        """The contiguous slice of `indicators` below a node."""
        level = self.level_of(code)
        return self.indicator_slices(level)[self.levels[level].index(code)]

    @cached_property
    def ancestor_positions(self) -> tuple[IntArray, ...]:
        """For each level, the position (in that level) of every indicator's ancestor."""
        positions = [np.arange(len(self.indicators), dtype=np.int64)]
        for level in range(self.depth):
            positions.append(self.parent_positions(level)[positions[-1]])
        return tuple(positions)

    def parent_positions(self, level: int) -> IntArray:
        """For every node of `level`, the position of its parent in `level + 1`."""
        above = {code: position for position, code in enumerate(self.levels[level + 1])}
        return np.array([above[self.parent[code]] for code in self.levels[level]], dtype=np.int64)

    def child_slices(self, level: int) -> tuple[slice, ...]:
        """For every node of `level + 1`, the slice of `levels[level]` holding its children."""
        counts = np.bincount(self.parent_positions(level), minlength=len(self.levels[level + 1]))
        if (counts == 0).any():
            raise ValueError("every aggregate in the framework needs at least one child")
        ends = np.cumsum(counts)
        return tuple(slice(int(end - count), int(end)) for end, count in zip(ends, counts, strict=True))

    def indicator_slices(self, level: int) -> tuple[slice, ...]:
        """For every node of `level`, the contiguous slice of `indicators` below it."""
        counts = np.bincount(self.ancestor_positions[level], minlength=len(self.levels[level]))
        ends = np.cumsum(counts)
        return tuple(slice(int(end - count), int(end)) for end, count in zip(ends, counts, strict=True))

    def without(self, indicators: Iterable[str]) -> Tree:
        """This tree without the given indicators, and without any aggregate left with nothing under it."""
        dropped = set(indicators)
        kept = [code for code in self.indicators if code not in dropped]
        if not kept:
            raise ValueError("no indicator is left in the framework")
        if len(kept) == len(self.indicators):
            return self
        alive = set(kept)
        for code in kept:
            node = code
            while node in self.parent:
                node = self.parent[node]
                alive.add(node)
        parents = {code: self.parent[code] for code in self.nodes if code in alive}
        return Tree.from_parents(parents, {code: w for code, w in self.weights.items() if code in alive})

    def to_frame(self) -> pd.DataFrame:
        """One row per node but the root: code, parent, level."""
        return pd.DataFrame(
            {
                "code": list(self.nodes),
                "parent": [self.parent[code] for code in self.nodes],
                "level": [level for level, codes in enumerate(self.levels[:-1]) for _ in codes],
            }
        )


def as_tree(tree: Tree | pd.DataFrame) -> Tree:
    """A `Tree` from a tree or from its table."""
    if isinstance(tree, Tree):
        return tree
    if isinstance(tree, pd.DataFrame):
        return Tree.from_frame(tree)
    raise TypeError(f"tree must be a Tree or a DataFrame with columns code and parent, got {type(tree).__name__}")


def _given_weights(frame: pd.DataFrame, codes: list[str]) -> dict[str, float]:
    if "weight" not in frame.columns:
        return {}
    weights = pd.to_numeric(frame["weight"], errors="raise").astype(np.float64)
    if (weights.dropna() < 0).any():
        raise ValueError("framework weights must not be negative")
    return {code: float(w) for code, w in zip(codes, weights, strict=True) if not np.isnan(w)}
