"""Learning deserts: how far each small area of a city is from learning, and who lives there.

Django side of the analysis: it reads demand (population by age band, shared out over 250 m grid
cells inside each district) and supply (places or hours offered at each venue) from the database,
then calls the pure `analytics.access` measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics import access as measures
from analytics.areas import Cells, grid_cells
from learningcity.catalogue.models import City
from learningcity.monitoring.inputs import SupplyFilters, bands_admitting, population_by_band, venue_supply
from learningcity.monitoring.measuring import WALK_METRES, Measure, default_threshold, desert_mask, score


@dataclass(frozen=True)
class VenueChange:
    """A what-if: open a venue at a point with some supply, or close an existing one."""

    open_at: tuple[float, float] | None = None  # latitude, longitude
    open_supply: float = 0.0
    close_venue_id: int | None = None


@dataclass(frozen=True)
class AccessQuery:
    """What to measure, for whom, and the scenario to test."""

    measure: Measure = "2sfca"
    max_cost: float = WALK_METRES
    threshold: float | None = None
    supply: SupplyFilters = field(default_factory=SupplyFilters)
    cell_metres: float = 250.0
    change: VenueChange | None = None


@dataclass(frozen=True)
class AccessResult:
    """Scores per cell, deserts, and the population living in them by age band."""

    query: AccessQuery
    cells: Cells
    demand: npt.NDArray[np.float64]
    scores: npt.NDArray[np.float64]
    nearest: npt.NDArray[np.float64]
    desert: npt.NDArray[np.bool_]
    threshold: float
    venues: pd.DataFrame
    deserts_by_band: pd.DataFrame
    within_walk_by_band: pd.DataFrame
    districts: pd.DataFrame
    unmapped_population: float

    @property
    def higher_is_better(self) -> bool:
        return self.query.measure != "nearest"

    @property
    def desert_population(self) -> float:
        return float(self.demand[self.desert].sum())

    @property
    def within_walk_percent(self) -> float:
        """Share of all residents (of the ages analysed) within a 10-minute walk, in percent."""
        return 100 * float(self.within_walk_by_band["share"].to_numpy()[-1])  # the last row is "all"


class NoMappedDistrictsError(Exception):
    """The city's districts have no boundaries yet, so there is nothing to map residents onto."""


def city_access(city: City, query: AccessQuery) -> AccessResult:
    """Run one analysis on the city's current catalogue."""
    districts, population = population_by_band(city)
    with_boundary = [index for index, district in enumerate(districts) if district.boundary]
    if not with_boundary:
        raise NoMappedDistrictsError(city.name)
    unmapped = float(population.iloc[[i for i in range(len(districts)) if i not in with_boundary]].to_numpy().sum())
    cells = grid_cells(
        [districts[i].boundary for i in with_boundary],  # type: ignore[misc]
        population.iloc[with_boundary][bands_admitting(query.supply.age)].reset_index(drop=True),
        cell_metres=query.cell_metres,
    )
    venues = apply_change(venue_supply(city, query.supply), query.change)
    return analyse(query, cells, venues, [districts[i].name for i in with_boundary], unmapped)


def apply_change(venues: pd.DataFrame, change: VenueChange | None) -> pd.DataFrame:
    """The venues after a what-if change (the catalogue itself is untouched)."""
    if change is None:
        return venues
    if change.close_venue_id is not None:
        venues = venues.drop(index=change.close_venue_id, errors="ignore")
    if change.open_at is not None:
        new = pd.DataFrame(
            {"name": ["(new venue)"], "latitude": [change.open_at[0]], "longitude": [change.open_at[1]],
             "district_id": [None], "supply": [float(change.open_supply)]},
            index=[-1],
        )  # fmt: skip
        venues = pd.concat([venues, new])
    return venues


def analyse(
    query: AccessQuery, cells: Cells, venues: pd.DataFrame, district_names: list[str], unmapped: float
) -> AccessResult:
    """Scores, deserts and breakdowns for given cells and venues (no database access)."""
    offering = venues[venues["supply"] > 0]
    centre = (float(cells.frame["lon"].mean()), float(cells.frame["lat"].mean()))
    origins = measures.project_lonlat(cells.frame["lon"].to_numpy(), cells.frame["lat"].to_numpy(), origin=centre)
    destinations = measures.project_lonlat(
        offering["longitude"].to_numpy(dtype=float), offering["latitude"].to_numpy(dtype=float), origin=centre
    )
    reach = max(query.max_cost, WALK_METRES)
    costs = measures.euclidean_costs(origins, destinations, reach)
    demand = cells.population.to_numpy().sum(axis=1)
    supply = offering["supply"].to_numpy(dtype=float)
    nearest = measures.nearest_cost(costs)
    scores = score(query.measure, query.max_cost, demand, supply, costs, nearest)
    threshold = query.threshold
    if threshold is None:
        threshold = default_threshold(query.measure, query.max_cost, scores, demand)
    desert = desert_mask(query.measure, scores, threshold)
    return AccessResult(
        query=query, cells=cells, demand=demand, scores=scores, nearest=nearest, desert=desert,
        threshold=threshold, venues=offering,
        deserts_by_band=band_table(cells.population, desert),
        within_walk_by_band=band_table(cells.population, nearest <= WALK_METRES),
        districts=district_table(cells, demand, desert, district_names),
        unmapped_population=unmapped,
    )  # fmt: skip


def band_table(population: pd.DataFrame, selected: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Population by age band, how many of them are in the selected cells, and the share."""
    total = population.sum(axis=0)
    inside = population[selected].sum(axis=0)
    table = pd.DataFrame({"population": total, "selected": inside})
    table.loc["all"] = table.sum(axis=0)
    table["share"] = (table["selected"] / table["population"].where(table["population"] > 0)).fillna(0.0)
    return table


def district_table(
    cells: Cells, demand: npt.NDArray[np.float64], desert: npt.NDArray[np.bool_], names: list[str]
) -> pd.DataFrame:
    """Per district: inhabitants, how many live in deserts, and the share."""
    frame = pd.DataFrame({"parent": cells.frame["parent"], "population": demand, "in_desert": demand * desert})
    table = frame.groupby("parent")[["population", "in_desert"]].sum()
    table["share"] = (table["in_desert"] / table["population"].where(table["population"] > 0)).fillna(0.0)
    table.index = [names[int(index)] for index in table.index]
    return table.sort_values("share", ascending=False)


def scenario_effect(city: City, query: AccessQuery) -> tuple[AccessResult, AccessResult]:
    """The analysis before and after the query's venue change."""
    return city_access(city, replace(query, change=None)), city_access(city, query)
