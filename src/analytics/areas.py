"""Small areas for spatial analysis: grid cells over larger areas, with population shared out.

A city often knows its population only by district; accessibility is better measured on a finer
grid. `grid_cells` lays square cells over polygons (WGS84 GeoJSON geometries), keeps the cells whose
centre falls inside a polygon, and shares each polygon's population by age band equally among its
cells. Equal shares are an assumption (no building data), stated so that maps are read honestly.

>>> square = {"type": "Polygon", "coordinates": [[[0.0, 45.0], [0.01, 45.0], [0.01, 45.01], [0.0, 45.01], [0.0, 45.0]]]}
>>> cells = grid_cells([square], pd.DataFrame({"0-17": [400.0], "18+": [1200.0]}), cell_metres=500)
>>> len(cells.frame), float(cells.population.to_numpy().sum())
(4, 1600.0)
>>> tiny = grid_cells([square], pd.DataFrame({"all": [10.0]}), cell_metres=5000)
>>> len(tiny.frame), float(tiny.population.to_numpy().sum())
(1, 10.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

EARTH_RADIUS_METRES = 6_371_008.8


@dataclass(frozen=True)
class Cells:
    """Grid cells: one row per cell (id, parent index, centre lon/lat, square polygon) and its population by band."""

    frame: pd.DataFrame
    population: pd.DataFrame

    def geometry(self, index: int) -> dict[str, Any]:
        """The cell's square as a GeoJSON Polygon."""
        row = self.frame.iloc[index]
        half_lon, half_lat = float(row["half_lon"]), float(row["half_lat"])
        lon, lat = float(row["lon"]), float(row["lat"])
        ring = [
            [lon - half_lon, lat - half_lat],
            [lon + half_lon, lat - half_lat],
            [lon + half_lon, lat + half_lat],
            [lon - half_lon, lat + half_lat],
            [lon - half_lon, lat - half_lat],
        ]
        return {"type": "Polygon", "coordinates": [ring]}


def grid_cells(geometries: list[dict[str, Any]], population: pd.DataFrame, *, cell_metres: float = 250) -> Cells:
    """Cells of `cell_metres` covering the polygons; population (rows aligned with geometries) shared equally."""
    if len(geometries) != len(population):
        raise ValueError("one population row is needed per geometry")
    if cell_metres <= 0:
        raise ValueError("cell_metres must be positive")
    shapes = [shapely.geometry.shape(geometry) for geometry in geometries]
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(shapes)
    mid_lat = math.radians((min_lat + max_lat) / 2)
    step_lat = math.degrees(cell_metres / EARTH_RADIUS_METRES)
    step_lon = step_lat / max(math.cos(mid_lat), 1e-6)
    lons = np.arange(min_lon + step_lon / 2, max_lon, step_lon)
    lats = np.arange(min_lat + step_lat / 2, max_lat, step_lat)
    grid_lon, grid_lat = (axis.ravel() for axis in np.meshgrid(lons, lats))
    parent = np.full(grid_lon.shape, -1)
    for index, shape in enumerate(shapes):
        inside = shapely.contains_xy(shape, grid_lon, grid_lat) & (parent < 0)
        parent[inside] = index
    keep = parent >= 0
    parents, cell_lon, cell_lat = parent[keep], grid_lon[keep], grid_lat[keep]
    # A polygon smaller than a cell still gets one cell, at a point inside it, so nobody is lost.
    missing = np.setdiff1d(np.arange(len(shapes)), parents)
    points = [shapes[index].representative_point() for index in missing]
    parents = np.concatenate([parents, missing])
    cell_lon = np.concatenate([cell_lon, [point.x for point in points]])
    cell_lat = np.concatenate([cell_lat, [point.y for point in points]])
    frame = pd.DataFrame({
        "parent": parents, "lon": cell_lon, "lat": cell_lat, "half_lon": step_lon / 2, "half_lat": step_lat / 2,
    })  # fmt: skip
    counts = np.bincount(frame["parent"].to_numpy(), minlength=len(shapes))
    shares = population.to_numpy(dtype=float) / np.maximum(counts, 1)[:, None]
    cell_population = pd.DataFrame(shares[frame["parent"].to_numpy()], columns=population.columns)
    return Cells(frame=frame.reset_index(drop=True), population=cell_population)
