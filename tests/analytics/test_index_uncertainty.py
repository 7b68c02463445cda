"""Monte Carlo over the choices: it reproduces the nominal build, agrees with build_index run by run, brackets it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import AGGREGATIONS, NORMALISATIONS, Choices, IndexConfig, build_index, uncertainty
from analytics.index.pipeline import build_prepared, prepare
from analytics.index.uncertainty import simulate


def framework() -> pd.DataFrame:
    """8 indicators -> 4 sub-areas -> 2 areas -> index."""
    parents = {f"i{n}": f"S{n // 2}" for n in range(8)} | {f"S{n}": f"A{n // 2}" for n in range(4)}
    parents |= {"A0": "LCI", "A1": "LCI"}
    return pd.DataFrame({"code": list(parents), "parent": list(parents.values())})


def city(units: int = 14, seed: int = 3, gaps: float = 0.08) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Districts with a latent level of learning, eight noisy indicators, some gaps and two boroughs."""
    rng = np.random.default_rng(seed)
    level = np.linspace(-2, 2, units)
    directions = np.array([1, 1, -1, 1, 1, -1, 1, 1])
    values = (level[:, np.newaxis] + rng.normal(scale=0.6, size=(units, 8))) * directions + 5
    data = pd.DataFrame(values, columns=[f"i{n}" for n in range(8)], index=[f"d{u:02d}" for u in range(units)])
    data = data.mask(rng.random(data.shape) < gaps)
    meta = pd.DataFrame(
        {
            "code": data.columns,
            "direction": directions,
            "low": data.quantile(0.1).to_numpy(),
            "high": data.quantile(0.9).to_numpy(),
            "target": np.where(directions > 0, data.quantile(0.75), data.quantile(0.25)),
        }
    )
    boroughs = pd.Series(np.arange(units) % 2, index=data.index)
    return data, meta, boroughs


def test_it_reproduces_the_nominal_ranks_when_nothing_varies() -> None:
    data, meta, _ = city()
    fixed = Choices(imputations=("mean",), normalisations=("minmax",), aggregations=("arithmetic",), weight_noise=0.0)

    result = uncertainty(data, meta, framework(), fixed, 20)

    nominal = build_index(data, meta, framework())
    assert (result.ranks.to_numpy() == nominal.ranks["LCI"].to_numpy(dtype=float)).all()
    assert_allclose(result.scores.to_numpy(), np.tile(nominal.index.to_numpy(), (20, 1)))


def test_it_agrees_with_build_index_run_by_run() -> None:
    # Every run is the pipeline with that run's choices: the vectorised rebuild must give the same index.
    data, meta, boroughs = city()
    config = IndexConfig(weighting="equal")
    choices = Choices(
        imputations=("mean", "median", "group_mean"),
        normalisations=NORMALISATIONS,
        aggregations=AGGREGATIONS,
        weight_noise=0.0,
        drop_indicator=True,
    )

    result = uncertainty(data, meta, framework(), choices, 60, config=config, groups=boroughs, seed=5)

    assert result.runs["dropped_indicator"].notna().sum() > 30
    for run, choice in enumerate(result.runs.to_dict("records")):
        dropped = () if pd.isna(choice["dropped_indicator"]) else (str(choice["dropped_indicator"]),)
        rebuilt = config.replace(
            imputation=choice["imputation"],
            normalisation=choice["normalisation"],
            aggregation=choice["aggregation"],
            exclude=dropped,
        )
        expected = build_index(data, meta, framework(), rebuilt, groups=boroughs).index
        assert_allclose(result.scores.iloc[run], expected.to_numpy(), rtol=1e-9, atol=1e-9, err_msg=str(choice))


def test_it_applies_the_weight_noise_as_build_index_would_with_those_weights() -> None:
    data, meta, _ = city()
    config = IndexConfig(aggregation="geometric")
    choices = Choices(imputations=("mean",), normalisations=("minmax",), aggregations=("geometric",), weight_noise=0.25)
    prepared = prepare(data, meta, framework(), config, None)
    nominal = build_prepared(prepared, config)
    design = np.random.default_rng(0).uniform(-0.25, 0.25, size=(5, len(nominal.tree.nodes)))

    result = simulate(prepared, nominal, choices, choices.factors(nominal.tree), design)

    for run in range(5):
        weights = nominal.weights * (1 + design[run])
        expected = build_index(data, meta, framework(), config, weights=weights).index
        assert_allclose(result.scores.iloc[run], expected.to_numpy(), rtol=1e-12)


def test_it_brackets_the_deterministic_rank_within_the_5_95_interval() -> None:
    data, meta, _ = city()

    result = uncertainty(data, meta, framework(), Choices(), 400, seed=1)

    summary = result.summary
    assert (summary["rank_q05"] <= summary["nominal_rank"]).all()
    assert (summary["nominal_rank"] <= summary["rank_q95"]).all()
    assert (summary["rank_q05"] <= summary["median_rank"]).all()
    assert (summary["median_rank"] <= summary["rank_q95"]).all()
    assert (summary["score_q05"] <= summary["score_q95"]).all()
    assert len(result.runs) == 400


def test_it_keeps_a_dominant_unit_first_in_every_run() -> None:
    data, meta, boroughs = city(gaps=0.0)
    directions = meta["direction"].to_numpy()
    data.loc["leader"] = np.where(directions > 0, data.max() + 1, data.min() - 1)
    boroughs.loc["leader"] = 0
    choices = Choices(
        imputations=("mean", "median", "group_mean"),
        normalisations=NORMALISATIONS,
        aggregations=AGGREGATIONS,
        weight_noise=0.25,
        drop_indicator=True,
    )

    result = uncertainty(data, meta, framework(), choices, 300, groups=boroughs)

    assert (result.ranks["leader"] == 1).all()


def test_it_records_the_choices_and_the_rank_shift_of_every_run() -> None:
    data, meta, _ = city()

    result = uncertainty(data, meta, framework(), Choices(drop_indicator=True), 50, seed=2)

    assert result.runs.columns.tolist() == [
        "imputation",
        "normalisation",
        "aggregation",
        "dropped_indicator",
        "mean_rank_shift",
    ]
    assert set(result.runs["normalisation"]) <= {"minmax", "zscore", "rank"}
    assert (result.runs["mean_rank_shift"] >= 0).all()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"imputations": ("none",)}, "complete data"),
        ({"normalisations": ()}, "normalisations needs at least one option"),
        ({"weight_noise": 1.5}, "weight_noise must lie between 0 and 1"),
    ],
)
def test_it_refuses_choices_it_cannot_explore(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Choices(**options)  # type: ignore[arg-type]
