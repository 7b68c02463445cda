"""Weights per tree node, each node's weight relative to its siblings (they sum to 1 within a parent).

- `equal_weights`: every child of a parent weighs the same (COINr's default).
- `given_weights`: indicator weights from the metadata, aggregate weights from the framework table.
- `budget_weights`: budget allocation (Handbook, section 6.1.4): each expert shares points among the
  children of each parent; a node's weight is its mean allocation, normalised within the parent.
- `pca_weights`: the first principal component of the children's correlation matrix (Handbook,
  section 6.1.1): a child's weight is its squared loading over the sum of squared loadings, so
  children that carry the common signal weigh more. The pipeline applies it level by level.
- `perturbed_weights`: the same, multiplied by random factors for the Monte Carlo, many at once.

>>> tree = Tree.from_parents({"a": "A", "b": "A", "c": "B", "A": "LCI", "B": "LCI"})
>>> equal_weights(tree).tolist()
[0.5, 0.5, 1.0, 0.5, 0.5]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.index._checks import BoolArray, FloatArray
from analytics.index.indicators import Indicators
from analytics.index.tree import Tree


def equal_weights(tree: Tree) -> pd.Series:
    """1 / (number of siblings) for every node but the root."""
    return within_parents(pd.Series(1.0, index=list(tree.nodes)), tree)


def given_weights(tree: Tree, meta: Indicators | None = None) -> pd.Series:
    """Indicator weights from `meta.weight`, other nodes from the framework's weight column; 1 where absent."""
    raw = pd.Series([tree.weights.get(code, 1.0) for code in tree.nodes], index=list(tree.nodes), dtype=np.float64)
    if meta is not None:
        given = pd.Series(meta.weight, index=list(meta.codes)).dropna()
        given = given[given.index.isin(tree.indicators)]
        raw[given.index] = given
    return within_parents(raw, tree)


def budget_weights(points: pd.DataFrame, tree: Tree) -> pd.Series:
    """Mean points per node over the experts (rows), normalised within each parent."""
    missing = [code for code in tree.nodes if code not in points.columns]
    if missing:
        raise ValueError(f"the budget gives no points to the node(s) {missing[:5]}; every expert scores every node")
    allocation = points[list(tree.nodes)].astype(np.float64)
    if allocation.isna().to_numpy().any() or (allocation < 0).to_numpy().any():
        raise ValueError("budget points must be given for every node and must not be negative")
    return within_parents(allocation.mean(axis=0), tree)


def pca_weights(children: pd.DataFrame) -> pd.Series:
    """Squared loadings of the first principal component of the columns' correlation matrix, summing to 1."""
    if children.shape[1] == 1:
        return pd.Series(1.0, index=children.columns)
    if children.isna().to_numpy().any():
        raise ValueError("PCA weights need complete data: impute the missing values first")
    spread = children.std(ddof=1)
    if not (spread > 0).all():
        raise ValueError(f"PCA weights need some spread, but {spread.index[~(spread > 0)].tolist()} take one value")
    _, vectors = np.linalg.eigh(np.corrcoef(children.to_numpy(), rowvar=False))
    first = vectors[:, -1]  # eigh sorts eigenvalues in ascending order
    return pd.Series(first**2 / np.sum(first**2), index=children.columns)


def within_parents(weights: pd.Series, tree: Tree) -> pd.Series:
    """The weights over every node but the root, rescaled to sum to 1 among siblings; a ValueError if all are 0."""
    raw = weights.reindex(list(tree.nodes)).astype(np.float64)
    if raw.isna().any() or (raw < 0).any():
        raise ValueError(
            f"weights must be given and non-negative for every node, not for {raw.index[~(raw >= 0)][:5].tolist()}"
        )
    totals = raw.groupby([tree.parent[code] for code in tree.nodes], sort=False).transform("sum")
    if not (totals > 0).all():
        raise ValueError(f"the children of {sorted({tree.parent[c] for c in raw.index[totals <= 0]})} all weigh 0")
    return raw / totals


def perturbed_weights(base: FloatArray, factors: FloatArray, dropped: BoolArray, tree: Tree) -> list[FloatArray]:
    """Many weight sets at once: `base * factors` (runs x nodes) with `dropped` nodes at 0, renormalised.

    Returns one (runs x nodes of the level) array per level from the indicators up. An aggregate
    all of whose children are dropped is dropped in turn (weight 0 in its parent).
    """
    raw = np.where(dropped, 0.0, base[np.newaxis, :] * factors)
    levels, offsets = [], tree.level_offsets
    present = np.ones((raw.shape[0], len(tree.levels[0])), dtype=bool)
    for level in range(tree.depth):
        weights = raw[:, offsets[level] : offsets[level + 1]] * present
        parents = tree.parent_positions(level)
        membership = np.zeros((parents.size, len(tree.levels[level + 1])))
        membership[np.arange(parents.size), parents] = 1.0
        totals = weights @ membership
        with np.errstate(invalid="ignore", divide="ignore"):
            levels.append(np.where(totals[:, parents] > 0, weights / totals[:, parents], 0.0))
        present = totals > 0
    return levels
