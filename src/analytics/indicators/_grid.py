"""Counts over every combination of breakdown labels, with numpy: the engine under the indicators.

A `Grid` holds one number per combination of labels of some dimensions (age band x sex x
district, say). Counting a table into a grid is one `np.bincount` over a flat cell index, and the
grid of any subset of its dimensions is a sum over the other axes, so each breakdown of an
indicator costs one pass over its rows at most.

>>> grid = Grid.count(("sex", "district"), (("F", "M"), ("a", "b")), (np.array([0, 1, 1]), np.array([0, 0, 1])))
>>> grid.values.tolist()
[[1.0, 0.0], [1.0, 1.0]]
>>> grid.margin(("district",)).values.tolist()
[2.0, 1.0]
>>> [g.values.tolist() for g in distinct_grids(np.array([7, 7, 8]), grid.dims, grid.labels,
...     grid_cells(grid.labels, (np.array([0, 0, 0]), np.array([0, 1, 0]))), [("district",), ()])]
[[2.0, 1.0], 2.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Labels = tuple[tuple[str, ...], ...]
Spec = tuple[str, ...]

NONE = "none"  # the label of a missing value: unstated sex, an online offer's district...
_KEY_LIMIT = 2**62  # entity x cells must fit in an int64 key


@dataclass(frozen=True)
class Grid:
    """One value per combination of the labels of `dims` (an n-dimensional array)."""

    dims: Spec
    labels: Labels
    values: FloatArray

    @classmethod
    def count(cls, dims: Spec, labels: Labels, codes: Sequence[IntArray], weights: FloatArray | None = None) -> Grid:
        """Rows counted (or `weights` summed) into the cell given by their label codes."""
        return cls.from_cells(dims, labels, grid_cells(labels, codes), weights)

    @classmethod
    def from_cells(cls, dims: Spec, labels: Labels, cells: IntArray, weights: FloatArray | None = None) -> Grid:
        """Rows counted into cells given as flat indices (`grid_cells`)."""
        shape = _shape(labels)
        counts = np.bincount(cells, weights=weights, minlength=math.prod(shape))
        return cls(dims, labels, counts.astype(np.float64).reshape(shape))

    def margin(self, spec: Spec) -> Grid:
        """The grid of `spec`'s dimensions (in that order), summing over the others; `()` is the total."""
        missing = [dim for dim in spec if dim not in self.dims]
        if missing:
            raise ValueError(f"cannot break down by {missing}: the grid has {list(self.dims)}")
        kept = [dim for dim in self.dims if dim in spec]
        summed = self.values.sum(axis=tuple(i for i, dim in enumerate(self.dims) if dim not in spec))
        values = np.transpose(summed, [kept.index(dim) for dim in spec])
        return Grid(spec, tuple(self.labels[self.dims.index(dim)] for dim in spec), np.asarray(values, np.float64))

    def spread(self, spec: Spec, shape: tuple[int, ...]) -> FloatArray:
        """Values for the cells of `spec` (of `shape`): summed over dimensions it lacks, repeated along those it adds.

        Used for denominators: population by district, spread over the building blocks of a
        (district, building block) breakdown. Shared dimensions must use the same vocabularies.
        """
        own = self.margin(tuple(dim for dim in spec if dim in self.dims)).values
        added = [axis for axis, dim in enumerate(spec) if dim not in self.dims]
        return np.broadcast_to(np.expand_dims(own, added), shape).astype(np.float64)


def grid_cells(labels: Labels, codes: Sequence[IntArray]) -> IntArray:
    """Flat cell indices of rows from their per-dimension label codes."""
    if len(codes) == 1:
        return np.asarray(codes[0], np.int64)
    return np.asarray(np.ravel_multi_index(tuple(codes), _shape(labels)), np.int64)


def distinct_grids(entity: IntArray, dims: Spec, labels: Labels, cells: IntArray, specs: Sequence[Spec]) -> list[Grid]:
    """Distinct entities (people, organisations) per cell of each spec; one found in several cells counts in each.

    `entity` and `cells` are aligned per row; entities are non-negative integers.
    """
    shape = _shape(labels)
    size = math.prod(shape)
    if entity.size and int(entity.max()) >= _KEY_LIMIT // max(size, 1):
        entity = pd.factorize(entity)[0].astype(np.int64)
    pairs = pd.unique(entity * size + cells)
    owner, cell = np.divmod(np.asarray(pairs, np.int64), size)
    cell_codes = np.unravel_index(cell, shape)
    grids = []
    for spec in specs:
        axes = [dims.index(dim) for dim in spec]
        spec_labels = tuple(labels[axis] for axis in axes)
        spec_size = math.prod(_shape(spec_labels))
        if axes:
            spec_cell = grid_cells(spec_labels, [np.asarray(cell_codes[axis], np.int64) for axis in axes])
            unique = np.asarray(pd.unique(owner * spec_size + spec_cell), np.int64) % spec_size
        else:
            unique = np.zeros(pd.unique(owner).size, np.int64)
        counts = np.bincount(unique, minlength=spec_size).astype(np.float64)
        grids.append(Grid(spec, spec_labels, counts.reshape(_shape(spec_labels))))
    return grids


def encode(values: pd.Series) -> tuple[IntArray, list[str]]:
    """Integer codes (-1 for a missing value) and the text labels they index, for a column of labels."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes.to_numpy(), dtype=np.int64)
        uniques: Sequence[object] = list(values.cat.categories)
    else:
        raw, found = pd.factorize(values, use_na_sentinel=True)
        codes, uniques = np.asarray(raw, dtype=np.int64), list(found)
    return codes, [_label(value) for value in uniques]


def recode(codes: IntArray, labels: Sequence[str], vocabulary: Sequence[str]) -> IntArray:
    """Codes into `vocabulary` (which holds every label and ends with NONE); missing and "" become NONE."""
    position = pd.Index(list(vocabulary)).get_indexer(pd.Index([label or NONE for label in labels]))
    if (position < 0).any():
        raise ValueError("internal error: a label is missing from its vocabulary")
    lookup = np.append(position, len(vocabulary) - 1).astype(np.int64)  # code -1 indexes the last entry
    return lookup[codes]


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # district ids read as floats because of a missing value
    return str(value)


def _shape(labels: Labels) -> tuple[int, ...]:
    return tuple(len(axis) for axis in labels)
