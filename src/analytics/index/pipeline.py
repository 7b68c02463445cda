"""The Learning City Index, built in one call: screen, impute, treat, normalise, weight, aggregate, rank.

`build_index(data, meta, tree, config)` takes the units x indicators table of one year (districts of
the city, or cities of a network), the indicator metadata (see `indicators`), the framework (see
`tree`) and an `IndexConfig`, and returns an `IndexResult`: the score and rank of every unit on every
node, the weights used, and the audit records of what screening, imputation and outlier treatment did.

>>> tree = pd.DataFrame({"code": ["a", "b", "c", "A", "B"], "parent": ["A", "A", "B", "LCI", "LCI"]})
>>> meta = pd.DataFrame({"code": ["a", "b", "c"], "direction": [1, 1, -1]})
>>> data = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, None, 6.0], "c": [9.0, 5.0, 1.0]}, index=["n", "s", "e"])
>>> result = build_index(data, meta, tree, IndexConfig(treat_outliers=False))
>>> result.index.round(1).tolist(), result.ranks["LCI"].tolist()
([0.0, 50.0, 100.0], [3, 2, 1])
>>> result.imputed.values.tolist()
[['s', 'b', 4.0, 'mean']]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from analytics.index._checks import FloatArray, IntArray, as_indicator_frame, as_share, one_of
from analytics.index.aggregation import AGGREGATIONS, SHIFT_SHARE, Aggregation, aggregate_tree
from analytics.index.imputation import IMPUTATIONS, Imputation, impute
from analytics.index.indicators import Indicators, indicator_meta
from analytics.index.normalisation import NORMALISATIONS, Normalisation, normalise
from analytics.index.outliers import RECORD_COLUMNS as OUTLIER_COLUMNS
from analytics.index.outliers import treat_outliers
from analytics.index.screening import screen
from analytics.index.tree import Tree, as_tree
from analytics.index.weighting import equal_weights, given_weights, pca_weights, within_parents

Weighting = Literal["given", "equal", "pca"]
WEIGHTINGS: tuple[Weighting, ...] = get_args(Weighting)
UNTREATED_NORMALISATIONS = ("goalposts", "distance_to_target")  # references in raw units; they cap outliers


@dataclass(frozen=True)
class IndexConfig:
    """Every choice of the build, with the defaults of COINr and the JRC/OECD Handbook."""

    min_indicator_coverage: float = 0.66  # share of units that must report an indicator
    min_unit_coverage: float = 0.66  # share of the indicators a unit must report
    drop_constant: bool = True  # drop indicators with no variation
    imputation: Imputation = "mean"
    treat_outliers: bool = True
    skew_limit: float = 2.0
    kurtosis_limit: float = 3.5
    max_winsorised: int = 5
    normalisation: Normalisation = "minmax"
    minmax_range: tuple[float, float] = (0.0, 100.0)
    zscore_mean_sd: tuple[float, float] = (0.0, 1.0)
    weighting: Weighting = "given"
    aggregation: Aggregation | tuple[Aggregation, ...] = "arithmetic"  # one for all levels, or one per level
    shift_share: float = SHIFT_SHARE  # geometric and harmonic means: see analytics.index.aggregation
    exclude: tuple[str, ...] = ()  # indicators left out after normalisation (a "what if we drop it")

    def __post_init__(self) -> None:
        as_share(self.min_indicator_coverage, "min_indicator_coverage")
        as_share(self.min_unit_coverage, "min_unit_coverage")
        one_of(self.imputation, IMPUTATIONS, "imputation")
        one_of(self.normalisation, NORMALISATIONS, "normalisation")
        one_of(self.weighting, WEIGHTINGS, "weighting")
        for method in (self.aggregation,) if isinstance(self.aggregation, str) else self.aggregation:
            one_of(method, AGGREGATIONS, "aggregation")
        if self.max_winsorised < 0 or not self.minmax_range[1] > self.minmax_range[0] or not self.zscore_mean_sd[1] > 0:
            raise ValueError("max_winsorised must be >= 0, minmax_range increasing and the z-score sd positive")
        as_share(self.shift_share, "shift_share")
        object.__setattr__(self, "exclude", tuple(self.exclude))

    def methods(self, depth: int) -> tuple[Aggregation, ...]:
        """The aggregation of each level, from the indicators up."""
        return aggregation_methods(self.aggregation, depth)

    def replace(self, **changes: object) -> IndexConfig:
        """A copy with some choices changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class IndexResult:
    """Scores and ranks per unit and node, the weights, and the audit records of the build."""

    scores: pd.DataFrame  # units x nodes: normalised indicators, then sub-areas, areas, the index
    ranks: pd.DataFrame  # same shape; 1 is the best, ties share the best rank
    weights: pd.Series  # every node's weight within its parent
    screening: pd.DataFrame  # what was dropped: kind, code, coverage, reason
    imputed: pd.DataFrame  # every filled cell: unit, indicator, value, method
    outliers: pd.DataFrame  # per indicator: skewness, kurtosis, action, points, after, passes
    tree: Tree  # the framework after screening and exclusions
    config: IndexConfig

    @property
    def index(self) -> pd.Series:
        """The index score of every unit."""
        return self.scores[self.tree.root]


