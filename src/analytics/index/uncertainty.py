"""Uncertainty analysis: how far each unit's rank moves when the choices behind the index change.

`Choices` lists the alternatives: imputation methods, normalisations, aggregations, a uniform noise
of +/- `weight_noise` on every node's weight (renormalised within its parent), and whether one
indicator may be dropped (none, or any one, with equal chances). Each Monte Carlo run draws one
of each; the rest of the configuration is the nominal `IndexConfig`, whose own build gives the
nominal ranks. Per unit the result gives the median rank and the 5-95 % rank interval, and the
same for the score. Scores from different normalisations and aggregations are not on one scale
(a z-score average, a Copeland count), so each run's index is min-max rescaled to 0-100 over the
units before its quantiles are taken; ranks need no such step. Each run's mean absolute rank
shift from the nominal ranks is the Handbook's summary of the whole (section 7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.index._checks import FloatArray, IntArray, as_share, one_of
from analytics.index._rebuild import RunPlan, rebuild_scores
from analytics.index.aggregation import Aggregation
from analytics.index.imputation import IMPUTATIONS, Imputation
from analytics.index.normalisation import NORMALISATIONS, Normalisation
from analytics.index.pipeline import (
    IndexConfig,
    IndexResult,
    Prepared,
    aggregation_methods,
    build_prepared,
    prepare,
    ranks_of,
)
from analytics.index.sobol import Factor
from analytics.index.tree import Tree

SUMMARY_COLUMNS = [
    "nominal_rank",
    "median_rank",
    "rank_q05",
    "rank_q95",
    "nominal_score",
    "score_median",
    "score_q05",
    "score_q95",
]


@dataclass(frozen=True)
class Choices:
    """The alternatives explored by the Monte Carlo (an option list of one fixes that choice)."""

    imputations: tuple[Imputation, ...] = ("mean", "median")
    normalisations: tuple[Normalisation, ...] = ("minmax", "zscore", "rank")
    aggregations: tuple[Aggregation | tuple[Aggregation, ...], ...] = ("arithmetic", "geometric")
    weight_noise: float = 0.25
    drop_indicator: bool = False

    def __post_init__(self) -> None:
        for name in ("imputations", "normalisations", "aggregations"):
            if not getattr(self, name):
                raise ValueError(f"{name} needs at least one option")
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for imputation in self.imputations:
            one_of(imputation, [m for m in IMPUTATIONS if m != "none"], "a Monte Carlo imputation (complete data)")
        for normalisation in self.normalisations:
            one_of(normalisation, NORMALISATIONS, "normalisation")
        as_share(self.weight_noise, "weight_noise")

    def factors(self, tree: Tree) -> list[Factor]:
        """The choices that vary, as Sobol factors (the weight noises of all nodes form one factor)."""
        factors = [
            Factor(name)
            for name, options in (
                ("imputation", self.imputations),
                ("normalisation", self.normalisations),
                ("aggregation", self.aggregations),
            )
            if len(options) > 1
        ]
        if self.weight_noise > 0:
            factors.append(Factor("weights", (-self.weight_noise, self.weight_noise), len(tree.nodes)))
        if self.drop_indicator:
            factors.append(Factor("dropped_indicator"))
        return factors


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Rank and score intervals per unit, and every run's choices, scores and ranks."""

    summary: pd.DataFrame  # per unit: SUMMARY_COLUMNS (scores rescaled 0-100 per run)
    ranks: pd.DataFrame  # runs x units
    scores: pd.DataFrame  # runs x units: each run's index, in that run's own units
    runs: pd.DataFrame  # per run: imputation, normalisation, aggregation, dropped_indicator, mean_rank_shift
    nominal: IndexResult


