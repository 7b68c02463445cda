"""Search: which published opportunities match, in what order, and how many per filter value.

One function, `search(params)`, serves the page, the API and saved-search alerts. It reads the
flat index (`SearchEntry`) with plain SQL that both engines understand; only the full-text
condition comes from the engine. The ranking is published in docs/ranking.md: title matches
first, then what meets soonest; no provider can buy placement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from rapidfuzz.distance import Levenshtein

from learningcity.catalogue.models import City, Opportunity, Session
from learningcity.search import query as q
from learningcity.search.engines import engine
from learningcity.search.facets import FacetCatalogue
from learningcity.search.indexing import ACCESS_FEATURES, TIMES_OF_DAY
from learningcity.search.models import SearchEntry

PAGE_SIZE = 20
KM_PER_DEGREE_LATITUDE = 110.574
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.320
SORTS = ("relevance", "date", "distance")


@dataclass(frozen=True)
class Near:
    """A point and a radius in kilometres."""

    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class SearchParams:
    """Everything a search can ask; values within one filter widen, filters narrow."""

    text: str = ""
    blocks: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    age: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    days: tuple[int, ...] = ()
    times: tuple[str, ...] = ()
    free: bool = False
    max_price: Decimal | None = None
    languages: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    districts: tuple[int, ...] = ()
    sectors: tuple[str, ...] = ()
    places: bool = False
    near: Near | None = None
    include_past: bool = False
    sort: str = "relevance"
    page: int = 1
    only: tuple[int, ...] = ()


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    """One page of results with the total, the counts per filter value and any spelling fix."""

    opportunities: list[Opportunity]
    total: int
    page: int
    facets: dict[str, list[FacetValue]]
    corrected_text: str = ""
    distances: dict[int, float] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


class _Sql:
    """A WHERE clause under construction, with its parameters in order."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def where(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _mask(bits: list[int]) -> int:
    return sum(1 << bit for bit in bits)


def _conditions(city: City, params: q.ParsedQuery, search: SearchParams, *, now: datetime, without: str = "") -> _Sql:
    """The WHERE clause for `search`; `without` leaves one filter out (for its own facet counts)."""
    sql = _Sql()
    sql.add("entry.city_id = %s", city.pk)
    if params:
        condition, values = engine().matches(params)
        sql.add(condition, *values)
    if search.only:
        sql.add(f"entry.opportunity_id IN ({', '.join(['%s'] * len(search.only))})", *search.only)
    if not search.include_past:
        sql.add("(entry.last_end IS NULL OR entry.last_end >= %s)", now)
    if search.blocks and without != "blocks":
        sql.add("(entry.blocks & %s) <> 0", _mask([_block_bit(code) for code in search.blocks]))
    for name, column in (("kinds", "kind"), ("modes", "mode"), ("sectors", "sector"), ("districts", "district_id")):
        values = getattr(search, name)
        if values and without != name:
            sql.add(f"entry.{column} IN ({', '.join(['%s'] * len(values))})", *values)
    for name, column in (("topics", "topics"), ("languages", "languages")):
        values = getattr(search, name)
        if values and without != name:
            sql.add("(" + " OR ".join([f"entry.{column} LIKE %s"] * len(values)) + ")", *(f"% {v} %" for v in values))
    if search.age is not None:
        sql.add("entry.age_min <= %s AND entry.age_max >= %s", search.age, search.age)
    if search.free:
        sql.add("entry.is_free = %s", True)
    if search.max_price is not None:
        sql.add("(entry.is_free = %s OR entry.price <= %s)", True, search.max_price)
    if search.access and without != "access":
        mask = _mask([ACCESS_FEATURES.index(feature) for feature in search.access])
        sql.add("(entry.access & %s) = %s", mask, mask)
    if search.days and without != "days":
        sql.add("(entry.days & %s) <> 0", _mask(list(search.days)))
    if search.times and without != "times":
        sql.add("(entry.times & %s) <> 0", _mask([TIMES_OF_DAY.index(part) for part in search.times]))
    if search.places:
        sql.add("entry.has_places = %s", True)
    if search.date_from or search.date_to:
        start, end = date_window(city, search, now)
        sql.add(
            "EXISTS (SELECT 1 FROM catalogue_session s WHERE s.opportunity_id = entry.opportunity_id "
            "AND s.start >= %s AND s.start < %s)",
            start,
            end,
        )
    if search.near is not None:
        near = search.near
        south, north, west, east = bounding_box(near)
        sql.add("entry.latitude BETWEEN %s AND %s AND entry.longitude BETWEEN %s AND %s", south, north, west, east)
        distance, values = _distance_sql(near)
        sql.add(f"{distance} <= %s", *values, near.radius_km**2)
    return sql


