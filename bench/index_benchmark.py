"""Benchmark the Learning City Index uncertainty and sensitivity analysis against a plain pandas loop.

    .venv/bin/python bench/index_benchmark.py [--units 400 --base 2048 --loop-runs 200 --seed 2026]

A synthetic network of 400 units x 60 indicators in a 4-level framework (60 indicators -> 12
sub-areas -> 3 areas -> index), with 5 % of values missing, some heavily skewed indicators, some
where less is better, goalposts, targets and 8 groups for group-mean imputation. Ours is one call
to `analytics.index.sensitivity`: a Saltelli design over five choices (imputation: mean, median,
group mean; normalisation: the five; aggregation: the four; +/- 25 % noise on all 75 node weights;
one indicator dropped or none), `base x 7` rebuilds (14,336 by default), Sobol indices on the mean
absolute rank shift and on every unit's rank, and the rank and score intervals.

The baseline is the whole pipeline written plainly with pandas and run once per rebuild (screen,
impute, treat outliers column by column, normalise, perturb and renormalise the weights, aggregate
every node of the tree, Copeland by pairwise comparison). It runs on the first `--loop-runs` rows of
the same design; its time is extrapolated linearly to all the rebuilds, and its index scores are
compared with ours on those rows. Our own `build_index` in a loop is timed the same way, for scale.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analytics.index import AGGREGATIONS, NORMALISATIONS, Choices, IndexConfig, Tree, build_index, sensitivity
from analytics.index.sobol import sobol_design

AREAS, SUB_AREAS_PER_AREA, INDICATORS_PER_SUB_AREA = 3, 4, 5
GROUPS = 8
SKEW_LIMIT, KURTOSIS_LIMIT, MAX_WINSORISED = 2.0, 3.5, 5
SHIFT_SHARE = 0.01


def main() -> None:
    """Generate the network, time ours, time the loops, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--base", type=int, default=2048, help="Sobol base sample (power of two); runs = base x 7")
    parser.add_argument("--loop-runs", type=int, default=200, help="rebuilds timed in each loop, then extrapolated")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    data, meta, tree, groups = synthetic_network(arguments.units, arguments.seed)
    config = IndexConfig(weighting="equal")
    choices = Choices(
        imputations=("mean", "median", "group_mean"),
        normalisations=NORMALISATIONS,
        aggregations=AGGREGATIONS,
        weight_noise=0.25,
        drop_indicator=True,
    )
    print(f"== Learning City Index: {data.shape[0]} units x {data.shape[1]} indicators, 4 levels (60 -> 12 -> 3 -> 1)")
    print(
        f"   {int(data.isna().to_numpy().sum())} missing values; machine: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    started = time.perf_counter()
    result = sensitivity(data, meta, tree, choices, arguments.base, config=config, groups=groups, seed=arguments.seed)
    ours = time.perf_counter() - started
    runs = result.runs
    report_ours(result, ours)

    plan = loop_plan(choices, Tree.from_frame(tree), arguments.base, arguments.seed, arguments.loop_runs)
    loop_seconds, loop_scores = time_loop(lambda run: plain_pandas_index(data, meta, tree, groups, run), plan)
    build_seconds, _ = time_loop(lambda run: build_index_for(data, meta, tree, groups, config, run), plan)
    ours_scores = result.uncertainty.scores.iloc[: len(plan)].to_numpy()
    report_baselines(runs, ours, len(plan), loop_seconds, build_seconds, ours_scores, loop_scores)


def synthetic_network(units: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series]:
    """Indicators driven by one latent level per sub-area, with skew, negative directions and gaps."""
    rng = np.random.default_rng(seed)
    sub_areas = AREAS * SUB_AREAS_PER_AREA
    count = sub_areas * INDICATORS_PER_SUB_AREA
    codes = [f"i{n:02d}" for n in range(count)]
    parents = {code: f"S{n // INDICATORS_PER_SUB_AREA:02d}" for n, code in enumerate(codes)}
    parents |= {f"S{s:02d}": f"A{s // SUB_AREAS_PER_AREA}" for s in range(sub_areas)}
    parents |= {f"A{a}": "LCI" for a in range(AREAS)}
    tree = pd.DataFrame({"code": list(parents), "parent": list(parents.values())})
    general = rng.normal(size=(units, 1))
    latent = 0.6 * general + 0.8 * rng.normal(size=(units, sub_areas))
    values = np.repeat(latent, INDICATORS_PER_SUB_AREA, axis=1) + rng.normal(scale=0.9, size=(units, count))
    skewed = np.arange(count) % 7 == 3
    values[:, skewed] = np.exp(1.5 * values[:, skewed])  # counts with a long right tail
    directions = np.where(np.arange(count) % 6 == 5, -1, 1)
    values = values * directions + 10 * (directions < 0)
    data = pd.DataFrame(values, columns=codes, index=[f"unit{u:03d}" for u in range(units)])
    data = data.mask(rng.random(data.shape) < 0.05)
    meta = pd.DataFrame(
        {
            "code": codes,
            "direction": directions,
            "low": data.quantile(0.05).to_numpy(),
            "high": data.quantile(0.95).to_numpy(),
            "target": np.where(directions > 0, data.quantile(0.8), data.quantile(0.2)),
        }
    )
    groups = pd.Series(rng.integers(0, GROUPS, units), index=data.index)
    return data, meta, tree, groups


def loop_plan(choices: Choices, tree: Tree, base: int, seed: int, limit: int) -> list[dict[str, Any]]:
    """The first `limit` rows of the same Saltelli design, decoded plainly."""
    factors = choices.factors(tree)
    design = sobol_design(factors, base, seed=seed)[:limit]
    columns, start = {}, 0
    for factor in factors:
        columns[factor.name] = design[:, start : start + factor.size]
        start += factor.size

    def pick(name: str, options: int, row: int) -> int:
        return min(int(columns[name][row, 0] * options), options - 1)

    return [
        {
            "imputation": choices.imputations[pick("imputation", len(choices.imputations), row)],
            "normalisation": choices.normalisations[pick("normalisation", len(choices.normalisations), row)],
            "aggregation": choices.aggregations[pick("aggregation", len(choices.aggregations), row)],
            "noise": pd.Series(columns["weights"][row], index=list(tree.nodes)),
            "dropped": pick("dropped_indicator", len(tree.indicators) + 1, row) - 1,
        }
        for row in range(len(design))
    ]


def time_loop(pipeline: Callable[[dict[str, Any]], pd.Series], plan: list[dict[str, Any]]) -> tuple[float, np.ndarray]:
    """Seconds to run `pipeline` once per planned rebuild, and the index scores it gave."""
    started = time.perf_counter()
    scores = [pipeline(run).to_numpy() for run in plan]
    return time.perf_counter() - started, np.array(scores)


def build_index_for(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    tree: pd.DataFrame,
    groups: pd.Series,
    config: IndexConfig,
    run: dict[str, Any],
) -> pd.Series:
    """Our own pipeline, called once per rebuild (with the run's weights passed in)."""
    framework = Tree.from_frame(tree)
    dropped = (framework.indicators[run["dropped"]],) if run["dropped"] >= 0 else ()
    weights = equal_tree_weights(tree) * (1 + run["noise"])
    choices = {key: run[key] for key in ("imputation", "normalisation", "aggregation")}
    rebuilt = config.replace(exclude=dropped, **choices)
    return build_index(data, meta, framework, rebuilt, groups=groups, weights=weights).index


# ---- the plain pandas pipeline -------------------------------------------------------------------------


def plain_pandas_index(
    data: pd.DataFrame, meta: pd.DataFrame, tree: pd.DataFrame, groups: pd.Series, run: dict[str, Any]
) -> pd.Series:
    """One rebuild, every step written plainly with pandas."""
    rows = {str(code): {str(k): number(v) for k, v in row.items()} for code, row in meta.set_index("code").iterrows()}
    frame = data.loc[:, data.notna().mean() >= 0.66]
    frame = frame.loc[frame.notna().mean(axis=1) >= 0.66]
    frame = frame.loc[:, frame.nunique() > 1]
    if run["imputation"] == "mean":
        frame = frame.fillna(frame.mean())
    elif run["imputation"] == "median":
        frame = frame.fillna(frame.median())
    else:
        frame = frame.fillna(frame.groupby(groups.reindex(frame.index)).transform("mean")).fillna(frame.mean())
    if run["normalisation"] not in ("goalposts", "distance_to_target"):
        frame = frame.apply(treat_column)
    normalised = frame.apply(lambda column: normalise_column(column, rows[str(column.name)], run["normalisation"]))
    weights = plain_weights(tree, run)
    scores = normalised.copy()
    parents = tree.set_index("code")["parent"]
    level = list(normalised.columns)
    while level != ["LCI"]:
        above = list(dict.fromkeys(parents[code] for code in level))
        for parent in above:
            children = [code for code in level if parents[code] == parent]
            scores[parent] = aggregate_node(scores, children, weights, parents, normalised, run["aggregation"], parent)
        level = above
    return scores["LCI"]


def treat_column(column: pd.Series) -> pd.Series:
    """Winsorise up to 5 points while |skew| > 2 and kurtosis > 3.5, else the shifted log of the original."""

    def fails(values: pd.Series) -> bool:
        return abs(number(values.skew())) > SKEW_LIMIT and number(values.kurt()) > KURTOSIS_LIMIT

    if not fails(column):
        return column
    treated, changed = column.copy(), pd.Series(False, index=column.index)
    while fails(treated) and changed.sum() < MAX_WINSORISED:
        right_skew = number(treated.skew()) >= 0
        extreme = treated == (treated.max() if right_skew else treated.min())
        treated[extreme] = treated[~extreme].max() if right_skew else treated[~extreme].min()
        changed |= extreme
    if not fails(treated):
        return treated
    low, high = number(column.min()), number(column.max())
    shift = SHIFT_SHARE * (high - low)
    if number(column.skew()) >= 0:
        return pd.Series(np.log(column - low + shift), index=column.index)
    return pd.Series(-np.log(high + shift - column), index=column.index)


def normalise_column(column: pd.Series, meta: dict[str, float], method: str) -> pd.Series:
    """One indicator onto the common scale, more is better."""
    oriented = column * meta["direction"]
    if method == "minmax":
        return (oriented - number(oriented.min())) / (number(oriented.max()) - number(oriented.min())) * 100
    if method == "zscore":
        return (oriented - number(oriented.mean())) / number(oriented.std())
    if method == "rank":
        return oriented.rank(method="average")
    if method == "goalposts":
        share = (column - meta["low"]) / (meta["high"] - meta["low"])
        return (share if meta["direction"] > 0 else 1 - share).clip(0, 1) * 100
    worst = number(column.min() if meta["direction"] > 0 else column.max())
    gap = (meta["target"] - worst) * meta["direction"]
    if gap <= 0:
        return column * 0 + 100.0
    return ((column - worst) * meta["direction"] / gap).clip(upper=1) * 100


def plain_weights(tree: pd.DataFrame, run: dict[str, Any]) -> pd.Series:
    """Equal weights times the run's noise, the dropped indicator at 0, renormalised within parents.

    (Every sub-area has five indicators, so dropping one never empties a parent.)
    """
    table = tree.set_index("code")
    weights = equal_tree_weights(tree) * (1 + run["noise"])
    if run["dropped"] >= 0:
        weights.iloc[run["dropped"]] = 0.0  # indicators come first, in framework order
    return pd.Series(weights / weights.groupby(table["parent"]).transform("sum"))


def equal_tree_weights(tree: pd.DataFrame) -> pd.Series:
    """1 / siblings for every node."""
    table = tree.set_index("code")
    return 1.0 / table.groupby("parent")["parent"].transform("count")


def aggregate_node(
    scores: pd.DataFrame,
    children: list[str],
    weights: pd.Series,
    parents: pd.Series,
    normalised: pd.DataFrame,
    method: str,
    parent: str,
) -> pd.Series:
    """One node from its children (Copeland: from the indicators below it, with their effective weights)."""
    if method == "copeland":
        leaves = [code for code in normalised.columns if parent in ancestors(code, parents)]
        effective = pd.Series({code: path_weight(code, parent, weights, parents) for code in leaves})
        return copeland_plain(normalised[leaves], effective)
    values, w = scores[children], weights[children]
    used = w > 0
    lowest, highest = number(values.loc[:, used].min().min()), number(values.loc[:, used].max().max())
    shift = 0.0 if lowest > 0 or method == "arithmetic" else SHIFT_SHARE * (highest - lowest or 1.0) - lowest
    if method == "arithmetic":
        return (values * w).sum(axis=1)
    if method == "geometric":
        return pd.Series(np.exp((np.log((values + shift).clip(lower=1e-300)) * w).sum(axis=1)) - shift)
    return 1 / (w / (values + shift).clip(lower=1e-300)).sum(axis=1) - shift


def number(value: Any) -> float:
    """A pandas scalar as a float (pandas-stubs types reductions as any scalar)."""
    return float(value)


def ancestors(code: str, parents: pd.Series) -> list[str]:
    chain = []
    while code in parents.index:
        code = parents[code]
        chain.append(code)
    return chain


def path_weight(code: str, top: str, weights: pd.Series, parents: pd.Series) -> float:
    weight = 1.0
    while code != top:
        weight *= weights[code]
        code = parents[code]
    return weight


def copeland_plain(values: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Wins minus losses over every pair of units, weighting each indicator's comparison."""
    x = values.to_numpy()
    signs = np.sign(x[:, np.newaxis, :] - x[np.newaxis, :, :])
    margins = signs @ weights.to_numpy()
    margins[np.abs(margins) <= 1e-9] = 0.0
    return pd.Series(np.sign(margins).sum(axis=1), index=values.index)


# ---- reporting -----------------------------------------------------------------------------------------


def report_ours(result: Any, seconds: float) -> None:
    print(f"\n== ours: analytics.index.sensitivity, {result.runs:,} rebuilds (Saltelli design, base x 7)")
    print(f"   time: {seconds:.2f} s ({result.runs / seconds:,.0f} rebuilds/s), including the nominal build,")
    print("   every imputation x normalisation variant, Sobol indices and the rank and score intervals")
    print("\n   Sobol indices on the mean absolute rank shift (bootstrap 95 % half-widths):")
    print(result.indices.round(3).to_string(max_cols=None).replace("\n", "\n   ").join(["   ", ""]))
    print("\n   mean over units of the Sobol indices on each unit's rank:")
    table = pd.DataFrame({"S1": result.first_order.mean(), "ST": result.total_order.mean()}).round(3)
    print(table.to_string().replace("\n", "\n   ").join(["   ", ""]))
    summary = result.uncertainty.summary
    width = (summary["rank_q95"] - summary["rank_q05"]).median()
    print(f"\n   median width of the 5-95 % rank interval: {width:.0f} places of {len(summary)}")
    print("   first five units by nominal rank:")
    head = summary.sort_values("nominal_rank").head(5).round(1)
    print(head.to_string().replace("\n", "\n   ").join(["   ", ""]))


def report_baselines(
    runs: int,
    ours: float,
    measured: int,
    loop_seconds: float,
    build_seconds: float,
    ours_scores: np.ndarray,
    loop_scores: np.ndarray,
) -> None:
    loop_total = loop_seconds / measured * runs
    build_total = build_seconds / measured * runs
    difference = np.nanmax(np.abs(ours_scores - loop_scores))
    same_ranks = np.mean(ranked(ours_scores) == ranked(loop_scores))
    print(f"\n== plain pandas loop: the whole pipeline once per rebuild, timed on the first {measured} rebuilds")
    print(f"   time: {loop_seconds:.2f} s for {measured} = {loop_seconds / measured * 1000:.0f} ms per rebuild;")
    print(f"   extrapolated linearly to {runs:,} rebuilds: {loop_total:,.0f} s")
    print(f"   agreement with ours on those {measured} rebuilds: largest index difference {difference:.2e},")
    print(f"   identical ranks for {same_ranks:.2%} of unit-rebuilds")
    print(f"\n== our build_index in a loop (pandas pipeline, one call per rebuild), first {measured} rebuilds")
    print(
        f"   time: {build_seconds:.2f} s = {build_seconds / measured * 1000:.0f} ms per rebuild; "
        f"extrapolated: {build_total:,.0f} s"
    )
    print("\n== summary")
    print(f"   ours {ours:.2f} s for {runs:,} rebuilds + Sobol (target: at most 10 s)")
    speedup = loop_total / ours
    print(f"   plain pandas loop, extrapolated: {loop_total:,.0f} s, so ours is {speedup:,.0f}x faster (target 10x)")
    print(f"   build_index loop, extrapolated: {build_total:,.0f} s, so ours is {build_total / ours:,.0f}x faster")


def ranked(scores: np.ndarray) -> np.ndarray:
    return pd.DataFrame(scores).rank(axis=1, ascending=False, method="min").to_numpy()


if __name__ == "__main__":
    main()
