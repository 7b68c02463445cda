"""Sensitivity analysis: which choice moves the ranks, by Sobol indices over the same rebuilds.

`sensitivity` draws SALib's Saltelli design over the varying choices of `Choices` (each discrete
choice is one factor, the weight noise of all nodes one grouped factor), rebuilds the index for
every row (n x (factors + 2) runs, all vectorised, see `_rebuild`), and returns:

- `indices`: first-order and total Sobol indices, with bootstrap half-widths, of each choice on the
  mean absolute rank shift from the nominal ranks (the Handbook's summary output);
- `first_order`, `total_order`: the same point estimates on each unit's rank (units x factors);
- `uncertainty`: rank and score intervals from the same runs (every row of the design is a draw
  from the same uniform distribution over the choices).

A first-order index is the share of the output's variance that one choice explains alone; the
total index adds its interactions with the others. A total index near 0 means the choice does not
matter; a large gap between total and first order means it matters through interactions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.index.pipeline import IndexConfig, build_prepared, prepare
from analytics.index.sobol import sobol_design, sobol_indices, sobol_indices_by_column
from analytics.index.tree import Tree
from analytics.index.uncertainty import Choices, UncertaintyResult, simulate


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol indices of the choices on the ranks, and the uncertainty summary of the same runs."""

    indices: pd.DataFrame  # factor x S1, S1_conf, ST, ST_conf, on the mean absolute rank shift
    first_order: pd.DataFrame  # units x factors, on each unit's rank
    total_order: pd.DataFrame  # units x factors
    uncertainty: UncertaintyResult

    @property
    def runs(self) -> int:
        """The number of rebuilds."""
        return len(self.uncertainty.runs)


def sensitivity(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    tree: Tree | pd.DataFrame,
    choices: Choices | None = None,
    n: int = 1024,
    *,
    config: IndexConfig | None = None,
    groups: pd.Series | None = None,
    seed: int = 1,
) -> SobolResult:
    """Sobol indices of the choices from n x (factors + 2) rebuilds (n a power of two)."""
    config, choices = config or IndexConfig(), choices or Choices()
    prepared = prepare(data, meta, tree, config, groups)
    nominal = build_prepared(prepared, config)
    factors = choices.factors(nominal.tree)
    if not factors:
        raise ValueError("nothing varies: give at least two options for a choice, a weight noise or drop_indicator")
    design = sobol_design(factors, n, seed=seed)
    result = simulate(prepared, nominal, choices, factors, design)
    ranks = result.ranks.to_numpy()
    first, total = sobol_indices_by_column(factors, ranks)
    names = [factor.name for factor in factors]
    return SobolResult(
        indices=sobol_indices(factors, result.runs["mean_rank_shift"].to_numpy(), seed=seed),
        first_order=pd.DataFrame(first.T, index=result.ranks.columns, columns=names),
        total_order=pd.DataFrame(total.T, index=result.ranks.columns, columns=names),
        uncertainty=result,
    )
