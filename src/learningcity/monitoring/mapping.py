"""A server-rendered SVG choropleth: readable without tiles, scripts or network."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

# A colour-blind-safe sequential scale (viridis), from least to best access; deserts are also hatched.
PALETTE = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
WIDTH = 720


@dataclass(frozen=True)
class MapRect:
    """One cell on the map."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    desert: bool


@dataclass(frozen=True)
class MapPoint:
    """One venue on the map."""

    x: float
    y: float
    radius: float
    label: str


@dataclass(frozen=True)
class ChoroplethMap:
    """Everything the template draws."""

    width: float
    height: float
    rects: list[MapRect]
    points: list[MapPoint]
    legend: list[tuple[str, str]]


class Projector:
    """Longitude/latitude to SVG pixels (equirectangular, north up), fitted to a bounding box."""

    def __init__(self, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], margin: float = 8) -> None:
        self.min_lon, self.max_lon = float(lon.min()), float(lon.max())
        self.min_lat, self.max_lat = float(lat.min()), float(lat.max())
        self.aspect = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        span_x = max((self.max_lon - self.min_lon) * self.aspect, 1e-9)
        span_y = max(self.max_lat - self.min_lat, 1e-9)
        self.scale = (WIDTH - 2 * margin) / span_x
        self.margin = margin
        self.height = span_y * self.scale + 2 * margin

    def x(self, lon: float) -> float:
        return self.margin + (lon - self.min_lon) * self.aspect * self.scale

    def y(self, lat: float) -> float:
        return self.margin + (self.max_lat - lat) * self.scale


def score_classes(scores: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.int_], list[float]]:
    """Five classes by quintile of the finite scores; returns each cell's class and the class edges."""
    finite = scores[np.isfinite(scores)]
    if finite.size == 0:
        return np.zeros(scores.shape, dtype=int), [0.0] * 6
    edges = [float(value) for value in np.quantile(finite, [0, 0.2, 0.4, 0.6, 0.8, 1])]
    classes = np.clip(np.searchsorted(edges[1:-1], np.nan_to_num(scores, nan=-np.inf), side="right"), 0, 4)
    return classes, edges


def choropleth(
    *,
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    half_lon: float,
    half_lat: float,
    scores: npt.NDArray[np.float64],
    desert: npt.NDArray[np.bool_],
    venues: list[tuple[float, float, float, str]],
    higher_is_better: bool = True,
    unit: str = "",
) -> ChoroplethMap:
    """Cells coloured by score class, deserts hatched, venues as dots sized by supply."""
    projector = Projector(
        np.concatenate([lon - half_lon, lon + half_lon]), np.concatenate([lat - half_lat, lat + half_lat])
    )
    classes, edges = score_classes(scores if higher_is_better else -scores)
    rects = [
        MapRect(
            x=projector.x(float(lon[i] - half_lon)), y=projector.y(float(lat[i] + half_lat)),
            width=2 * half_lon * projector.aspect * projector.scale, height=2 * half_lat * projector.scale,
            fill=PALETTE[int(classes[i])], desert=bool(desert[i]),
        )
        for i in range(len(lon))
    ]  # fmt: skip
    largest = max((supply for _, _, supply, _ in venues), default=1.0) or 1.0
    points = [
        MapPoint(x=projector.x(v_lon), y=projector.y(v_lat), radius=1.5 + 4.5 * math.sqrt(supply / largest), label=name)
        for v_lon, v_lat, supply, name in venues
    ]
    signed = edges if higher_is_better else [-edge for edge in edges]
    legend = [(PALETTE[i], f"{readable(signed[i])} – {readable(signed[i + 1])}{unit}") for i in range(5)]
    return ChoroplethMap(width=WIDTH, height=projector.height, rects=rects, points=points, legend=legend)


def readable(value: float) -> str:
    """A legend number: whole above 100 (with thin-space thousands), three significant digits below."""
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:.3g}"


@dataclass(frozen=True)
class MapShape:
    """One area on the map, as an SVG path."""

    path: str
    fill: str
    desert: bool


@dataclass(frozen=True)
class AreaMap:
    """A choropleth of arbitrary polygons (uploaded areas)."""

    width: float
    height: float
    shapes: list[MapShape]
    points: list[MapPoint]
    legend: list[tuple[str, str]]


def area_choropleth(
    *,
    geometries: list[dict[str, Any]],
    scores: npt.NDArray[np.float64],
    desert: npt.NDArray[np.bool_],
    venues: list[tuple[float, float, float, str]],
    higher_is_better: bool = True,
) -> AreaMap:
    """Polygons coloured by score class (simplified to about 10 m), deserts hatched, venues as dots."""
    shapes = [shapely.geometry.shape(geometry).simplify(0.0001) for geometry in geometries]
    bounds = shapely.total_bounds(shapes)
    projector = Projector(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
    classes, edges = score_classes(scores if higher_is_better else -scores)
    drawn = [
        MapShape(path=_svg_path(shape, projector), fill=PALETTE[int(classes[i])], desert=bool(desert[i]))
        for i, shape in enumerate(shapes)
    ]
    largest = max((supply for _, _, supply, _ in venues), default=1.0) or 1.0
    points = [
        MapPoint(x=projector.x(lon), y=projector.y(lat), radius=1 + 3 * math.sqrt(supply / largest), label=name)
        for lon, lat, supply, name in venues
    ]
    signed = edges if higher_is_better else [-edge for edge in edges]
    legend = [(PALETTE[i], f"{readable(signed[i])} – {readable(signed[i + 1])}") for i in range(5)]
    return AreaMap(width=WIDTH, height=projector.height, shapes=drawn, points=points, legend=legend)


def _svg_path(shape: Any, projector: Projector) -> str:
    """Every ring of a (multi)polygon as SVG path commands (point areas become small squares)."""
    if shape.geom_type == "Point":
        shape = shape.buffer(0.0005, cap_style="square")
    polygons = getattr(shape, "geoms", [shape])
    commands = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            coordinates = " L".join(f"{projector.x(x):.1f} {projector.y(y):.1f}" for x, y in ring.coords)
            commands.append(f"M{coordinates}Z")
    return "".join(commands)
