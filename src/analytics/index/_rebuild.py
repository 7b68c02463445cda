"""Thousands of index rebuilds as matrix operations: the engine behind `uncertainty` and `sensitivity`.

A rebuild is one choice of imputation, normalisation, aggregation, weight noise and dropped indicator.
Only imputation and normalisation touch the data, so each of their combinations is computed once
(with the pipeline's own functions); the rebuilds sharing one combination and one aggregation are
then evaluated together: their weights form a (runs x nodes) matrix, every level is a handful of
matrix products over all of them, and Copeland reuses the pairwise signs of the combination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analytics.index._checks import BoolArray, FloatArray, IntArray
from analytics.index.aggregation import Aggregation, PairwiseSigns, tree_levels
from analytics.index.imputation import Imputation
from analytics.index.normalisation import Normalisation
from analytics.index.pipeline import IndexConfig, Prepared, normalised_variant, treated_variant
from analytics.index.tree import Tree
from analytics.index.weighting import perturbed_weights

RUNS_PER_BLOCK = 512  # rebuilds evaluated together: (512 x units x nodes) floats per level


@dataclass(frozen=True, eq=False)
class RunPlan:
    """The choices of every rebuild, as positions in the option lists (dropped: -1 for none)."""

    imputation: IntArray
    normalisation: IntArray
    aggregation: IntArray
    dropped: IntArray
    weight_factors: FloatArray  # runs x nodes, multiplying the nominal weights

    @property
    def size(self) -> int:
        """The number of rebuilds."""
        return int(self.imputation.size)


def rebuild_scores(
    prepared: Prepared,
    tree: Tree,
    config: IndexConfig,
    base_weights: FloatArray,
    options: tuple[Sequence[Imputation], Sequence[Normalisation], Sequence[tuple[Aggregation, ...]]],
    plan: RunPlan,
) -> FloatArray:
    """The index score of every unit in every rebuild (runs x units)."""
    imputations, normalisations, aggregations = options
    levels = perturbed_weights(base_weights, plan.weight_factors, _dropped_mask(plan.dropped, tree), tree)
    scores = np.empty((plan.size, len(prepared.data.index)))
    variants = np.unique(np.stack([plan.imputation, plan.normalisation]), axis=1)
    treated = {int(i): treated_variant(prepared, config, imputations[i]) for i in np.unique(plan.imputation)}
    for imputation, normalisation in variants.T:
        normalised, _, _ = normalised_variant(
            prepared, config, imputations[imputation], normalisations[normalisation], treated[int(imputation)]
        )
        leaves = normalised[list(tree.indicators)].to_numpy(dtype=np.float64)
        in_variant = (plan.imputation == imputation) & (plan.normalisation == normalisation)
        signs = None
        for aggregation in np.unique(plan.aggregation[in_variant]):
            methods = aggregations[aggregation]
            if "copeland" in methods and signs is None:
                signs = PairwiseSigns(leaves)
            runs = np.flatnonzero(in_variant & (plan.aggregation == aggregation))
            for block in np.array_split(runs, -(-runs.size // RUNS_PER_BLOCK)):
                weights = [level[block] for level in levels]
                top = tree_levels(
                    leaves, weights, methods, tree, every_level=False, shift_share=config.shift_share, signs=signs
                )[-1]
                assert top is not None  # the root is always computed
                scores[block] = top[..., 0]
    return scores


def _dropped_mask(dropped: IntArray, tree: Tree) -> BoolArray:
    mask = np.zeros((dropped.size, len(tree.nodes)), dtype=bool)
    chosen = dropped >= 0
    mask[np.flatnonzero(chosen), dropped[chosen]] = True  # indicators come first in the node order
    return mask
