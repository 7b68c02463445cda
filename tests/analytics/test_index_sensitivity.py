"""Sobol indices: our SALib wrapper against the Ishigami function, then on the index's choices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from numpy.typing import NDArray

from analytics.index import (
    AGGREGATIONS,
    Choices,
    Factor,
    sensitivity,
    sobol_design,
    sobol_indices,
    sobol_indices_by_column,
)

FloatArray = NDArray[np.float64]
ISHIGAMI_FIRST_ORDER = [0.3139, 0.4424, 0.0]  # a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008)
ISHIGAMI_TOTAL = [0.5576, 0.4424, 0.2437]


def ishigami(x: FloatArray) -> FloatArray:
    return np.asarray(np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0]))


def ishigami_factors() -> list[Factor]:
    return [Factor(name, (-np.pi, np.pi)) for name in ("x1", "x2", "x3")]


def test_it_recovers_the_ishigami_indices() -> None:
    factors = ishigami_factors()
    design = sobol_design(factors, 4096, seed=11)

    indices = sobol_indices(factors, ishigami(design))

    assert design.shape == (4096 * 5, 3)
    assert_allclose(indices["S1"], ISHIGAMI_FIRST_ORDER, atol=0.05)
    assert_allclose(indices["ST"], ISHIGAMI_TOTAL, atol=0.05)
    assert (indices["S1_conf"] < 0.1).all()


def test_it_gives_the_same_point_estimates_for_many_outputs_at_once() -> None:
    factors = ishigami_factors()
    design = sobol_design(factors, 1024, seed=2)
    outputs = np.column_stack([ishigami(design), 3 * ishigami(design) + 1, np.ones(len(design))])

    first, total = sobol_indices_by_column(factors, outputs)

    single = sobol_indices(factors, ishigami(design))
    assert_allclose(first[:, 0], single["S1"], rtol=1e-10)
    assert_allclose(total[:, 1], single["ST"], rtol=1e-10)
    assert (first[:, 2] == 0).all()  # an output that never changes


def test_it_refuses_a_sample_size_that_is_not_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        sobol_design(ishigami_factors(), 1000)


def small_city() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(9)
    level = np.linspace(-1, 1, 10)
    data = pd.DataFrame(
        level[:, np.newaxis] + rng.normal(scale=0.8, size=(10, 4)) + 3, columns=list("abcd"), index=list("PQRSTUVWXY")
    )
    meta = pd.DataFrame({"code": list("abcd"), "direction": [1, 1, 1, 1]})
    tree = pd.DataFrame({"code": list("abcdAB"), "parent": ["A", "A", "B", "B", "LCI", "LCI"]})
    return data, meta, tree


def test_it_finds_that_an_imputation_choice_cannot_matter_without_gaps() -> None:
    # No value is missing, so mean and median imputation give the same index: both indices are exactly 0.
    data, meta, tree = small_city()
    choices = Choices(imputations=("mean", "median"), aggregations=AGGREGATIONS, weight_noise=0.25, drop_indicator=True)

    result = sensitivity(data, meta, tree, choices, 64)

    assert list(result.indices.index) == ["imputation", "normalisation", "aggregation", "weights", "dropped_indicator"]
    assert result.runs == 64 * 7
    assert result.indices["S1"]["imputation"] == result.indices["ST"]["imputation"] == 0.0
    assert (result.total_order["imputation"] == 0).all()
    assert result.indices["ST"]["aggregation"] > 0.05
    assert result.first_order.shape == (10, 5)
    assert len(result.uncertainty.summary) == 10


def test_it_refuses_to_analyse_choices_that_do_not_vary() -> None:
    data, meta, tree = small_city()
    fixed = Choices(imputations=("mean",), normalisations=("minmax",), aggregations=("arithmetic",), weight_noise=0.0)

    with pytest.raises(ValueError, match="nothing varies"):
        sensitivity(data, meta, tree, fixed, 64)