SOON_DAYS = (7, 31)  # the "soonest" bands of docs/ranking.md


def soon_limits(now: datetime) -> list[datetime]:
    """Ends of the "within a week" and "within a month" bands of the ranking."""
    return [now + timedelta(days=days) for days in SOON_DAYS]


def date_window(city: City, search: SearchParams, now: datetime) -> tuple[datetime, datetime]:
    """The moments a session must start between for a date filter: local midnights, open ends bounded."""
    zone = ZoneInfo(city.time_zone)
    start = _local_midnight(search.date_from, zone) if search.date_from else now
    end = _local_midnight(search.date_to + timedelta(days=1), zone) if search.date_to else start + timedelta(3650)
    return start, end


def bounding_box(near: Near) -> tuple[float, float, float, float]:
    """South, north, west and east limits (degrees) of the square around a search point."""
    lat_span = near.radius_km / KM_PER_DEGREE_LATITUDE
    lon_span = near.radius_km / _km_per_degree_longitude(near.latitude)
    return near.latitude - lat_span, near.latitude + lat_span, near.longitude - lon_span, near.longitude + lon_span


def _km_per_degree_longitude(latitude: float) -> float:
    return KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(latitude))


def _distance_sql(near: Near) -> tuple[str, list[Any]]:
    """Squared distance in km² (equirectangular: exact enough within a city)."""
    return (
        "((entry.latitude - %s) * %s) * ((entry.latitude - %s) * %s)"
        " + ((entry.longitude - %s) * %s) * ((entry.longitude - %s) * %s)",
        [
            near.latitude,
            KM_PER_DEGREE_LATITUDE,
            near.latitude,
            KM_PER_DEGREE_LATITUDE,
            near.longitude,
            _km_per_degree_longitude(near.latitude),
            near.longitude,
            _km_per_degree_longitude(near.latitude),
        ],
    )


_BLOCK_BITS: dict[str, int] = {}


def _block_bit(code: str) -> int:
    if code not in _BLOCK_BITS:
        from learningcity.catalogue.models import BuildingBlock

        _BLOCK_BITS.update({block.code: block.position - 1 for block in BuildingBlock.objects.all()})
    return _BLOCK_BITS[code]


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def search(city: City, params: SearchParams, *, facets: bool = True, now: datetime | None = None) -> SearchResult:
    """Search the published catalogue of `city`. Raises `query.QueryError` for unusable text."""
    now = now or timezone.now()
    parsed = q.parse(params.text)
    result = _run(city, parsed, params, facets=facets, now=now)
    if result.total == 0 and parsed.words and not params.only:
        fixed, unknown = _spelling_fixes(city, parsed)
        if fixed:
            corrected = parsed.replace_words(fixed)
            retried = _run(city, corrected, params, facets=facets, now=now)
            if retried.total:
                retried.corrected_text = corrected.display()
                return retried
        kept = q.ParsedQuery(
            tuple(
                clause for clause in parsed.replace_words(fixed).clauses if getattr(clause, "text", "") not in unknown
            )
        )
        if unknown and kept:
            # Words found nowhere in the catalogue are left out rather than emptying the page.
            retried = _run(city, kept, params, facets=facets, now=now)
            if retried.total:
                retried.corrected_text = kept.display()
                return retried
    return result


def _run(city: City, parsed: q.ParsedQuery, params: SearchParams, *, facets: bool, now: datetime) -> SearchResult:
    from learningcity.search import fast, snapshot

    page = max(1, params.page)
    if snapshot.usable():
        ids, distances, total, counts = fast.run(city, parsed, params, facets=facets, now=now, page_size=PAGE_SIZE)
        labelled = FacetCatalogue.for_city(city).facet_values(counts, params) if counts is not None else {}
        opportunities = _load_cached(snapshot.for_city(city.pk), ids)
        return SearchResult(opportunities=opportunities, total=total, page=page, facets=labelled, distances=distances)
    return _run_sql(city, parsed, params, facets=facets, now=now)


def _run_sql(city: City, parsed: q.ParsedQuery, params: SearchParams, *, facets: bool, now: datetime) -> SearchResult:
    """The same search read straight from the tables (inside transactions, and as the reference)."""
    sql = _conditions(city, parsed, params, now=now)
    page = max(1, params.page)
    ids, distances = _page_ids(city, parsed, params, sql, now=now, page=page)
    if facets:
        total, counted = _facet_counts(city, parsed, params, now=now)
    else:
        total, counted = _count(sql), {}
    return SearchResult(
        opportunities=_load(ids),
        total=total,
        page=page,
        facets=counted,
        distances=distances,
    )