@dataclass(frozen=True, eq=False)
class Prepared:
    """Screened data, with the framework and metadata that go with it (the start of every rebuild)."""

    data: pd.DataFrame
    tree: Tree
    meta: Indicators
    screening: pd.DataFrame
    groups: pd.Series | None


def build_index(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    tree: Tree | pd.DataFrame,
    config: IndexConfig | None = None,
    *,
    groups: pd.Series | None = None,
    weights: pd.Series | None = None,
) -> IndexResult:
    """The index of every unit with its audit trail; `weights` (per node, e.g. `budget_weights`) overrides weighting."""
    config = config or IndexConfig()
    return build_prepared(prepare(data, meta, tree, config, groups), config, weights)


def build_prepared(prepared: Prepared, config: IndexConfig, weights: pd.Series | None = None) -> IndexResult:
    """`build_index` from screened data (see `prepare`)."""
    normalised, imputed, outliers = normalised_variant(prepared, config, config.imputation, config.normalisation)
    framework = _excluded(prepared.tree, config.exclude)
    node_weights = _weights(framework, prepared.meta, normalised, config, weights)
    scores = aggregate_tree(normalised, framework, node_weights, config.methods(framework.depth), config.shift_share)
    ranks = pd.DataFrame(ranks_of(scores.to_numpy().T).T, index=scores.index, columns=scores.columns)
    return IndexResult(
        scores=scores,
        ranks=ranks.astype("Int64"),
        weights=node_weights,
        screening=prepared.screening,
        imputed=imputed,
        outliers=outliers,
        tree=framework,
        config=config,
    )


def prepare(
    data: pd.DataFrame, meta: pd.DataFrame, tree: Tree | pd.DataFrame, config: IndexConfig, groups: pd.Series | None
) -> Prepared:
    """Check the inputs and screen the data; the framework loses the indicators screened out."""
    framework = as_tree(tree)
    indicators = indicator_meta(meta, framework.indicators)
    kept, report = screen(
        as_indicator_frame(data, framework.indicators),
        min_indicator_coverage=config.min_indicator_coverage,
        min_unit_coverage=config.min_unit_coverage,
        drop_constant=config.drop_constant,
    )
    framework = framework.without(set(framework.indicators) - set(kept.columns))
    kept = kept[list(framework.indicators)]
    aligned = None if groups is None else groups.reindex(kept.index)
    return Prepared(kept, framework, indicators.subset(framework.indicators), report, aligned)


