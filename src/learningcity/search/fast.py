"""Search on the in-memory snapshot: the same answers as the SQL path in `selectors`, faster.

Every rule here mirrors one in `selectors` (filters in `_conditions`, order in `_page_ids`,
counts in `_facet_counts`); `tests/search/test_snapshot.py` runs both on the same searches and
requires identical pages, totals and counts.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from learningcity.catalogue.models import City
from learningcity.search import query as q
from learningcity.search import snapshot as snap
from learningcity.search.facets import FacetCatalogue
from learningcity.search.indexing import ACCESS_FEATURES, TIMES_OF_DAY

if TYPE_CHECKING:
    from learningcity.search.selectors import SearchParams

GROUPED = ("kinds", "modes", "sectors", "districts")


def run(
    city: City, parsed: q.ParsedQuery, params: SearchParams, *, facets: bool, now: datetime, page_size: int
) -> tuple[list[int], dict[int, float], int, dict[str, dict[str, int]] | None]:
    """Page ids, distances, total and raw counts (`None` when not asked) for a search."""
    snapshot = snap.for_city(city.pk)
    with snapshot.lock:
        snapshot.refresh()
        parts = _filters(snapshot, city, parsed, params, now)
        title = parts.pop("title", snapshot.bits.zeros())
        everything = _all(snapshot, parts.values())
        total = snap.popcount(everything)
        ids, distances = _page(snapshot, parsed, params, everything, title, now, page_size)
        counts = _counts(snapshot, city, params, parts, everything) if facets else None
    return ids, distances, total, counts


def _all(snapshot: snap.Snapshot, parts: Any) -> np.ndarray:
    combined = snapshot.flags(("live",)).copy()
    for part in parts:
        np.bitwise_and(combined, part, out=combined)
    return combined


def _any(snapshot: snap.Snapshot, keys: list[snap.Key]) -> np.ndarray:
    combined = snapshot.bits.zeros()
    for key in keys:
        np.bitwise_or(combined, snapshot.flags(key), out=combined)
    return combined


def _filters(
    snapshot: snap.Snapshot, city: City, parsed: q.ParsedQuery, params: SearchParams, now: datetime
) -> dict[str, np.ndarray]:
    """One bitset per filter in force, named like the facet it narrows."""
    from learningcity.search.selectors import _block_bit, bounding_box

    parts: dict[str, np.ndarray] = {}
    if parsed:
        text, title = snapshot.flags(("live",)).copy(), snapshot.flags(("live",)).copy()
        for clause in parsed.clauses:
            bits, title_bits = snapshot.clause_bits(clause)
            np.bitwise_and(text, bits, out=text)
            np.bitwise_and(title, title_bits, out=title)
        parts["text"] = text
        parts["title"] = title
    if params.only:
        parts["only"] = snapshot.packed_positions(snapshot.positions_of(params.only))
    if not params.include_past:
        last_end = snapshot.column("last_end")
        parts["past"] = snapshot.packed((last_end == snap.NULL_MOMENT) | (last_end >= snap.microseconds(now)))
    if params.blocks:
        parts["blocks"] = _any(snapshot, [("blocks", _block_bit(code)) for code in params.blocks])
    for name in GROUPED:
        values = getattr(params, name)
        if values:
            parts[name] = _any(snapshot, [(name, str(value)) for value in values])
    if params.topics:
        parts["topics"] = _any(snapshot, [("topics", int(topic)) for topic in params.topics])
    if params.languages:
        parts["languages"] = _any(snapshot, [("languages", code) for code in params.languages])
    if params.age is not None:
        parts["age"] = snapshot.packed(
            (snapshot.column("age_min") <= params.age) & (snapshot.column("age_max") >= params.age)
        )
    if params.free:
        parts["free"] = snapshot.flags(("free",))
    if params.max_price is not None:
        affordable = snapshot.column("price") <= float(params.max_price)
        parts["max_price"] = snapshot.flags(("free",)) | snapshot.packed(affordable)
    if params.access:
        required = snapshot.flags(("live",)).copy()
        for feature in params.access:
            np.bitwise_and(required, snapshot.flags(("access", ACCESS_FEATURES.index(feature))), out=required)
        parts["access"] = required
    if params.days:
        parts["days"] = _any(snapshot, [("days", day) for day in params.days])
    if params.times:
        parts["times"] = _any(snapshot, [("times", TIMES_OF_DAY.index(part)) for part in params.times])
    if params.places:
        parts["places"] = snapshot.flags(("places",))
    if params.date_from or params.date_to:
        parts["dates"] = snapshot.packed_positions(snapshot.positions_of(_dated_ids(city, params, now)))
    if params.near is not None:
        near = params.near
        latitude, longitude = snapshot.column("latitude"), snapshot.column("longitude")
        south, north, west, east = bounding_box(near)
        with np.errstate(invalid="ignore"):
            inside = (
                (latitude >= south)
                & (latitude <= north)
                & (longitude >= west)
                & (longitude <= east)
                & (_squared_distance(snapshot, near) <= near.radius_km**2)
            )
        parts["near"] = snapshot.packed(inside)
    return parts


def _dated_ids(city: City, params: SearchParams, now: datetime) -> list[int]:
    from learningcity.search.selectors import _fetch, date_window

    start, end = date_window(city, params, now)
    rows = _fetch(
        "SELECT DISTINCT s.opportunity_id FROM catalogue_session s JOIN catalogue_opportunity o "
        "ON o.id = s.opportunity_id WHERE o.city_id = %s AND s.start >= %s AND s.start < %s",
        [city.pk, start, end],
    )
    return [int(row[0]) for row in rows]


def _squared_distance(snapshot: snap.Snapshot, near: Any) -> np.ndarray:
    from learningcity.search.selectors import KM_PER_DEGREE_LATITUDE, _km_per_degree_longitude

    north = (snapshot.column("latitude") - near.latitude) * KM_PER_DEGREE_LATITUDE
    east = (snapshot.column("longitude") - near.longitude) * _km_per_degree_longitude(near.latitude)
    squared: np.ndarray = north * north + east * east
    return squared


def _page(
    snapshot: snap.Snapshot,
    parsed: q.ParsedQuery,
    params: SearchParams,
    everything: np.ndarray,
    title: np.ndarray,
    now: datetime,
    page_size: int,
) -> tuple[list[int], dict[int, float]]:
    """The page's ids in the published order (docs/ranking.md), as `selectors._page_ids` gives them."""
    from learningcity.search.selectors import soon_limits

    chosen = snapshot.selected(everything)
    first = (max(1, params.page) - 1) * page_size
    wanted = first + page_size
    if chosen.size == 0 or first >= chosen.size:
        return [], {}
    ids = snapshot.ids[chosen]
    next_start = snapshot.column("next_start")[chosen]
    no_date = next_start == snap.NULL_MOMENT
    distances: np.ndarray | None = None
    if params.near is not None:
        distances = _squared_distance(snapshot, params.near)[chosen]
    if params.sort == "distance" and distances is not None:
        keys: list[np.ndarray] = [distances]
    elif params.sort == "date":
        keys = [no_date.astype(np.int8), np.where(no_date, 0, next_start)]
    else:
        keys = []
        if parsed:
            in_title = np.unpackbits(title)[: snapshot.size]
            keys.append((1 - in_title[chosen]).astype(np.int8))
        last_end = snapshot.column("last_end")[chosen]
        week, month = (snap.microseconds(limit) for limit in soon_limits(now))
        soon = np.where(
            no_date,
            np.where(last_end != snap.NULL_MOMENT, 3, 2),
            np.where(next_start < week, 0, np.where(next_start < month, 1, 2)),
        ).astype(np.int8)
        keys += [soon, no_date.astype(np.int8), np.where(no_date, 0, next_start)]
    keys.append(ids)
    order = _first(keys, wanted)
    picked = order[first:wanted]
    page_ids = [int(value) for value in ids[picked]]
    found: dict[int, float] = {}
    if distances is not None:
        found = {int(ids[index]): math.sqrt(float(distances[index])) for index in picked}
    return page_ids, found


