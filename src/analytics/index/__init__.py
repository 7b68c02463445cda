"""The Learning City Index: a composite indicator over a framework of indicators. Method: docs/index.md.

- `tree`, `indicators`: the framework (indicators -> sub-areas -> areas -> index) and indicator metadata;
- `screening`, `imputation`, `outliers`, `normalisation`: the data steps, each with an audit record;
- `weighting`, `aggregation`: weights per node (equal, given, budget, PCA) and arithmetic, geometric,
  harmonic or Copeland aggregation up the tree;
- `pipeline`: `IndexConfig` and `build_index`, the whole build in one call;
- `uncertainty`, `sensitivity`, `sobol`: Monte Carlo over the choices, rank intervals, Sobol indices;
- `trends`: the index across years.
"""

from analytics.index.aggregation import (
    AGGREGATIONS,
    Aggregation,
    aggregate,
    aggregate_tree,
    copeland,
    weighted_arithmetic,
    weighted_geometric,
    weighted_harmonic,
)
from analytics.index.imputation import IMPUTATIONS, Imputation, impute
from analytics.index.indicators import Indicators, indicator_meta
from analytics.index.normalisation import (
    NORMALISATIONS,
    Normalisation,
    distance_to_target,
    goalposts,
    min_max,
    normalise,
    rank,
    z_score,
)
from analytics.index.outliers import kurtosis, skewness, treat_outliers, winsorise
from analytics.index.pipeline import IndexConfig, IndexResult, Weighting, build_index
from analytics.index.screening import screen
from analytics.index.sensitivity import SobolResult, sensitivity
from analytics.index.sobol import Factor, sobol_design, sobol_indices, sobol_indices_by_column
from analytics.index.tree import Tree
from analytics.index.trends import TrendResult, index_trend
from analytics.index.uncertainty import Choices, UncertaintyResult, uncertainty
from analytics.index.weighting import budget_weights, equal_weights, given_weights, pca_weights

__all__ = [
    "AGGREGATIONS",
    "IMPUTATIONS",
    "NORMALISATIONS",
    "Aggregation",
    "Choices",
    "Factor",
    "Imputation",
    "IndexConfig",
    "IndexResult",
    "Indicators",
    "Normalisation",
    "SobolResult",
    "Tree",
    "TrendResult",
    "UncertaintyResult",
    "Weighting",
    "aggregate",
    "aggregate_tree",
    "budget_weights",
    "build_index",
    "copeland",
    "distance_to_target",
    "equal_weights",
    "given_weights",
    "goalposts",
    "impute",
    "index_trend",
    "indicator_meta",
    "kurtosis",
    "min_max",
    "normalise",
    "pca_weights",
    "rank",
    "screen",
    "sensitivity",
    "skewness",
    "sobol_design",
    "sobol_indices",
    "sobol_indices_by_column",
    "treat_outliers",
    "uncertainty",
    "weighted_arithmetic",
    "weighted_geometric",
    "weighted_harmonic",
    "winsorise",
    "z_score",
]
