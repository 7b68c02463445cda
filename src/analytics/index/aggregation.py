"""Aggregation of children into their parent, up the tree: arithmetic, geometric, harmonic, Copeland.

With weights w summing to 1 over the children of a node:

- `arithmetic`: sum w x (fully compensatory);
- `geometric`: prod (x + s)^w - s;
- `harmonic`: 1 / sum (w / (x + s)) - s;
- `copeland`: the Handbook's non-compensatory outranking (section 6.1.3). For every pair of units j, k,
  e_jk = sum of the weights of the indicators where j beats k (plus half where they tie); j wins the
  pair when e_jk > 1/2 (margins within 1e-9 of the total weight count as ties). A unit's score is
  its wins minus its losses, from -(n - 1) to n - 1. The indicators below the node are compared
  directly, each with its effective weight (the product of the weights down the path), as the
  Handbook builds the outranking matrix from the indicator table: Copeland scores of Copeland
  scores would compound the loss of information at every level.

**Zeros and negatives** (geometric, harmonic): min-max gives the worst unit 0 and z-scores are
negative, where both means are undefined or meaningless. When the smallest value among the units
and the children in use is not positive, every value is shifted by s = 1 % of the range of those
values minus the minimum (so the smallest becomes 1 % of the range), averaged, and shifted back:
the "shifted geometric mean". With positive values s = 0 and these are the textbook means. A unit
whose children are all equal to c scores c, whatever the method but Copeland.

**Missing values** (imputation "none"): a unit's children that are missing are left out and its
weights renormalised over the others; Copeland counts a missing comparison as a tie.

>>> values = pd.DataFrame({"x": [1.0, 4.0], "y": [4.0, 1.0], "z": [2.0, 2.0]}, index=["north", "south"])
>>> weights = pd.Series([0.5, 0.25, 0.25], index=["x", "y", "z"])
>>> aggregate(values, weights, "arithmetic").tolist()
[2.0, 2.75]
>>> aggregate(values, weights, "copeland").tolist()
[-1.0, 1.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse

from analytics.index._checks import FloatArray, one_of
from analytics.index.tree import Tree

Aggregation = Literal["arithmetic", "geometric", "harmonic", "copeland"]
AGGREGATIONS: tuple[Aggregation, ...] = get_args(Aggregation)
SHIFT_SHARE = 0.01  # the shift leaves the smallest value at 1 % of the range (see the module docstring)
TIE_TOLERANCE = 1e-9  # Copeland margins below this share of the total weight are ties (rounding, not a win)
PAIR_BLOCK = 4_000_000  # pair x run margins computed at a time: 32 MB
TINY = 1e-300  # stands in for values that are not in use (weight 0), so that log and 1/x stay finite

Transform = Callable[[FloatArray], FloatArray]
Reduction = Callable[..., FloatArray]


def weighted_arithmetic(values: FloatArray, weights: FloatArray) -> FloatArray:
    """sum w x over the last axis; values (units, k) or (runs, units, k), weights (k,) or (runs, k)."""
    return _transformed_mean(values, weights, _identity, _identity)


def weighted_geometric(values: FloatArray, weights: FloatArray, shift_share: float = SHIFT_SHARE) -> FloatArray:
    """prod (x + s)^w - s, with the shift s of the module docstring (0 when every value is positive)."""
    return _shifted_mean(values, weights, shift_share, _log, np.exp)


def weighted_harmonic(values: FloatArray, weights: FloatArray, shift_share: float = SHIFT_SHARE) -> FloatArray:
    """1 / sum (w / (x + s)) - s, with the shift s of the module docstring."""
    return _shifted_mean(values, weights, shift_share, _reciprocal, _reciprocal)


class PairwiseSigns:
    """sign(x_j - x_k) for every pair of units j < k and every indicator, computed once per data set.

    `scores(weights)` then gives Copeland scores for one weight vector or many (runs x indicators) by
    two matrix products, which is what makes thousands of Monte Carlo rebuilds affordable.
    """

    def __init__(self, values: FloatArray) -> None:
        units = values.shape[0]
        first, second = np.triu_indices(units, 1)
        differences = values[first] - values[second]
        signs = np.sign(differences, out=differences)
        if np.isnan(values).any():
            signs[np.isnan(signs)] = 0.0  # a comparison with a missing value is a tie
        self.signs = signs  # float64: float32 margins cannot tell a near tie from a tie
        pairs = np.arange(first.size)
        self.incidence = sparse.csr_matrix(
            (np.r_[np.ones(first.size), -np.ones(first.size)], (np.r_[first, second], np.r_[pairs, pairs])),
            shape=(units, first.size),
        )

    def scores(self, weights: FloatArray, columns: slice = slice(None)) -> FloatArray:
        """Wins minus losses of every unit, with the indicators `columns` weighted by `weights` ((k,) or (runs, k))."""
        batch = np.atleast_2d(weights)
        totals = batch.sum(axis=1)
        signs = self.signs[:, columns]
        out = np.empty((batch.shape[0], self.incidence.shape[0]))
        step = max(1, PAIR_BLOCK // max(1, signs.shape[0]))
        for start in range(0, batch.shape[0], step):
            margins = signs @ batch[start : start + step].T
            outcome = np.sign(margins)
            outcome[np.abs(margins) <= TIE_TOLERANCE * totals[start : start + step]] = 0.0
            out[start : start + step] = (self.incidence @ outcome).T
        return out if weights.ndim == 2 else out[0]


def copeland(values: FloatArray, weights: FloatArray) -> FloatArray:
    """Copeland scores (wins minus losses) of the units (rows) on the columns weighted by `weights`."""
    return PairwiseSigns(values).scores(weights)


def aggregate(
    values: pd.DataFrame, weights: pd.Series, method: Aggregation, shift_share: float = SHIFT_SHARE
) -> pd.Series:
    """One node: its children's scores (units x children) aggregated with their weights (renormalised to sum 1)."""
    one_of(method, AGGREGATIONS, "aggregation")
    aligned = weights.reindex(values.columns).to_numpy(dtype=np.float64)
    if np.isnan(aligned).any() or (aligned < 0).any() or aligned.sum() <= 0:
        raise ValueError("weights must be non-negative, not all 0, and given for every column of values")
    scores = aggregate_arrays(values.to_numpy(dtype=np.float64), aligned / aligned.sum(), method, shift_share)
    return pd.Series(scores, index=values.index, name=method)