def _first(keys: list[np.ndarray], count: int) -> np.ndarray:
    """Indices of the `count` smallest rows by `keys` (first key most significant), in order."""
    rows = keys[0].size
    if rows > 4 * count and rows > 2000:
        # Narrow to the rows that can be among the first `count` by the leading key, then sort those.
        leading = keys[0]
        threshold = np.partition(leading, count - 1)[count - 1]
        keep = np.flatnonzero(leading <= threshold)
        order = np.lexsort([key[keep] for key in reversed(keys)])
        narrowed: np.ndarray = keep[order[:count]]
        return narrowed
    ordered: np.ndarray = np.lexsort(list(reversed(keys)))[:count]
    return ordered


def _counts(
    snapshot: snap.Snapshot, city: City, params: SearchParams, parts: dict[str, np.ndarray], everything: np.ndarray
) -> dict[str, dict[str, int]]:
    """Counts per filter value, as `selectors._facet_counts` computes them before labelling."""
    catalogue = FacetCatalogue.for_city(city)

    def count(key: snap.Key, within: np.ndarray) -> int:
        return snap.popcount(within & snapshot.flags(key))

    counts: dict[str, dict[str, int]] = {
        "blocks": {code: count(("blocks", bit), everything) for code, bit, _name in catalogue.blocks},
        "topics": {code: count(("topics", pk), everything) for code, pk, _name in catalogue.topics},
        "languages": {code: count(("languages", code), everything) for code, _name in catalogue.languages},
        "access": {feature: count(("access", bit), everything) for bit, feature in enumerate(ACCESS_FEATURES)},
        "days": {str(day): count(("days", day), everything) for day in range(7)},
        "times": {part: count(("times", bit), everything) for bit, part in enumerate(TIMES_OF_DAY)},
        "price": {"free": count(("free",), everything)},
        "places": {"yes": count(("places",), everything)},
    }
    for name in GROUPED:
        within = everything if name not in parts else _all(snapshot, [v for k, v in parts.items() if k != name])
        values = {key[1] for key in snapshot.bits.sets if key[0] == name}
        found = {value: count((name, value), within) for value in values}
        counts[name] = {value: number for value, number in found.items() if number}
    return counts
