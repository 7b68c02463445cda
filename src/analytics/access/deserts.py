"""Learning deserts: who lives where access is poor, by age band.

`population_by_band` has one row per area (in the order of the cost matrix's origins) and one column
per age band; the bands must not overlap, so that their sum is the whole population (the last row
of each result, "all ages").

>>> population = pd.DataFrame({"0-17": [100.0, 50.0], "65+": [20.0, 80.0]})
>>> desert_population(np.array([0.5, 0.0]), population, threshold=0.1)["share"].round(3).tolist()
[0.333, 0.8, 0.52]
>>> share_within(np.array([300.0, 1200.0]), population, max_cost=800)["population_within"].tolist()
[100.0, 20.0, 120.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from analytics.access._checks import FloatArray
from analytics.access.measures import nearest_cost

ALL_AGES = "all ages"
BAND_INDEX_NAME = "age_band"


def desert_population(scores: ArrayLike, population_by_band: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Residents per age band living in areas scoring below `threshold`, and their share of the band.

    Columns: population_in_deserts, population, share (0 for an empty band). NaN scores (the
    "pysal" convention's unreached areas) are refused: use the standard convention or fill them.
    """
    values = _per_area(scores, population_by_band, "scores")
    if np.isnan(values).any():
        raise ValueError("scores contain NaN; compute them with convention='standard' (unreached areas score 0)")
    return _band_table(population_by_band, values < threshold, "population_in_deserts")


def share_within(
    costs_or_nearest: sparse.csr_matrix | ArrayLike, population_by_band: pd.DataFrame, max_cost: float
) -> pd.DataFrame:
    """Residents per age band within `max_cost` of a venue (e.g. 800 m, a 10-minute walk), and their share.

    Takes a cost matrix or the per-area cost to the nearest venue (`nearest_cost`). Columns:
    population_within, population, share (0 for an empty band).
    """
    if sparse.issparse(costs_or_nearest):
        nearest = nearest_cost(costs_or_nearest)
    else:
        nearest = _per_area(costs_or_nearest, population_by_band, "costs_or_nearest")
    return _band_table(population_by_band, nearest <= max_cost, "population_within")


def _per_area(values: ArrayLike, population_by_band: pd.DataFrame, name: str) -> FloatArray:
    if isinstance(values, pd.Series) and not values.index.equals(population_by_band.index):
        raise ValueError(f"{name} is indexed differently from population_by_band; align them first")
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (len(population_by_band),):
        raise ValueError(f"{name} must hold one value per area ({len(population_by_band)}), got shape {array.shape}")
    return array


def _band_table(population_by_band: pd.DataFrame, selected: NDArray[np.bool_], column: str) -> pd.DataFrame:
    counts = _counts(population_by_band)
    totals = counts.sum(axis=0)
    chosen = selected.astype(np.float64) @ counts
    totals, chosen = np.append(totals, totals.sum()), np.append(chosen, chosen.sum())
    share = np.divide(chosen, totals, out=np.zeros_like(chosen), where=totals > 0)
    index = pd.Index([*population_by_band.columns, ALL_AGES], name=BAND_INDEX_NAME)
    return pd.DataFrame({column: chosen, "population": totals, "share": share}, index=index)


def _counts(population_by_band: pd.DataFrame) -> FloatArray:
    if population_by_band.shape[1] == 0:
        raise ValueError("population_by_band needs at least one age-band column")
    try:
        counts = population_by_band.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"population_by_band must be numeric: {error}") from error
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError("population_by_band must hold finite, non-negative counts")
    return counts
