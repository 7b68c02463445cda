"""Benchmark the accessibility measures (2SFCA, E2SFCA) against PySAL `access`, each run in its own subprocess.

    .venv/bin/python bench/access_benchmark.py [--origins 100000 --destinations 10000 --max-cost 800]
        [--access-origins 50000 --access-destinations 5000] [--million 1000000]

A synthetic city of about 20 km x 20 km (seeded: areas clustered around 40 centres plus a uniform
spread, populations, capacities). On the comparison case (`--access-origins` x
`--access-destinations`; the default is 250 million rows for `access`, about 12 GB at its peak)
both sides run from the same coordinates: ours times `euclidean_costs` and the measure; `access`
times building its dense cost table (scipy `cdist` into a data frame, reported separately) and its
computation. The results are compared (max abs diff, our standard convention against `access`
with its NaN for unreached areas read as 0). Then ours runs alone on `--origins` and on a million
origins. Peak memory is `ru_maxrss` of each run's own process; "above start" subtracts the
process's peak after imports and data generation.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SIDE_METRES = 20_000.0
BANDS = ((400.0, 1.0), (600.0, 0.68), (800.0, 0.22))  # E2SFCA bands scaled to an 800 m walk
MEASURES = ("2sfca", "e2sfca")


def main() -> None:
    """Parse arguments; run every case in a subprocess (or one case, when called as a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origins", type=int, default=100_000, help="areas in our large run")
    parser.add_argument("--destinations", type=int, default=10_000, help="venues in our large and million runs")
    parser.add_argument("--max-cost", type=float, default=800.0, help="catchment in metres (E2SFCA bands scale to it)")
    parser.add_argument("--access-origins", type=int, default=50_000, help="areas in the comparison with access")
    parser.add_argument("--access-destinations", type=int, default=5_000, help="venues in the comparison")
    parser.add_argument("--million", type=int, default=1_000_000, help="areas in the memory run (0 to skip)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--run", choices=["ours", "access", "scenario"], help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        print(json.dumps(run_in_this_process(arguments)))
        return
    compare_with_access(arguments)
    ours_alone(arguments, arguments.origins, "large run")
    if arguments.million:
        ours_alone(arguments, arguments.million, "million run")
    report_scenario(run_in_subprocess(["--run", "scenario", "--seed", str(arguments.seed)]))


def compare_with_access(arguments: argparse.Namespace) -> None:
    """Both sides on the same city, one subprocess each; times, memory, largest difference, ratio."""
    size = ["--origins", str(arguments.access_origins), "--destinations", str(arguments.access_destinations)]
    common = [*size, "--max-cost", str(arguments.max_cost), "--seed", str(arguments.seed)]
    print(f"== comparison with PySAL access: {arguments.access_origins:,} areas x {arguments.access_destinations:,}")
    print(f"   venues, catchment {arguments.max_cost:g} m (access's dense table: every pair)")
    with tempfile.TemporaryDirectory(prefix="access-bench-") as directory:
        for measure in MEASURES:
            ours_file, theirs_file = Path(directory) / f"ours-{measure}.npy", Path(directory) / f"theirs-{measure}.npy"
            ours = run_in_subprocess(["--run", "ours", "--measure", measure, "--output", str(ours_file), *common])
            theirs = run_in_subprocess(["--run", "access", "--measure", measure, "--output", str(theirs_file), *common])
            ours_scores, theirs_scores = np.load(ours_file), np.load(theirs_file)
            unreached = int(np.isnan(theirs_scores).sum())
            difference = float(np.max(np.abs(ours_scores - np.nan_to_num(theirs_scores, nan=0.0))))
            report_ours(measure, ours)
            report_access(measure, theirs)
            ours_total = ours["cost_seconds"] + ours["measure_seconds"]
            ratio = theirs["measure_seconds"] / ours_total
            print(
                f"   {measure}: max abs diff {difference:.2e} ({unreached} areas unreached: NaN in access, 0 in ours); "
                f"ours (cost matrix included) is {ratio:,.0f}x faster than access's computation alone "
                f"(target 10x: {'met' if ratio >= 10 else 'NOT met'}), "
                f"{(theirs['measure_seconds'] + theirs['table_seconds']) / ours_total:,.0f}x counting its table"
            )


def ours_alone(arguments: argparse.Namespace, origins: int, label: str) -> None:
    """Our two measures on a bigger city, each in its own subprocess."""
    venues = arguments.destinations
    print(f"== ours, {label}: {origins:,} areas x {venues:,} venues, catchment {arguments.max_cost:g} m")
    for measure in MEASURES:
        common = ["--origins", str(origins), "--destinations", str(arguments.destinations)]
        common += ["--max-cost", str(arguments.max_cost), "--seed", str(arguments.seed)]
        result = run_in_subprocess(["--run", "ours", "--measure", measure, *common])
        report_ours(measure, result)
        if origins >= 1_000_000:
            print(f"      peak memory target under 2 GB: {'met' if result['peak_mb'] < 2000 else 'NOT met'}")


def run_in_subprocess(options: list[str]) -> dict[str, Any]:
    """Run one case in a fresh Python process; return its measurements."""
    command = [sys.executable, __file__, *options]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        sys.exit(f"The run {options} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def report_ours(measure: str, result: dict[str, Any]) -> None:
    """Print one of our runs."""
    total = result["cost_seconds"] + result["measure_seconds"]
    print(
        f"   ours   {measure:6}: cost matrix {duration(result['cost_seconds'])} ({result['pairs']:,} pairs) + "
        f"measure {duration(result['measure_seconds'])} = {duration(total)}; "
        f"peak memory {result['peak_mb']:,.0f} MB ({result['peak_mb'] - result['start_mb']:,.0f} MB above start)"
    )


def report_access(measure: str, result: dict[str, Any]) -> None:
    """Print one run of PySAL access."""
    print(
        f"   access {measure:6}: dense cost table {duration(result['table_seconds'])} ({result['pairs']:,} rows) + "
        f"computation {duration(result['measure_seconds'])}; "
        f"peak memory {result['peak_mb']:,.0f} MB ({result['peak_mb'] - result['start_mb']:,.0f} MB above start)"
    )


def report_scenario(result: dict[str, Any]) -> None:
    """Print the what-if timings on a Paris-sized city."""
    print(
        f"== scenario, Paris-sized ({result['areas']} areas x {result['venues']:,} venues, E2SFCA): "
        f"base {duration(result['base_seconds'])}; open a venue in the worst-served area and recompute "
        f"{duration(result['add_seconds'])} (residents in deserts {result['change']:+,.0f}); "
        f"close one {duration(result['remove_seconds'])}"
    )


def run_in_this_process(arguments: argparse.Namespace) -> dict[str, Any]:
    """One measured case (called in a subprocess)."""
    if arguments.run == "scenario":
        return run_scenario(arguments.seed)
    for module in ("access", "scipy.spatial.distance", "analytics.access"):
        importlib.import_module(module)  # importing is not part of the timed work
    city = synthetic_city(arguments.origins, arguments.destinations, arguments.seed)
    start_mb = peak_mb()
    if arguments.run == "ours":
        result, scores = run_ours(city, arguments.measure, arguments.max_cost)
    else:
        result, scores = run_access(city, arguments.measure, arguments.max_cost)
    if arguments.output:
        np.save(arguments.output, scores)
    return {**result, "start_mb": start_mb, "peak_mb": peak_mb()}


def synthetic_city(origins: int, destinations: int, seed: int) -> dict[str, np.ndarray[Any, Any]]:
    """Seeded areas and venues over 20 km x 20 km: 70 % clustered around 40 centres, 30 % spread evenly."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(2_000, SIDE_METRES - 2_000, (40, 2))

    def points(count: int) -> np.ndarray[Any, Any]:
        clustered = int(count * 0.7)
        near = centres[rng.integers(0, len(centres), clustered)] + rng.normal(0, 1_500, (clustered, 2))
        spread = rng.uniform(0, SIDE_METRES, (count - clustered, 2))
        return np.clip(np.vstack([near, spread]), 0, SIDE_METRES)

    return {
        "origins": points(origins),
        "destinations": points(destinations),
        "population": rng.integers(50, 3_000, origins).astype(np.float64),
        "capacity": rng.integers(5, 300, destinations).astype(np.float64),
    }


def run_ours(
    city: dict[str, np.ndarray[Any, Any]], measure: str, max_cost: float
) -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    """Time the cost matrix from coordinates, then the measure."""
    from analytics.access import enhanced_two_step_fca, euclidean_costs, two_step_fca

    started = time.perf_counter()
    costs = euclidean_costs(city["origins"], city["destinations"], max_cost)
    built = time.perf_counter()
    if measure == "2sfca":
        scores = two_step_fca(city["population"], city["capacity"], costs, max_cost)
    else:
        scores = enhanced_two_step_fca(city["population"], city["capacity"], costs, scaled_bands(max_cost))
    finished = time.perf_counter()
    result = {"cost_seconds": built - started, "measure_seconds": finished - built, "pairs": int(costs.nnz)}
    return result, scores


def run_access(
    city: dict[str, np.ndarray[Any, Any]], measure: str, max_cost: float
) -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    """Time access's dense cost table from coordinates, then its computation (object construction included)."""
    from access import Access, weights  # type: ignore[import-untyped]
    from scipy.spatial.distance import cdist

    origins, destinations = city["origins"], city["destinations"]
    started = time.perf_counter()
    table = pd.DataFrame(
        {
            "origin": np.repeat(np.arange(len(origins)), len(destinations)),
            "dest": np.tile(np.arange(len(destinations)), len(origins)),
            "cost": cdist(origins, destinations).ravel(),
        }
    )
    built = time.perf_counter()
    model = Access(
        demand_df=pd.DataFrame({"pop": city["population"]}, index=pd.RangeIndex(len(origins), name="geoid")),
        demand_index=True,
        demand_value="pop",
        supply_df=pd.DataFrame({"seats": city["capacity"]}, index=pd.RangeIndex(len(destinations), name="geoid")),
        supply_index=True,
        supply_value="seats",
        cost_df=table,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    if measure == "2sfca":
        frame = model.two_stage_fca(name="score", max_cost=max_cost)
    else:
        step = weights.step_fn(dict(scaled_bands(max_cost)))
        frame = model.enhanced_two_stage_fca(name="score", max_cost=max_cost, weight_fn=step)
    finished = time.perf_counter()
    scores = frame["score_seats"].to_numpy(dtype=np.float64)
    return {"table_seconds": built - started, "measure_seconds": finished - built, "pairs": len(table)}, scores


def run_scenario(seed: int) -> dict[str, Any]:
    """Paris-sized what-if: 965 areas over 10 km x 10 km, 3,000 venues; open a venue, close one."""
    from analytics.access import Scenario, desert_change, enhanced_two_step_fca

    rng = np.random.default_rng(seed)
    population = pd.DataFrame({"0-17": rng.integers(0, 800, 965), "18+": rng.integers(200, 3000, 965)}).astype(float)
    started = time.perf_counter()
    city = Scenario.from_points(
        origins_xy=rng.uniform(0, 10_000, (965, 2)),
        venues_xy=rng.uniform(0, 10_000, (3000, 2)),
        demand=population.sum(axis=1),
        supply=rng.integers(5, 300, 3000),
        max_cost=800,
        measure=partial(enhanced_two_step_fca, bands=scaled_bands(800)),
        population_by_band=population,
        threshold=0.05,
    )
    _ = city.deserts
    based = time.perf_counter()
    in_desert = np.flatnonzero(city.scores < city.threshold)
    worst = in_desert[np.argmax(city.demand[in_desert])]  # the most populous desert area
    assert city.origins_xy is not None
    added = city.with_venue((float(city.origins_xy[worst, 0]), float(city.origins_xy[worst, 1])), capacity=500)
    change = desert_change(city, added)
    with_added = time.perf_counter()
    _ = city.without_venue(0).deserts
    finished = time.perf_counter()
    return {
        "areas": 965,
        "venues": 3000,
        "base_seconds": based - started,
        "add_seconds": with_added - based,
        "remove_seconds": finished - with_added,
        "change": float(change["change"].iloc[-1]),
    }


def scaled_bands(max_cost: float) -> tuple[tuple[float, float], ...]:
    """The E2SFCA bands, scaled so that the last one ends at `max_cost`."""
    return tuple((upper * max_cost / BANDS[-1][0], weight) for upper, weight in BANDS)


def duration(seconds: float) -> str:
    """Seconds, or milliseconds below one second."""
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