def _count(sql: _Sql) -> int:
    rows = _fetch(f"SELECT COUNT(*) FROM search_searchentry entry WHERE {sql.where()}", sql.params)
    return int(rows[0][0])


def _page_ids(
    city: City, parsed: q.ParsedQuery, params: SearchParams, sql: _Sql, *, now: datetime, page: int
) -> tuple[list[int], dict[int, float]]:
    columns = ["entry.opportunity_id"]
    column_params: list[Any] = []
    order: list[str] = []
    order_params: list[Any] = []
    if params.near is not None:
        distance, values = _distance_sql(params.near)
        columns.append(distance)
        column_params.extend(values)
    else:
        columns.append("NULL")
    soon = (
        "CASE WHEN entry.next_start IS NULL AND entry.last_end IS NOT NULL THEN 3 "
        "WHEN entry.next_start IS NULL THEN 2 "
        "WHEN entry.next_start < %s THEN 0 WHEN entry.next_start < %s THEN 1 ELSE 2 END"
    )
    soon_params = soon_limits(now)
    if params.sort == "distance" and params.near is not None:
        order.append("2")
    elif params.sort == "date":
        order.append("CASE WHEN entry.next_start IS NULL THEN 1 ELSE 0 END, entry.next_start")
    else:
        if parsed:
            condition, values = engine().title_matches(parsed)
            order.append(f"CASE WHEN {condition} THEN 0 ELSE 1 END")
            order_params.extend(values)
        order.append(soon)
        order_params.extend(soon_params)
        order.append("CASE WHEN entry.next_start IS NULL THEN 1 ELSE 0 END, entry.next_start")
    order.append("entry.opportunity_id")
    statement = (
        f"SELECT {', '.join(columns)} FROM search_searchentry entry WHERE {sql.where()} "
        f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
    )
    rows = _fetch(statement, [*column_params, *sql.params, *order_params, PAGE_SIZE, (page - 1) * PAGE_SIZE])
    ids = [int(row[0]) for row in rows]
    distances = {int(row[0]): math.sqrt(row[1]) for row in rows if row[1] is not None}
    return ids, distances


def _load(ids: list[int]) -> list[Opportunity]:
    """The opportunities of a page, in the page's order, with what a result card shows."""
    if not ids:
        return []
    sessions = Session.objects.filter(end__gte=timezone.now()).order_by("start")
    found = (
        Opportunity.objects.filter(pk__in=ids)
        .select_related("organisation", "venue", "venue__district")
        .prefetch_related("building_blocks", "languages", Prefetch("sessions", queryset=sessions, to_attr="coming"))
        .in_bulk()
    )
    return [found[pk] for pk in ids if pk in found]