def uncertainty(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    tree: Tree | pd.DataFrame,
    choices: Choices | None = None,
    n: int = 1000,
    *,
    config: IndexConfig | None = None,
    groups: pd.Series | None = None,
    seed: int = 0,
) -> UncertaintyResult:
    """`n` random rebuilds of the index (uniform over `choices`), summarised per unit."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    config, choices = config or IndexConfig(), choices or Choices()
    prepared = prepare(data, meta, tree, config, groups)
    nominal = build_prepared(prepared, config)
    factors = choices.factors(nominal.tree)
    rng = np.random.default_rng(seed)
    design = np.hstack([rng.uniform(*f.bounds, size=(n, f.size)) for f in factors]) if factors else np.empty((n, 0))
    return simulate(prepared, nominal, choices, factors, design)


def simulate(
    prepared: Prepared, nominal: IndexResult, choices: Choices, factors: list[Factor], design: FloatArray
) -> UncertaintyResult:
    """Rebuild the index for every row of `design` (columns: the factors' variables, in order) and summarise."""
    tree = nominal.tree
    plan = decode(design, factors, choices, tree)
    aggregations = [aggregation_methods(spec, tree.depth) for spec in choices.aggregations]
    base = nominal.weights.reindex(list(tree.nodes)).to_numpy(dtype=np.float64)
    options = (choices.imputations, choices.normalisations, aggregations)
    scores = rebuild_scores(prepared, tree, nominal.config, base, options, plan)
    ranks = ranks_of(scores)
    nominal_ranks = nominal.ranks[tree.root].to_numpy(dtype=np.float64)
    units = nominal.scores.index
    runs = pd.DataFrame(
        {
            "imputation": np.asarray(choices.imputations, dtype=object)[plan.imputation],
            "normalisation": np.asarray(choices.normalisations, dtype=object)[plan.normalisation],
            "aggregation": [choices.aggregations[a] for a in plan.aggregation],
            "dropped_indicator": [tree.indicators[d] if d >= 0 else None for d in plan.dropped],
            "mean_rank_shift": np.abs(ranks - nominal_ranks).mean(axis=1),
        }
    )
    return UncertaintyResult(
        summary=_summary(scores, ranks, nominal, units),
        ranks=pd.DataFrame(ranks, columns=units),
        scores=pd.DataFrame(scores, columns=units),
        runs=runs,
        nominal=nominal,
    )


def decode(design: FloatArray, factors: list[Factor], choices: Choices, tree: Tree) -> RunPlan:
    """The choices of every run from the design's columns (a discrete choice: the u in [0, 1) cut in equal parts)."""
    columns: dict[str, FloatArray] = {}
    start = 0
    for factor in factors:
        columns[factor.name] = design[:, start : start + factor.size]
        start += factor.size
    if design.shape[1] != start:
        raise ValueError(f"the design has {design.shape[1]} columns, the factors {start}")
    runs = design.shape[0]

    def pick(name: str, options: int) -> IntArray:
        if name not in columns:
            return np.zeros(runs, dtype=np.int64)
        return np.minimum(np.floor(columns[name][:, 0] * options), options - 1).astype(np.int64)

    noise = columns.get("weights", np.zeros((runs, len(tree.nodes))))
    return RunPlan(
        imputation=pick("imputation", len(choices.imputations)),
        normalisation=pick("normalisation", len(choices.normalisations)),
        aggregation=pick("aggregation", len(choices.aggregations)),
        dropped=pick("dropped_indicator", len(tree.indicators) + 1) - 1
        if choices.drop_indicator
        else np.full(runs, -1),
        weight_factors=1.0 + noise,
    )


def rescaled(scores: FloatArray) -> FloatArray:
    """Each row min-max rescaled to 0-100 over the units (50 for a row with no spread)."""
    low, high = scores.min(axis=-1, keepdims=True), scores.max(axis=-1, keepdims=True)
    spread = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (scores - low) / spread * 100.0, 50.0)


def _summary(scores: FloatArray, ranks: FloatArray, nominal: IndexResult, units: pd.Index) -> pd.DataFrame:
    rank_quantiles = np.quantile(ranks, [0.5, 0.05, 0.95], axis=0)
    score_quantiles = np.quantile(rescaled(scores), [0.5, 0.05, 0.95], axis=0)
    columns = [
        nominal.ranks[nominal.tree.root].to_numpy(dtype=np.float64),
        *rank_quantiles,
        rescaled(nominal.index.to_numpy(dtype=np.float64)),
        *score_quantiles,
    ]
    return pd.DataFrame(dict(zip(SUMMARY_COLUMNS, columns, strict=True)), index=units)
