"""Variance-based sensitivity (Sobol indices) through SALib: a thin, typed wrapper.

A `Factor` is one uncertain input: a single variable, or a group of `size` variables that move
together in the design (SALib's groups), such as one weight noise per tree node counted as one
factor "weights". `sobol_design` draws SALib's Saltelli/Sobol design (scrambled Sobol sequence,
first and total order only): `n * (factors + 2)` rows. `sobol_indices` analyses one output per run
with SALib (Saltelli 2010 first-order and Jansen total-order estimators, bootstrap confidence);
`sobol_indices_by_column` gives the same point estimates for many outputs at once (each unit's rank),
calling SALib's estimators on whole matrices.

>>> factors = [Factor("x", (0.0, 1.0)), Factor("y", (0.0, 1.0))]
>>> design = sobol_design(factors, 1024, seed=3)
>>> design.shape
(4096, 2)
>>> sobol_indices(factors, 4 * design[:, 0] + design[:, 1])[["S1", "ST"]].round(2).values.tolist()
[[0.94, 0.94], [0.06, 0.06]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze  # type: ignore[import-untyped]
from SALib.sample import sobol as sobol_sample  # type: ignore[import-untyped]

from analytics.index._checks import FloatArray

INDEX_COLUMNS = ["S1", "S1_conf", "ST", "ST_conf"]


@dataclass(frozen=True)
class Factor:
    """An uncertain input: `size` variables uniform on `bounds`, counted as one factor."""

    name: str
    bounds: tuple[float, float] = (0.0, 1.0)
    size: int = 1

    def __post_init__(self) -> None:
        if self.size < 1 or not self.bounds[1] > self.bounds[0]:
            raise ValueError(f"factor {self.name!r} needs size >= 1 and increasing bounds, got {self}")


def salib_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """SALib's problem dictionary, with one group per factor."""
    names = [name for factor in factors for name in _variable_names(factor)]
    if len({factor.name for factor in factors}) != len(factors) or not factors:
        raise ValueError("give at least one factor, each with its own name")
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(factor.bounds) for factor in factors for _ in range(factor.size)],
        "groups": [factor.name for factor in factors for _ in range(factor.size)],
    }


def sobol_design(factors: Sequence[Factor], n: int, *, seed: int = 1) -> FloatArray:
    """SALib's Saltelli design on a scrambled Sobol sequence: n (a power of two) x (factors + 2) runs."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of two (Sobol sequences), got {n}")
    design = sobol_sample.sample(salib_problem(factors), n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(design, dtype=np.float64)


def sobol_indices(
    factors: Sequence[Factor], outputs: FloatArray, *, seed: int = 1, resamples: int = 100, confidence: float = 0.95
) -> pd.DataFrame:
    """First-order and total indices of one output per run of `sobol_design`, with bootstrap half-widths.

    `seed` drives SALib's bootstrap; give a non-zero one (SALib reads 0 as "no seed").
    """
    values = _runs(factors, np.asarray(outputs, dtype=np.float64))
    if values.ndim != 1:
        raise ValueError("sobol_indices takes one output per run; see sobol_indices_by_column")
    if np.ptp(values) == 0:
        return pd.DataFrame(0.0, index=[factor.name for factor in factors], columns=INDEX_COLUMNS)
    result = sobol_analyze.analyze(
        salib_problem(factors),
        values,
        calc_second_order=False,
        num_resamples=resamples,
        conf_level=confidence,
        seed=seed,
    )
    return pd.DataFrame(
        {column: np.asarray(result[column], dtype=np.float64) for column in INDEX_COLUMNS},
        index=[factor.name for factor in factors],
    )


def sobol_indices_by_column(factors: Sequence[Factor], outputs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First-order and total indices (factors x columns) of many outputs (runs x columns), point estimates.

    Each column is centred and scaled first, as SALib does; a column that never changes gets 0.
    """
    values = _runs(factors, np.asarray(outputs, dtype=np.float64))
    if values.ndim != 2:
        raise ValueError("sobol_indices_by_column takes a runs x outputs matrix")
    spread = values.std(axis=0)
    moving = spread > 0
    scaled = (values[:, moving] - values[:, moving].mean(axis=0)) / spread[moving]
    step = len(factors) + 2
    first_runs, last_runs = scaled[0::step], scaled[step - 1 :: step]
    first_order = np.zeros((len(factors), values.shape[1]))
    total = np.zeros((len(factors), values.shape[1]))
    if moving.any():
        for position in range(len(factors)):
            crossed = scaled[position + 1 :: step]
            first_order[position, moving] = sobol_analyze.first_order(first_runs, crossed, last_runs)
            total[position, moving] = sobol_analyze.total_order(first_runs, crossed, last_runs)
    return first_order, total


def _runs(factors: Sequence[Factor], outputs: FloatArray) -> FloatArray:
    step = len(factors) + 2
    if outputs.shape[0] % step:
        raise ValueError(f"expected n x {step} runs (the rows of sobol_design), got {outputs.shape[0]}")
    return outputs


def _variable_names(factor: Factor) -> list[str]:
    return [factor.name] if factor.size == 1 else [f"{factor.name}[{i}]" for i in range(factor.size)]