def _load_cached(city_snapshot: Any, ids: list[int]) -> list[Opportunity]:
    """`_load`, through this process's result cards (search/cards.py) kept in step with the snapshot."""
    cards = city_snapshot.cards()
    generation = city_snapshot.generation  # read before the database: a later change refuses what we load
    found = cards.get_many(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        loaded = _load(missing)
        # What the API adds to a card, loaded once with it rather than on every page that shows it.
        prefetch_related_objects(loaded, "city", "topics", "audience_labels")
        cards.put_many(loaded, generation=generation)
        found.update((opportunity.pk, opportunity) for opportunity in loaded)
    return [found[pk] for pk in ids if pk in found]


# Facets whose values exclude each other: their counts ignore their own filter, so a resident
# sees how many they would get by choosing another value instead.
_GROUPED = {"kinds": "entry.kind", "modes": "entry.mode", "sectors": "entry.sector", "districts": "entry.district_id"}


def _facet_counts(
    city: City, parsed: q.ParsedQuery, params: SearchParams, *, now: datetime
) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total, and counts per value of every filter under the other filters in force."""
    catalogue = FacetCatalogue.for_city(city)
    sums: list[str] = ["COUNT(*)"]
    sum_params: list[Any] = []
    sum_keys: list[tuple[str, str]] = []
    for facet, values, expression in catalogue.summed():
        for value in values:
            sums.append(f"SUM(CASE WHEN {expression} THEN 1 ELSE 0 END)")
            sum_params.extend(catalogue.parameters(facet, value))
            sum_keys.append((facet, value))
    active = {name for name in _GROUPED if getattr(params, name)}
    group_columns = [column for name, column in _GROUPED.items() if name not in active]
    sql = _conditions(city, parsed, params, now=now)
    select = ", ".join([*group_columns, *sums])
    group = f" GROUP BY {', '.join(group_columns)}" if group_columns else ""
    rows = _fetch(
        f"SELECT {select} FROM search_searchentry entry WHERE {sql.where()}{group}", [*sum_params, *sql.params]
    )
    counts: dict[str, dict[str, int]] = {}
    total = 0
    width = len(group_columns)
    names = [name for name in _GROUPED if name not in active]
    for row in rows:
        for name, value in zip(names, row[:width], strict=True):
            if value is not None:
                bucket = counts.setdefault(name, {})
                bucket[str(value)] = bucket.get(str(value), 0) + int(row[width])
        for (facet, value), number in zip(sum_keys, row[width:][1:], strict=True):
            bucket = counts.setdefault(facet, {})
            bucket[value] = bucket.get(value, 0) + int(number or 0)
        total += int(row[width])
    for name in sorted(active):
        own = _conditions(city, parsed, params, now=now, without=name)
        column = _GROUPED[name]
        for value, number in _fetch(
            f"SELECT {column}, COUNT(*) FROM search_searchentry entry WHERE {own.where()} GROUP BY {column}",
            own.params,
        ):
            if value is not None:
                counts.setdefault(name, {})[str(value)] = int(number)
    return total, catalogue.facet_values(counts, params)


def _spelling_fixes(city: City, parsed: q.ParsedQuery) -> tuple[dict[str, str], set[str]]:
    """Replacements for the query words that match nothing ("bibliotheqe" -> "bibliotheque"),
    and the words that match nothing and have no close replacement."""
    fixes: dict[str, str] = {}
    unknown: set[str] = set()
    for word in parsed.words:
        if _known(city, word):
            continue
        best = ""
        if len(word.text) >= 4 and not word.text.isdigit():
            best = best_spelling(word.text, engine().spelling_candidates(word.text))
        if best:
            fixes[word.text] = best
        else:
            unknown.add(word.text)
    return fixes, unknown


def _known(city: City, word: q.Word) -> bool:
    """Whether any listing of the city has this word (whatever its dates)."""
    from learningcity.search import snapshot

    if snapshot.usable():
        copy = snapshot.for_city(city.pk)
        with copy.lock:
            copy.refresh()
            bits, _title = copy.clause_bits(word)
            return snapshot.popcount(bits & copy.flags(("live",))) > 0
    found = [pk for pk, _title in engine().matches_with_title(q.ParsedQuery((word,)))]
    return any(
        SearchEntry.objects.filter(city=city, pk__in=found[start : start + 500]).exists()
        for start in range(0, len(found), 500)
    )


def best_spelling(word: str, candidates: list[tuple[str, int]]) -> str:
    """The closest known word: at most 1 edit for words up to 7 letters, 2 beyond; ties to the commoner."""
    allowed = 1 if len(word) <= 7 else 2
    ranked = sorted(
        (Levenshtein.distance(word, term), -frequency, term)
        for term, frequency in candidates
        if term != word and Levenshtein.distance(word, term, score_cutoff=allowed) <= allowed
    )
    return ranked[0][2] if ranked else ""


def suggestions(city: City, text: str, *, language: str, limit: int = 8) -> list[str]:
    """Titles to complete what a resident is typing (the last word may be unfinished)."""
    cleaned = q.clean(text)[: q.MAX_QUERY_LENGTH]
    from learningcity.search import analysis

    words = analysis.words(cleaned)
    if not words or len(words[-1]) < 2:
        return []
    *complete, last = words
    parsed = q.ParsedQuery(tuple(q.make_word(word) for word in complete if word not in analysis.STOPWORDS))
    prefixes = tuple(dict.fromkeys([last, *analysis.query_stems(last)]))
    condition, values = engine().prefix_matches(parsed, prefixes)
    title = "o.title_en" if language == "en" else "o.title_fr"
    other = "o.title_fr" if language == "en" else "o.title_en"
    shown = f"CASE WHEN {title} <> '' THEN {title} ELSE {other} END"
    rows = _fetch(
        f"SELECT {shown}, COUNT(*) FROM search_searchentry entry JOIN catalogue_opportunity o "
        "ON o.id = entry.opportunity_id WHERE entry.city_id = %s AND (entry.last_end IS NULL OR entry.last_end >= %s) "
        f"AND {condition} GROUP BY {shown} ORDER BY COUNT(*) DESC, {shown} LIMIT %s",
        [city.pk, timezone.now(), *values, limit],
    )
    return [row[0] for row in rows]


def first_page(params: SearchParams) -> SearchParams:
    return replace(params, page=1)
