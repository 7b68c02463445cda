"""Indicators about the offer: how much, where, for whom and by whom (table `opportunities` and its links).

One row of `opportunities` is one offer of the year (with an optional `year` column, one table can
hold several years). Building blocks, audiences, languages and topics are link tables
(`opportunity_building_blocks`: opportunity_id, building_block; ...) or list-like columns of
`opportunities`. An offer counts once in each of its building blocks, so building-block cells may
sum to more than the total. Online offers have no district (label "none").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.indicators._grid import BoolArray, FloatArray, Grid, IntArray, Spec, distinct_grids, grid_cells
from analytics.indicators._inputs import LINKS, Cells, Inputs, entity_codes, flags, whole_numbers
from analytics.indicators.framework import Indicator

Layout = tuple[Spec, tuple[tuple[str, ...], ...], IntArray, IntArray]  # dims, labels, cells, offer of each row


@dataclass(frozen=True)
class Offers:
    """The year's offers, with their district codes and (offer, building block) pairs."""

    frame: pd.DataFrame
    rows: BoolArray  # the year's rows of the whole table
    district: IntArray
    block_offer: IntArray | None  # for each (offer, building block) pair, the offer's position
    block: IntArray | None

    def layout(self, inputs: Inputs, spec: Spec) -> Layout | None:
        """Rows and cells to count `spec` over: offers, or (offer, building block) pairs; None if unavailable."""
        dims: list[str] = ["district"]
        offer = np.arange(len(self.frame), dtype=np.int64)
        codes = [self.district]
        if "building_block" in spec:
            if self.block_offer is None or self.block is None:
                return None
            offer, codes = self.block_offer, [self.district[self.block_offer], self.block]
            dims.append("building_block")
        if "sector" in spec:
            dims.append("sector")
            codes.append(inputs.codes("opportunities", "sector")[self.rows][offer])
        labels = tuple(inputs.vocabulary(dim) for dim in dims)
        return tuple(dims), labels, grid_cells(labels, codes), offer

    def grids(self, inputs: Inputs, specs: Sequence[Spec], weights: FloatArray) -> list[Grid | None]:
        """Per spec, the grid of `weights` (one per offer) summed over each cell."""
        grids: list[Grid | None] = []
        for spec in specs:
            layout = self.layout(inputs, spec)
            if layout is None:
                grids.append(None)
                continue
            dims, labels, cells, offer = layout
            grids.append(Grid.from_cells(dims, labels, cells, weights[offer]).margin(spec))
        return grids

    def flag(self, inputs: Inputs, column: str) -> BoolArray:
        """A true/false column of the year's offers."""
        frame = inputs.table("opportunities", [column])
        return flags(frame[column][self.rows], f"opportunities.{column}")

    def linked(self, inputs: Inputs, plural: str, values: Sequence[str], *, negate: bool = False) -> BoolArray:
        """Offers linked to one of `values` (or, with `negate`, to anything else) in a link table."""
        singular = LINKS[plural]
        table = inputs.table(f"opportunity_{plural}", ["opportunity_id", singular])
        position = pd.Index(self.frame["id"]).get_indexer(table["opportunity_id"])
        matches = table[singular].astype(str).isin([str(value) for value in values]).to_numpy()
        chosen = (position >= 0) & (~matches if negate else matches)
        result = np.zeros(len(self.frame), dtype=bool)
        result[position[chosen]] = True
        return result


def offers(inputs: Inputs, year: int) -> Offers:
    """The year's offers, read once per computation."""
    return inputs.cached(("offers", year), lambda: _read_offers(inputs, year))


def offers_per_inhabitants(
    inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]
) -> list[Cells | None]:
    """Offers per inhabitant of the cell (building-block cells use the whole population, or the district's)."""
    offer = offers(inputs, year)
    population = inputs.population(year)
    grids = offer.grids(inputs, specs, np.ones(len(offer.frame)))
    return [None if grid is None else Cells(grid, population.spread(grid.dims, grid.values.shape)) for grid in grids]