def normalised_variant(
    prepared: Prepared,
    config: IndexConfig,
    imputation: Imputation,
    normalisation: Normalisation,
    treated: Treated | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Imputed, treated and normalised data, with the imputation and outlier records.

    `treated` (from `treated_variant`, same imputation) saves redoing imputation and treatment.
    """
    skip_treatment = normalisation in UNTREATED_NORMALISATIONS
    treated = treated or treated_variant(prepared, config, imputation)
    values = treated.imputed if skip_treatment else treated.treated
    outliers = pd.DataFrame(columns=OUTLIER_COLUMNS) if skip_treatment else treated.outliers
    normalised = normalise(
        values,
        normalisation,
        prepared.meta,
        minmax_range=config.minmax_range,
        zscore_mean_sd=config.zscore_mean_sd,
    )
    return normalised, treated.record, outliers


@dataclass(frozen=True, eq=False)
class Treated:
    """One imputation of the screened data, before and after outlier treatment, with both records."""

    imputed: pd.DataFrame
    record: pd.DataFrame
    treated: pd.DataFrame
    outliers: pd.DataFrame


def treated_variant(prepared: Prepared, config: IndexConfig, imputation: Imputation) -> Treated:
    """The screened data imputed, then treated for outliers when `config.treat_outliers`."""
    imputed, record = impute(prepared.data, imputation, prepared.groups)
    if not config.treat_outliers:
        return Treated(imputed, record, imputed, pd.DataFrame(columns=OUTLIER_COLUMNS))
    treated, outliers = treat_outliers(
        imputed,
        skew_limit=config.skew_limit,
        kurtosis_limit=config.kurtosis_limit,
        max_points=config.max_winsorised,
    )
    return Treated(imputed, record, treated, outliers)


def aggregation_methods(spec: Aggregation | tuple[Aggregation, ...], depth: int) -> tuple[Aggregation, ...]:
    """One aggregation per level from a single method or a tuple (one per level, from the indicators up)."""
    if isinstance(spec, str):
        return (one_of(spec, AGGREGATIONS, "aggregation"),) * depth
    if len(spec) != depth:
        raise ValueError(f"give one aggregation per level ({depth}) or a single one, got {list(spec)}")
    return tuple(one_of(method, AGGREGATIONS, "aggregation") for method in spec)


def ranks_of(scores: FloatArray) -> FloatArray:
    """Ranks along the last axis, 1 for the highest score, ties sharing the best rank; NaN scores rank NaN."""
    missing = np.isnan(scores)
    keys = np.where(missing, np.inf, -scores)
    order = np.argsort(keys, axis=-1, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=-1)
    positions = np.broadcast_to(np.arange(scores.shape[-1]), scores.shape)
    starts = np.where(np.diff(ordered, axis=-1, prepend=-np.inf) != 0, positions, 0)
    sorted_ranks: IntArray = np.maximum.accumulate(starts, axis=-1) + 1
    ranks = np.empty(scores.shape)
    np.put_along_axis(ranks, order, sorted_ranks, axis=-1)
    return np.where(missing, np.nan, ranks)


def _excluded(tree: Tree, exclude: tuple[str, ...]) -> Tree:
    unknown = [code for code in exclude if code not in tree.indicators]
    if unknown:
        raise ValueError(f"cannot exclude {unknown[:5]}: not an indicator kept by screening")
    return tree.without(exclude)


def _weights(
    tree: Tree, meta: Indicators, normalised: pd.DataFrame, config: IndexConfig, override: pd.Series | None
) -> pd.Series:
    if override is not None:
        return within_parents(override, tree)
    if config.weighting == "equal":
        return equal_weights(tree)
    if config.weighting == "given":
        return given_weights(tree, meta)
    return _pca_tree_weights(tree, normalised, config)


def _pca_tree_weights(tree: Tree, normalised: pd.DataFrame, config: IndexConfig) -> pd.Series:
    """PCA weights level by level: each level's weights need the scores of the level below, aggregated."""
    weights = equal_weights(tree)
    scores = normalised[list(tree.indicators)]
    methods = config.methods(tree.depth)
    for level in range(tree.depth):
        for parent in tree.levels[level + 1]:
            children = list(tree.children(parent))
            weights[children] = pca_weights(scores[children]).to_numpy()
        if level + 1 < tree.depth:
            scores = aggregate_tree(normalised, tree, weights, methods, config.shift_share)
    return weights