def aggregate_arrays(
    values: FloatArray, weights: FloatArray, method: Aggregation, shift_share: float = SHIFT_SHARE
) -> FloatArray:
    """`aggregate` on arrays: values (units, k) or (runs, units, k), weights (k,) or (runs, k), summing to 1."""
    if method == "arithmetic":
        return weighted_arithmetic(values, weights)
    if method == "geometric":
        return weighted_geometric(values, weights, shift_share)
    if method == "harmonic":
        return weighted_harmonic(values, weights, shift_share)
    return copeland(values, weights)


def aggregate_tree(
    normalised: pd.DataFrame,
    tree: Tree,
    weights: pd.Series,
    methods: Sequence[Aggregation],
    shift_share: float = SHIFT_SHARE,
) -> pd.DataFrame:
    """Scores of every node (units x nodes, indicators first, the index last) from the normalised indicators.

    `weights` holds every node's weight within its parent; `methods` one aggregation per level,
    from the indicators up (`len(methods) == tree.depth`).
    """
    level_weights = [weights.reindex(list(level)).to_numpy(dtype=np.float64) for level in tree.levels[:-1]]
    leaves = normalised[list(tree.indicators)].to_numpy(dtype=np.float64)
    levels = tree_levels(leaves, level_weights, methods, tree, every_level=True, shift_share=shift_share)
    blocks = [leaves, *(level for level in levels if level is not None)]
    return pd.DataFrame(np.hstack(blocks), index=normalised.index, columns=[c for level in tree.levels for c in level])