def offer_share(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Share of offers meeting the indicator's criterion (`among: with_venue` counts on-site and blended offers)."""
    offer = offers(inputs, year)
    among = np.ones(len(offer.frame), dtype=bool)
    if indicator.parameters.get("among") == "with_venue":
        among = _modes(inputs, offer) != "online"
    chosen = _criterion(inputs, offer, indicator) & among
    tops = offer.grids(inputs, specs, chosen.astype(np.float64))
    bottoms = offer.grids(inputs, specs, among.astype(np.float64))
    pairs = zip(tops, bottoms, strict=True)
    return [None if top is None or bottom is None else Cells(top, bottom.values) for top, bottom in pairs]


def active_organisations(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Organisations with at least one offer in the cell."""
    return [None if grid is None else Cells(grid) for grid in _organisations(inputs, year, specs)]


def provider_evenness(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Shannon evenness of the cell's active organisations across sectors: entropy / ln(number of sectors)."""
    categories = [str(value) for value in indicator.parameters["categories"]]
    vocabulary = inputs.vocabulary("sector")
    found = set(vocabulary[:-1]) - set(categories)  # the last entry is NONE
    if found:
        raise ValueError(f"opportunities.sector has {sorted(found)}; expected {categories}")
    columns = [vocabulary.index(category) for category in categories if category in vocabulary]
    cells: list[Cells | None] = []
    by_sector = _organisations(inputs, year, [(*spec, "sector") for spec in specs])
    for spec, grid in zip(specs, by_sector, strict=True):
        if grid is None:
            cells.append(None)
            continue
        counts = grid.values[..., columns]
        total = counts.sum(axis=-1)
        shares = np.divide(counts, total[..., np.newaxis], out=np.zeros_like(counts), where=total[..., np.newaxis] > 0)
        entropy = 0.0 - np.sum(shares * np.log(shares, out=np.zeros_like(shares), where=shares > 0), axis=-1)
        numerator = Grid(spec, grid.labels[:-1], np.asarray(entropy, np.float64))
        cells.append(Cells(numerator, np.where(total > 0, np.log(len(categories)), 0.0)))
    return cells


def _organisations(inputs: Inputs, year: int, specs: Sequence[Spec]) -> list[Grid | None]:
    offer = offers(inputs, year)
    frame = inputs.table("opportunities", ["organisation_id"])
    organisation = entity_codes(frame["organisation_id"][offer.rows], "opportunities.organisation_id")
    grids: list[Grid | None] = []
    for spec in specs:
        layout = offer.layout(inputs, spec)
        if layout is None:
            grids.append(None)
            continue
        dims, labels, cells, rows = layout
        grids.append(distinct_grids(organisation[rows], dims, labels, cells, [spec])[0])
    return grids


def _criterion(inputs: Inputs, offer: Offers, indicator: Indicator) -> BoolArray:
    parameters = indicator.parameters
    if "column" in parameters:
        return offer.flag(inputs, str(parameters["column"]))
    if "audience" in parameters:
        return offer.linked(inputs, "audiences", [str(parameters["audience"])])
    if "languages_other_than" in parameters:
        return offer.linked(inputs, "languages", [str(parameters["languages_other_than"])], negate=True)
    if "topic_in" in parameters:
        return offer.linked(inputs, "topics", list(parameters["topic_in"]))
    if "mode_in" in parameters:
        return np.isin(_modes(inputs, offer), [str(mode) for mode in parameters["mode_in"]])
    raise ValueError(
        f"indicator {indicator.code!r}: offer_share needs column, audience, languages_other_than, topic_in or mode_in"
    )


def _modes(inputs: Inputs, offer: Offers) -> NDArray[np.str_]:
    inputs.table("opportunities", ["mode"])
    return np.asarray(offer.frame["mode"].astype(str).to_numpy(), dtype=str)


def _read_offers(inputs: Inputs, year: int) -> Offers:
    table = inputs.table("opportunities", ["id", "district"])
    rows = np.ones(len(table), dtype=bool)
    if "year" in table.columns:
        rows = whole_numbers(table["year"], "opportunities.year") == year
    frame = table[rows].reset_index(drop=True)
    repeated = frame["id"][frame["id"].duplicated()].unique().tolist()
    if repeated:
        raise ValueError(f"opportunities.id repeats {repeated[:5]} (one row per offer and year)")
    block_offer, block = None, None
    if inputs.has("opportunity_building_blocks"):
        links = inputs.table("opportunity_building_blocks", ["opportunity_id", "building_block"])
        position = pd.Index(frame["id"]).get_indexer(links["opportunity_id"])
        kept = position >= 0  # links of other years' offers
        block_offer = position[kept].astype(np.int64)
        block = inputs.codes("opportunity_building_blocks", "building_block")[kept]
    district = inputs.codes("opportunities", "district")[rows]
    return Offers(frame, rows, district, block_offer, block)
