"""The tables of one computation: checked, encoded once into shared label vocabularies, cached.

Every table with a column named after a breakdown (`age_band`, `sex`, `district`, `building_block`,
`sector`) shares one vocabulary for it: the population's labels first (so that numerators and
denominators line up), then labels only other tables use, then NONE for missing values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from analytics.indicators._grid import NONE, BoolArray, FloatArray, Grid, IntArray, Spec, encode, recode

T = TypeVar("T")
PEOPLE = ("age_band", "sex", "district")
LINKS = {"building_blocks": "building_block", "audiences": "audience", "languages": "language", "topics": "topic"}


class NoData(Exception):  # noqa: N818 (a signal, not an error: the indicator reports "no data")
    """An indicator's input table is absent or empty."""


@dataclass(frozen=True)
class Cells:
    """One breakdown of an indicator: numerator grid, and denominator and count arrays of its shape.

    `denominator` is None for plain counts (the value is the numerator); `count` is None when the
    cells count no people (nothing to protect).
    """

    numerator: Grid
    denominator: FloatArray | None = None
    count: FloatArray | None = None


def ratio_cells(numerator: Grid, denominator: Grid, specs: Sequence[Spec]) -> list[Cells]:
    """Cells of one count of records over another; the count protected is the smaller of the two."""
    cells = []
    for spec in specs:
        top, bottom = numerator.margin(spec), denominator.margin(spec).values
        cells.append(Cells(top, bottom, np.minimum(top.values, bottom)))
    return cells


class Inputs:
    """Read access to the caller's tables, with the encodings every indicator shares."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], building_blocks: Sequence[str]) -> None:
        self._tables = {name: frame for name, frame in tables.items() if frame is not None}
        for name, frame in self._tables.items():
            if not isinstance(frame, pd.DataFrame):
                raise ValueError(f"table {name!r} must be a pandas DataFrame, got {type(frame).__name__}")
        self._base = {"building_block": list(building_blocks)}
        self._cache: dict[Hashable, Any] = {}
        self._add_links()

    def table(self, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
        """The table, or NoData when it is absent or empty; a ValueError names missing columns."""
        frame = self._tables.get(name)
        if frame is None or len(frame) == 0:
            raise NoData(name)
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"table {name!r} lacks column(s) {missing} (see docs/indicators.md)")
        return frame

    def has(self, name: str) -> bool:
        """Whether the table is given and not empty."""
        frame = self._tables.get(name)
        return frame is not None and len(frame) > 0

    def cached(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` once per key for this computation."""
        if key not in self._cache:
            self._cache[key] = make()
        return cast(T, self._cache[key])

    def vocabulary(self, dim: str) -> tuple[str, ...]:
        """Every label of a breakdown dimension in any table, population's first, then NONE."""
        return self.cached(("vocabulary", dim), lambda: self._vocabulary(dim))

    def codes(self, name: str, column: str) -> IntArray:
        """A table's labels as codes into the dimension's vocabulary (whole table, every year)."""

        def make() -> IntArray:
            codes, labels = self._encoded(name, column)
            return recode(codes, labels, self.vocabulary(column))

        return self.cached(("codes", name, column), make)

    def population(self, year: int) -> Grid:
        """Inhabitants by age band, sex and district: the latest count at or before `year`."""
        return self.cached(("population", year), lambda: self._population(year))

    def _vocabulary(self, dim: str) -> tuple[str, ...]:
        labels = list(self._encoded("population", dim)[1]) if self._column("population", dim) else []
        labels += self._base.get(dim, [])
        for name in self._tables:
            if self._column(name, dim):
                labels += self._encoded(name, dim)[1]
        ordered = dict.fromkeys(label for label in labels if label and label != NONE)
        return (*ordered, NONE)

    def _encoded(self, name: str, column: str) -> tuple[IntArray, list[str]]:
        return self.cached(("encoded", name, column), lambda: encode(self._tables[name][column]))

    def _column(self, name: str, column: str) -> bool:
        return self.has(name) and column in self._tables[name].columns

    def _population(self, year: int) -> Grid:
        frame = self.table("population", [*PEOPLE, "year", "count"])
        years = whole_numbers(frame["year"], "population.year")
        earlier = years[years <= year]
        if earlier.size == 0:
            raise NoData("population")
        rows = years == earlier.max()
        counts = quantities(frame["count"], "population.count")[rows]
        labels = tuple(self.vocabulary(dim) for dim in PEOPLE)
        codes = [self.codes("population", dim)[rows] for dim in PEOPLE]
        return Grid.count(PEOPLE, labels, codes, counts)

    def _add_links(self) -> None:
        """Turn list-like columns of `opportunities` into link tables, unless the caller gave those."""
        offers = self._tables.get("opportunities")
        for plural, singular in LINKS.items():
            name = f"opportunity_{plural}"
            if name in self._tables or offers is None or plural not in offers.columns:
                continue
            exploded = offers[["id", plural]].explode(plural)
            exploded = exploded[exploded[plural].notna()]
            self._tables[name] = pd.DataFrame(
                {"opportunity_id": exploded["id"].to_numpy(), singular: exploded[plural].astype(str).to_numpy()}
            )


def in_year(values: pd.Series, year: int, where: str) -> BoolArray:
    """Rows dated in `year` (1 January to 31 December, in the column's own time zone)."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        try:
            values = pd.to_datetime(values, format="ISO8601")
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where} must hold dates or date-times: {error}") from error
    zone = getattr(values.dtype, "tz", None)
    start, end = pd.Timestamp(year, 1, 1, tz=zone), pd.Timestamp(year + 1, 1, 1, tz=zone)
    return np.asarray(((values >= start) & (values < end)).to_numpy(dtype=bool))


def truth(values: pd.Series, where: str) -> tuple[BoolArray, BoolArray]:
    """(true, known) arrays for a column of True, False and missing values."""
    if not (pd.api.types.is_bool_dtype(values.dtype)):
        found = pd.unique(values.dropna())
        if not all(value in (True, False) for value in found):
            raise ValueError(f"{where} must hold true, false or nothing, got {list(found[:5])}")
    known = values.notna().to_numpy(dtype=bool)
    return np.asarray(values.to_numpy(dtype=bool, na_value=False)), known


def entity_codes(values: pd.Series, where: str) -> IntArray:
    """Ids of people or organisations as non-negative integers: integer ids as they are, others factorised."""
    if values.isna().any():
        raise ValueError(f"{where} has missing values")
    if pd.api.types.is_integer_dtype(values.dtype) and (values.size == 0 or int(values.min()) >= 0):
        return values.to_numpy(dtype=np.int64)
    return pd.factorize(values)[0].astype(np.int64)


def flags(values: pd.Series, where: str) -> BoolArray:
    """A column of true and false (missing counts as false)."""
    return truth(values, where)[0]


def quantities(values: pd.Series, where: str) -> FloatArray:
    """Finite, non-negative numbers, or a ValueError naming the column."""
    try:
        array = values.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} must be numeric: {error}") from error
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{where} must hold finite, non-negative numbers")
    return array


def whole_numbers(values: pd.Series, where: str) -> IntArray:
    """Integers (years), or a ValueError naming the column."""
    array = quantities(values, where)
    if not (array == np.round(array)).all():
        raise ValueError(f"{where} must hold whole numbers")
    return array.astype(np.int64)