def tree_levels(
    leaves: FloatArray,
    level_weights: Sequence[FloatArray],
    methods: Sequence[Aggregation],
    tree: Tree,
    *,
    every_level: bool,
    shift_share: float = SHIFT_SHARE,
    signs: PairwiseSigns | None = None,
) -> list[FloatArray | None]:
    """Scores of levels 1..depth, each (units, nodes) or (runs, units, nodes) when weights are (runs, nodes).

    With `every_level=False` only what the index needs is computed: levels below the highest
    Copeland step are skipped (None), since Copeland reads the indicators directly.
    """
    if len(methods) != tree.depth:
        raise ValueError(f"give one aggregation per level ({tree.depth}), got {list(methods)}")
    copeland_steps = [step for step, method in enumerate(methods) if method == "copeland"]
    start = 0 if every_level or not copeland_steps else copeland_steps[-1]
    effective = _effective_weights(level_weights, tree, max(copeland_steps, default=-1))
    levels: list[FloatArray | None] = [None] * start
    current = leaves
    for step in range(start, tree.depth):
        if methods[step] == "copeland":
            signs = signs if signs is not None else PairwiseSigns(leaves)
            nodes = [signs.scores(effective[step][..., part], part) for part in tree.indicator_slices(step + 1)]
        else:
            weights = level_weights[step]
            nodes = [
                aggregate_arrays(current[..., part], weights[..., part], methods[step], shift_share)
                for part in tree.child_slices(step)
            ]
        current = np.stack(nodes, axis=-1)
        levels.append(current)
    return levels


def _effective_weights(level_weights: Sequence[FloatArray], tree: Tree, up_to: int) -> list[FloatArray]:
    """For each step up to `up_to`, every indicator's weight times its ancestors' weights up to that level."""
    effective = [level_weights[0]] if up_to >= 0 else []
    for step in range(1, up_to + 1):
        effective.append(effective[-1] * level_weights[step][..., tree.ancestor_positions[step]])
    return effective


def _transformed_mean(values: FloatArray, weights: FloatArray, forward: Transform, backward: Transform) -> FloatArray:
    missing = np.isnan(values)
    if not missing.any():
        transformed = forward(values)
        if transformed.ndim == 2:
            return backward(np.asarray(weights @ transformed.T, dtype=np.float64))
        return backward(np.einsum("...uk,...k->...u", transformed, weights))
    unit_weights = np.where(missing, 0.0, weights[..., np.newaxis, :])
    totals = unit_weights.sum(axis=-1)
    sums = np.sum(np.where(missing, 0.0, forward(np.where(missing, 1.0, values))) * unit_weights, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return backward(np.where(totals > 0, sums / np.where(totals > 0, totals, 1.0), np.nan))


def _shifted_mean(
    values: FloatArray, weights: FloatArray, shift_share: float, forward: Transform, backward: Transform
) -> FloatArray:
    shift = _shift(values, weights, shift_share)
    if values.ndim == 2 and weights.ndim == 2:  # shared values, many weight sets: one transform per distinct shift
        out = np.empty((weights.shape[0], values.shape[0]))
        for value in np.unique(shift):
            runs = shift == value
            out[runs] = _transformed_mean(values + value, weights[runs], forward, backward) - value
        return out
    if shift.ndim == 0:
        return _transformed_mean(values + shift, weights, forward, backward) - shift
    shifted = values + shift[:, np.newaxis, np.newaxis]
    return _transformed_mean(shifted, weights, forward, backward) - shift[:, np.newaxis]


def _shift(values: FloatArray, weights: FloatArray, shift_share: float) -> FloatArray:
    """0 when the smallest value in use is positive, else share x range - minimum (one per weight set)."""
    used = weights > 0
    lowest = np.where(used, _column_extreme(values, np.min, np.nanmin), np.inf).min(axis=-1)
    highest = np.where(used, _column_extreme(values, np.max, np.nanmax), -np.inf).max(axis=-1)
    spread = np.where(highest > lowest, highest - lowest, 1.0)
    return np.asarray(np.where(lowest > 0, 0.0, shift_share * spread - lowest), dtype=np.float64)


def _column_extreme(values: FloatArray, plain: Reduction, nan_aware: Reduction) -> FloatArray:
    """Minimum or maximum over the units, ignoring missing values (the plain reduction is much faster)."""
    extreme = plain(values, axis=-2)
    if np.isnan(extreme).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column with no value at all stays NaN
            extreme = nan_aware(values, axis=-2)
    return extreme


def _identity(values: FloatArray) -> FloatArray:
    return values


def _log(values: FloatArray) -> FloatArray:
    return np.log(np.maximum(values, TINY))


def _reciprocal(values: FloatArray) -> FloatArray:
    return 1.0 / np.maximum(values, TINY)
