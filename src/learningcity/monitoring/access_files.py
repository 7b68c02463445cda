"""Learning-desert analysis of files, for `learningcity access` (no web server, no database needed)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse

from analytics import access as measures
from learningcity.monitoring.measuring import WALK_METRES, Measure, default_threshold, desert_mask, score

MAX_FILE_BYTES = 200 * 1024 * 1024


class InputError(ValueError):
    """A file the analysis cannot use; the message names the file, the row or feature, and the reason."""


@dataclass(frozen=True)
class Areas:
    """Small areas read from GeoJSON: the features, a point inside each, and their population."""

    features: list[dict[str, Any]]
    lonlat: npt.NDArray[np.float64]
    population: npt.NDArray[np.float64]


def read_areas(path: Path, population_property: str) -> Areas:
    """Polygons (or points) with a population property, from a GeoJSON FeatureCollection file."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return parse_areas(path.read_bytes(), path.name, population_property)


def parse_areas(content: bytes, name: str, population_property: str) -> Areas:
    """Areas from the bytes of a GeoJSON FeatureCollection (a file or an upload called `name`)."""
    features = _feature_collection(content, name)
    points, population = [], []
    for number, feature in enumerate(features, start=1):
        where = f"{name}, feature {number}"
        try:
            geometry = shapely.geometry.shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as error:
            raise InputError(f"{where}: the geometry is not valid GeoJSON ({error})") from error
        if geometry.is_empty:
            raise InputError(f"{where}: the geometry is empty")
        point = geometry.centroid  # a point's centroid is itself
        if geometry.geom_type != "Point" and not geometry.contains(point):
            point = geometry.representative_point()  # a centroid outside a crescent-shaped area is moved inside
        points.append((point.x, point.y))
        population.append(_number((feature.get("properties") or {}).get(population_property), where,
                                  population_property))  # fmt: skip
    return Areas(features=features, lonlat=np.array(points, dtype=float), population=np.array(population))


def _feature_collection(content: bytes, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise InputError(f"{name} is not UTF-8 JSON: {error}") from error
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise InputError(f"{name} is not a GeoJSON FeatureCollection")
    if not data["features"]:
        raise InputError(f"{name} has no features")
    if not all(isinstance(feature, dict) for feature in data["features"]):
        raise InputError(f"{name}: every feature must be a GeoJSON object")
    return list(data["features"])


def _number(value: Any, where: str, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"{where}: '{name}' is missing or not a number ({value!r})") from error
    if not np.isfinite(number) or number < 0:
        raise InputError(f"{where}: '{name}' must be a finite number at least 0, not {value!r}")
    return number


def read_venues(path: Path) -> pd.DataFrame:
    """Venues from a CSV file with columns longitude, latitude, supply (and optionally id, name)."""
    return parse_venues(path.read_bytes(), path.name)


def parse_venues(content: bytes, name: str) -> pd.DataFrame:
    """Venues from the bytes of a CSV (a file or an upload called `name`)."""
    try:
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype={"id": str, "name": str})
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{name} is not a readable UTF-8 CSV file: {error}") from error
    missing = {"longitude", "latitude", "supply"} - set(frame.columns)
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(sorted(missing))}")
    for column, low, high in [("longitude", -180, 180), ("latitude", -90, 90), ("supply", 0, np.inf)]:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < low) | (values > high)
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # header is line 1
            raise InputError(f"{name}, line {line}: '{column}' must be a number from {low} to {high}")
        frame[column] = values.astype(float)
    if "id" not in frame.columns:
        frame["id"] = [str(number) for number in range(1, len(frame) + 1)]
    return frame


def venues_from_areas(areas: Areas, supply_property: str) -> tuple[pd.DataFrame, int]:
    """Each area's own supply (e.g. school places) as a venue at its centre; also how many areas state none.

    An area whose property is null or absent offers nothing (real open data leaves many blanks); a
    value that is present must be a non-negative number.
    """
    supply, blank = [], 0
    for number, feature in enumerate(areas.features, start=1):
        value = (feature.get("properties") or {}).get(supply_property)
        blank += value is None
        supply.append(0.0 if value is None else _number(value, f"feature {number}", supply_property))
    frame = pd.DataFrame({"id": area_ids(areas), "longitude": areas.lonlat[:, 0], "latitude": areas.lonlat[:, 1],
                          "supply": supply})  # fmt: skip
    return frame[frame["supply"] > 0].reset_index(drop=True), blank


def area_ids(areas: Areas) -> list[str]:
    """Each area's id: the feature id, else an id-like property, else its position."""
    ids = []
    for number, feature in enumerate(areas.features, start=1):
        properties = feature.get("properties") or {}
        found = feature.get("id") or next((properties[k] for k in ("id", "code", "iris") if properties.get(k)), None)
        ids.append(str(found) if found is not None else str(number))
    return ids


@dataclass(frozen=True)
class FileResult:
    """Scores and deserts per area, with the headline figures."""

    scores: npt.NDArray[np.float64]
    nearest: npt.NDArray[np.float64]
    desert: npt.NDArray[np.bool_]
    threshold: float
    within_walk_share: float
    desert_population: float


@dataclass(frozen=True)
class FileQuery:
    """The measure, its catchment (metres, or minutes with a travel-time table) and an optional threshold."""

    measure: Measure = "2sfca"
    max_cost: float = WALK_METRES
    threshold: float | None = None


def analyse_files(
    areas: Areas, venues: pd.DataFrame, query: FileQuery, costs: sparse.csr_matrix | None = None
) -> FileResult:
    """Run the measure on areas and venues; straight-line costs unless a cost matrix is given."""
    if costs is None:
        centre = (float(areas.lonlat[:, 0].mean()), float(areas.lonlat[:, 1].mean()))
        origins = measures.project_lonlat(areas.lonlat[:, 0], areas.lonlat[:, 1], origin=centre)
        targets = measures.project_lonlat(venues["longitude"].to_numpy(), venues["latitude"].to_numpy(), origin=centre)
        costs = measures.euclidean_costs(origins, targets, max(query.max_cost, WALK_METRES))
    supply = venues["supply"].to_numpy(dtype=float)
    nearest = measures.nearest_cost(costs)
    scores = score(query.measure, query.max_cost, areas.population, supply, costs, nearest)
    threshold = query.threshold
    if threshold is None:
        threshold = default_threshold(query.measure, query.max_cost, scores, areas.population)
    desert = desert_mask(query.measure, scores, threshold)
    total = float(areas.population.sum()) or 1.0
    return FileResult(
        scores=scores, nearest=nearest, desert=desert, threshold=threshold,
        within_walk_share=float(areas.population[nearest <= WALK_METRES].sum()) / total,
        desert_population=float(areas.population[desert].sum()),
    )  # fmt: skip


def write_outputs(areas: Areas, result: FileResult, geojson: Path | None, table: Path | None) -> None:
    """The areas with their scores, as GeoJSON (geometry kept) and as CSV."""
    ids = area_ids(areas)
    rows = [
        {"area": ids[i], "population": float(areas.population[i]),
         "score": _finite(result.scores[i]), "nearest_metres": _finite(result.nearest[i]),
         "desert": bool(result.desert[i])}
        for i in range(len(ids))
    ]  # fmt: skip
    if geojson is not None:
        features = [
            {**feature, "properties": {**(feature.get("properties") or {}), **rows[i]}}
            for i, feature in enumerate(areas.features)
        ]
        geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    if table is not None:
        with table.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def _finite(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None
