"""Access to school places across Paris's 965 IRIS: numbers for paris.md and paris-access.png.

Run from the repository root: `.venv/bin/python docs/examples/make_paris.py`. Reads
../shared/data/paris/iris_population.geojson; straight-line distances (no street network ships for Paris).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from analytics.access import (
    desert_population,
    euclidean_costs,
    nearest_cost,
    project_lonlat,
    share_within,
    two_step_fca,
)

ROOT = Path(__file__).resolve().parents[2]
IRIS = ROOT.parent / "shared" / "data" / "paris" / "iris_population.geojson"
PICTURE = Path(__file__).with_name("paris-access.png")
CATCHMENT = 1000.0  # metres, straight line
TEN_MINUTES = 800.0  # metres at 4.8 km/h
NEAREST_SEARCH = 5000.0
SOURCES = (
    "Residents: INSEE census ~2015 via APUR. School places: APUR primary and secondary schools "
    "summed per IRIS (CorrelAid/paris-bikes, MIT)."
)
EMPTY = "#d9d9d9"
HELSINKI_CIRCUITY = 1.32  # median walk / straight line over central Helsinki's cell-venue pairs (helsinki.md)


def read_iris() -> gpd.GeoDataFrame:
    """The IRIS polygons (WGS84) with residents, school places (0 when none) and centroid lon/lat."""
    iris = gpd.read_file(IRIS).to_crs(4326)
    centroids = iris.geometry.to_crs(2154).centroid.to_crs(4326)  # Lambert-93: centroids in metres
    iris["lon"], iris["lat"] = centroids.x, centroids.y
    iris["places"] = iris["school_capacity"].fillna(0.0)
    return iris


def analyse(iris: gpd.GeoDataFrame) -> dict[str, float]:
    """Adds the mapped columns and returns the numbers paris.md quotes."""
    xy = project_lonlat(iris["lon"], iris["lat"])
    has_school = iris["places"].to_numpy() > 0
    residents = pd.DataFrame({"residents": iris["nb_pop"].to_numpy(float)})
    costs = euclidean_costs(xy, xy[has_school], CATCHMENT)
    scores = two_step_fca(residents["residents"], iris.loc[has_school, "places"], costs, CATCHMENT)
    paris_ratio = iris["places"].sum() / iris["nb_pop"].sum()
    iris["relative"] = scores / paris_ratio
    iris["nearest"] = nearest_cost(euclidean_costs(xy, xy[has_school], NEAREST_SEARCH))
    within = share_within(iris["nearest"], residents, TEN_MINUTES).loc["all ages"]
    within_walk = share_within(iris["nearest"], residents, TEN_MINUTES / HELSINKI_CIRCUITY).loc["all ages"]
    below_half = desert_population(scores, residents, 0.5 * paris_ratio).loc["all ages"]
    none = desert_population(scores, residents, 1e-12).loc["all ages"]
    return {
        "iris": len(iris),
        "residents": iris["nb_pop"].sum(),
        "iris_with_school_places": int(has_school.sum()),
        "school_places": iris["places"].sum(),
        "places_per_100_residents": 100 * paris_ratio,
        "residents_within_800_m": within["population_within"],
        "share_within_800_m": within["share"],
        "straight_line_for_800_m_walk": TEN_MINUTES / HELSINKI_CIRCUITY,
        "residents_within_that": within_walk["population_within"],
        "share_within_that": within_walk["share"],
        "residents_below_half_ratio": below_half["population_in_deserts"],
        "share_below_half_ratio": below_half["share"],
        "lived_in_iris_below_half_ratio": int(((iris["relative"] < 0.5) & (iris["nb_pop"] > 0)).sum()),
        "residents_no_place_within_1_km": none["population_in_deserts"],
        "median_nearest_m": float(np.median(iris["nearest"])),
        "max_nearest_m": float(iris["nearest"].max()),
    }


def draw_panel(axis: plt.Axes, iris: gpd.GeoDataFrame, column: str, bins: list[float], colours: list[str]) -> None:
    """A classed choropleth of `column` without axes; IRIS without residents (parks, canals) in grey."""
    cmap = ListedColormap(colours)
    lived_in = iris["nb_pop"] > 0
    iris[~lived_in].plot(ax=axis, facecolor=EMPTY, edgecolor="white", linewidth=0.15)
    norm = BoundaryNorm(bins, cmap.N)
    iris[lived_in].plot(ax=axis, column=column, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.15)
    axis.set_aspect(1 / np.cos(np.radians(48.86)))
    axis.set_axis_off()


def patches(colours: list[str], labels: list[str]) -> list[Patch]:
    """Legend entries for the classes of a choropleth."""
    return [Patch(facecolor=colour, label=label) for colour, label in zip(colours, labels, strict=True)]


def draw(iris: gpd.GeoDataFrame) -> None:
    """Two panels: the 2SFCA score against the Paris ratio, and the distance to the nearest school places."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, 5.9), layout="constrained")
    score_colours = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
    score_bins = [-1.0, 1e-9, 0.5, 1.0, 1.5, 2.0, 1e9]
    draw_panel(left, iris, "relative", score_bins, score_colours)
    score_labels = ["no school place within 1 km", "under half", "half to 1 ×", "1 to 1.5 ×", "1.5 to 2 ×", "over 2 ×"]
    left.legend(
        handles=[*patches(score_colours, score_labels), Patch(facecolor=EMPTY, label="no residents")],
        title="school places per resident within 1 km, relative to the Paris ratio (19 per 100)",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=8,
        title_fontsize=8,
    )
    left.set_title("2SFCA: school places within 1 km, shared among everyone within 1 km")
    distance_colours = ["#1a9850", "#a6d96a", "#fee08b", "#d73027"]
    distance_bins = [-1.0, 1e-9, 400.0, 800.0, 1e9]
    draw_panel(right, iris, "nearest", distance_bins, distance_colours)
    distance_labels = [
        "school places in the IRIS itself",
        "under 400 m (5 min)",
        "400 to 800 m (5–10 min)",
        "over 800 m",
    ]
    right.legend(
        handles=[*patches(distance_colours, distance_labels), Patch(facecolor=EMPTY, label="no residents")],
        title="straight line to the nearest IRIS with school places",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=8,
        title_fontsize=8,
    )
    right.set_title("Distance to the nearest school places (centroid to centroid)")
    figure.suptitle("Paris, 965 IRIS: access to primary and secondary school places (straight-line distances)")
    figure.text(0.01, 0.005, SOURCES, fontsize=7, color="#555555")
    figure.savefig(PICTURE, dpi=120)


def main() -> None:
    """Compute, print and draw."""
    iris = read_iris()
    numbers = analyse(iris)
    for name, value in numbers.items():
        print(f"{name:>30}: {value:,.3f}" if isinstance(value, float) else f"{name:>30}: {value:,}")
    draw(iris)
    print(f"wrote {PICTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
