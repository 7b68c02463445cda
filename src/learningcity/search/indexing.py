"""Keeping the search index in step with the catalogue.

`reindex(ids)` recomputes the entries of some opportunities in the caller's transaction (the
signal handlers call it on every catalogue change, so an edit is searchable at once and a
withdrawal disappears at once); `rebuild()` recomputes everything, in chunks, in one transaction.
Only published opportunities have an entry.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from learningcity.bulk import TableWriter
from learningcity.catalogue.models import City, Opportunity, Session, Status
from learningcity.enrolment.models import HOLDS_A_PLACE, Registration
from learningcity.search import analysis
from learningcity.search.engines import engine
from learningcity.search.models import SearchEntry, SearchGeneration, SearchRemoval, SearchTerm, SearchText
from learningcity.search.synonyms import KIND_WORDS

ACCESS_FEATURES = ("step_free_access", "accessible_toilets", "hearing_loop", "sign_language", "easy_read")
TIMES_OF_DAY = ("morning", "afternoon", "evening")
EVENING_FROM = 18
AFTERNOON_FROM = 12
CHUNK = 5000
BULK_INSERT_FROM = 100

_ACCESS_BITS = tuple((f"venue__{feature}", 1 << bit) for bit, feature in enumerate(ACCESS_FEATURES))
COLUMNS = tuple(field.attname for field in SearchEntry._meta.concrete_fields)
_IN_COLUMNS_ORDER = itemgetter(*COLUMNS)
TEXT_COLUMNS = ("entry_id", "title_terms", "body_terms", "generation")
_UPDATED_FIELDS = [field.name for field in SearchEntry._meta.concrete_fields if not field.primary_key]


def time_of_day(hour: int) -> int:
    """0 morning (before noon), 1 afternoon (noon to 6 pm), 2 evening (from 6 pm), in local time."""
    if hour >= EVENING_FROM:
        return 2
    return 1 if hour >= AFTERNOON_FROM else 0


@dataclass
class _Schedule:
    next_start: datetime | None = None
    last_end: datetime | None = None
    days: int = 0
    times: int = 0
    has_sessions: bool = False
    room_left: bool = False


@dataclass
class Listing:
    """What an entry is computed from, as `_entries` reads it for one published listing: the values of
    `LISTING_VALUES` (`row`), its building-block positions, language codes, topics (ids with their
    parents, and names), audience names, and sessions (start, end, places; none booked yet).

    An import that has just written the listing hands it over (`reindex(..., known=...)`), so that
    100,000 new listings are not read back from the database they were written to a moment before.
    """

    row: dict[str, Any]
    blocks: list[int]
    languages: list[str]
    topics: tuple[set[int], list[tuple[str, str]]]
    audiences: list[str]
    audiences_en: list[str]
    sessions: list[tuple[datetime, datetime, int | None]]
    # Its own texts analysed beforehand (by an import's parsing process); used only if they are its texts.
    own: analysis.OwnTerms | None = None


def reindex(opportunity_ids: Iterable[int], *, known: dict[int, Listing] | None = None, savepoint: bool = True) -> None:
    """Bring the entries of these opportunities up to date (create, update or remove).

    `known` gives, for some of them, what they hold (they must be published and their sessions unbooked).
    Without `savepoint`, a caller's transaction is not given a savepoint (an import, which keeps all or nothing).
    """
    ids = sorted(set(opportunity_ids))
    if not ids:
        return
    now = timezone.now()
    with transaction.atomic(savepoint=savepoint):
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows, texts, words = _entries(chunk, now, known or {})
            kept = {row["opportunity_id"] for row in rows}
            indexed = dict(SearchEntry.objects.filter(pk__in=chunk).values_list("pk", "city_id"))
            gone = [(pk, city_id) for pk, city_id in indexed.items() if pk not in kept]
            generations = {
                city_id: bump(city_id) for city_id in sorted({row["city_id"] for row in rows} | {c for _, c in gone})
            }
            for row in rows:
                row["generation"] = generations[row["city_id"]]
            if gone:
                _remove(gone, generations)
            _add_terms(words)  # before the bulk inserts, which may still be running when this returns (an import)
            # Many listings entering the index at once (an import) are plain inserts; the others upsert, which
            # also copes with two requests indexing the same new listing.
            fresh = [row for row in rows if row["opportunity_id"] not in indexed]
            if len(fresh) < BULK_INSERT_FROM:
                fresh = []  # a save of one listing (the signals' path) never builds the writers
            else:
                TableWriter(SearchEntry, COLUMNS, adapt=True).write([_entry_tuple(row) for row in fresh])
                TableWriter(SearchText, TEXT_COLUMNS).write(
                    [(pk, title, body, generations[city]) for pk, title, body, city in _with_city(texts, fresh)]
                )
            inserted = {row["opportunity_id"] for row in fresh}
            others = [row for row in rows if row["opportunity_id"] not in inserted]
            other_texts = [text for text in texts if text[0] not in inserted]
            _save([SearchEntry(**row) for row in others], _changed_texts(other_texts, generations, others))


def forget(opportunity_id: int, city_id: int) -> None:
    """Record that a deleted opportunity left the index (its entry goes with it by cascade)."""
    with transaction.atomic():
        _remove([(opportunity_id, city_id)], {city_id: bump(city_id)})


def _remove(gone: list[tuple[int, int]], generations: dict[int, int]) -> None:
    SearchRemoval.objects.bulk_create(
        [SearchRemoval(city_id=city_id, opportunity_id=pk, generation=generations[city_id]) for pk, city_id in gone]
    )
    SearchEntry.objects.filter(pk__in=[pk for pk, _city in gone]).delete()


def bump(city_id: int, *, rebuilt: bool = False) -> int:
    """Raise the city's index generation (in the caller's transaction) and return the new number."""
    changes: dict[str, Any] = {"number": F("number") + 1}
    if rebuilt:
        changes["rebuilt"] = F("number") + 1
    if not SearchGeneration.objects.filter(city_id=city_id).update(**changes):
        SearchGeneration.objects.get_or_create(city_id=city_id, defaults={"number": 0, "rebuilt": 0})
        SearchGeneration.objects.filter(city_id=city_id).update(**changes)
    return int(SearchGeneration.objects.filter(city_id=city_id).values_list("number", flat=True).get())


def rebuild(city: City | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the whole index (of one city, or of every city); return the number of entries."""
    published = Opportunity.objects.filter(status=Status.PUBLISHED)
    if city is not None:
        published = published.filter(city=city)
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    frequencies: Counter[str] = Counter()
    writer = TableWriter(SearchEntry, COLUMNS, adapt=True)
    text_writer = TableWriter(SearchText, TEXT_COLUMNS)
    with transaction.atomic():
        city_ids = [city.pk] if city is not None else list(City.objects.values_list("pk", flat=True))
        generations = {city_id: bump(city_id, rebuilt=True) for city_id in city_ids}
        stale = SearchEntry.objects.all() if city is None else SearchEntry.objects.filter(city=city)
        stale.delete()
        SearchRemoval.objects.filter(city_id__in=city_ids).delete()
        for start in range(0, len(ids), CHUNK):
            rows, texts, words = _entries(_Span(ids[start : start + CHUNK]), now)
            city_of = {row["opportunity_id"]: row["city_id"] for row in rows}
            for row in rows:
                row["generation"] = generations[row["city_id"]]
            writer.write([_entry_tuple(row) for row in rows])
            text_writer.write([(pk, title, body, generations[city_of[pk]]) for pk, title, body in texts])
            frequencies.update(words)
            if progress is not None:
                progress(min(start + CHUNK, len(ids)), len(ids))
        _replace_terms(frequencies, everything=city is None)
        engine().after_bulk_load()
    return len(ids)


def _entry_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    """An entry in COLUMNS order (its generation already set), for a TableWriter that adapts its values."""
    return _IN_COLUMNS_ORDER(row)  # type: ignore[no-any-return]


def _with_city(texts: list[tuple[int, str, str]], rows: list[dict[str, Any]]) -> list[tuple[int, str, str, int]]:
    """The texts of these entries, each with its entry's city."""
    city_of = {row["opportunity_id"]: row["city_id"] for row in rows}
    return [(pk, title, body, city_of[pk]) for pk, title, body in texts if pk in city_of]


def _changed_texts(
    texts: list[tuple[int, str, str]], generations: dict[int, int], rows: list[dict[str, Any]]
) -> list[SearchText]:
    """The texts that are new or differ from the stored ones (searches cache matches of unchanged texts)."""
    stored = {
        pk: (title, body)
        for pk, title, body in SearchText.objects.filter(pk__in=[pk for pk, _t, _b in texts]).values_list(
            "pk", "title_terms", "body_terms"
        )
    }
    cities = {row["opportunity_id"]: row["city_id"] for row in rows}
    return [
        SearchText(entry_id=pk, title_terms=title, body_terms=body, generation=generations[cities[pk]])
        for pk, title, body in texts
        if stored.get(pk) != (title, body)
    ]


def _save(entries: list[SearchEntry], texts: list[SearchText]) -> None:
    if entries:
        SearchEntry.objects.bulk_create(
            entries, update_conflicts=True, unique_fields=["opportunity"], update_fields=_UPDATED_FIELDS
        )
    if texts:
        SearchText.objects.bulk_create(
            texts,
            update_conflicts=True,
            unique_fields=["entry"],
            update_fields=["title_terms", "body_terms", "generation"],
        )


def _add_terms(words: Counter[str]) -> None:
    if words:
        SearchTerm.objects.bulk_create([SearchTerm(term=word) for word in words], ignore_conflicts=True)


def _replace_terms(frequencies: Counter[str], *, everything: bool) -> None:
    """Store the vocabulary with how many listings use each word (one city's count on a city rebuild)."""
    if everything:
        SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=word, frequency=count) for word, count in frequencies.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["term"],
        update_fields=["frequency"],
    )


LISTING_VALUES = (
    "pk",
    "city_id",
    "city__time_zone",
    "organisation_id",
    "organisation__name",
    "organisation__sector",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "kind",
    "mode",
    "age_min",
    "age_max",
    "is_free",
    "price",
    "capacity",
    "venue__name",
    "venue__address",
    "venue__district_id",
    "venue__district__name",
    "venue__latitude",
    "venue__longitude",
    *(f"venue__{feature}" for feature in ACCESS_FEATURES),
)


def _entries(
    ids: list[int], now: datetime, known: dict[int, Listing] | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]], Counter[str]]:
    """Entry values (by column) for the published opportunities among `ids`, their analysed texts
    (`TEXT_COLUMNS`), and how many of them use each word (for spelling fixes)."""
    known = known or {}
    unknown = [pk for pk in ids if pk not in known]
    if isinstance(ids, _Span) and not known:
        unknown = ids
    rows = list(Opportunity.objects.filter(_among("pk", unknown), status=Status.PUBLISHED).values(*LISTING_VALUES))
    rows += [known[pk].row for pk in ids if pk in known]
    if not rows:
        return [], [], Counter()
    found = unknown if isinstance(unknown, _Span) else [row["pk"] for row in rows if row["pk"] not in known]
    blocks = _grouped(Opportunity.building_blocks.through, found, "buildingblock__position")
    languages = _grouped(Opportunity.languages.through, found, "language_id")
    topics = _topics(found)
    audiences = _grouped(Opportunity.audience_labels.through, found, "audiencelabel__name_fr")
    audiences_en = _grouped(Opportunity.audience_labels.through, found, "audiencelabel__name_en")
    capacities = {row["pk"]: row["capacity"] for row in rows}
    zones = {row["pk"]: row["city__time_zone"] for row in rows}
    schedules = _schedules(found, now, capacities, zones)
    ready: dict[int, analysis.OwnTerms] = {}
    zone_cache: dict[str, ZoneInfo] = {}
    for pk, listing in known.items():
        if pk not in capacities:
            continue  # not in this chunk
        blocks[pk], languages[pk], topics[pk] = listing.blocks, listing.languages, listing.topics  # read only
        audiences[pk], audiences_en[pk] = listing.audiences, listing.audiences_en
        if listing.own is not None:
            ready[pk] = listing.own
        schedule = schedules[pk] = _Schedule()
        zone_name = listing.row["city__time_zone"]
        zone = zone_cache.get(zone_name) or zone_cache.setdefault(zone_name, ZoneInfo(zone_name))
        for start, end, capacity in listing.sessions:
            places = capacity if capacity is not None else listing.row["capacity"]
            _add_session(schedule, start, end, places, 0, zone, now)
    entries: list[dict[str, Any]] = []
    texts: list[tuple[int, str, str]] = []
    words: Counter[str] = Counter()
    # The end of a body text (provider, place, topics, kind, audiences) is shared by many listings: analysed once.
    tails: dict[tuple[Any, ...], tuple[str, frozenset[str]]] = {}
    masks: dict[tuple[object, ...], int] = {}  # building blocks as bits, by positions
    codes: dict[tuple[object, ...], str] = {}  # language codes as stored, by codes
    for row in rows:
        pk = row["pk"]
        topic_ids, topic_names = topics.get(pk, (set(), []))
        tail_key = (
            row["organisation__name"],
            row["venue__name"] or "",
            row["venue__district__name"] or "",
            row["kind"],
            tuple(topic_names),
            tuple(audiences.get(pk, ())),
            tuple(audiences_en.get(pk, ())),
        )
        tail = tails.get(tail_key)
        if tail is None:
            tail = tails[tail_key] = _tail(tail_key)
        schedule = schedules.get(pk, _Schedule())
        access = sum(bit for key, bit in _ACCESS_BITS if row[key])
        own_texts = (row["title_fr"], row["title_en"], row["description_fr"], row["description_en"])
        own = ready.get(pk)
        if own is None or own.texts != own_texts:  # analysed beforehand only if these are the texts
            own = analysis.own_terms(*own_texts)
        entries.append(
            {
                "opportunity_id": pk,
                "city_id": row["city_id"],
                "organisation_id": row["organisation_id"],
                "district_id": row["venue__district_id"],
                "kind": row["kind"],
                "mode": row["mode"],
                "sector": row["organisation__sector"],
                "age_min": row["age_min"],
                "age_max": row["age_max"],
                "is_free": row["is_free"],
                "price": row["price"],
                "latitude": row["venue__latitude"],
                "longitude": row["venue__longitude"],
                "blocks": _cached(masks, tuple(blocks.get(pk, ())), _bits),
                "access": access,
                "days": schedule.days,
                "times": schedule.times,
                "languages": _cached(codes, tuple(languages.get(pk, ())), _codes),
                "topics": _codes(sorted(topic_ids)),
                "next_start": schedule.next_start,
                "last_end": schedule.last_end,
                "has_places": schedule.room_left or (not schedule.has_sessions),
            }
        )
        texts.append((pk, own.title, analysis.joined([own.body, tail[0]])))
        words.update(own.words | tail[1])
    return entries, texts, words


def _cached(cache: dict[tuple[object, ...], Any], key: tuple[object, ...], compute: Callable[[Any], Any]) -> Any:
    """`compute(key)`, remembered in `cache` (listings share their few combinations of blocks and languages)."""
    value = cache.get(key)
    if value is None:
        value = cache[key] = compute(key)
    return value


def _bits(positions: Iterable[object]) -> int:
    """Building-block positions (1 to 10) as the bits of `SearchEntry.blocks`."""
    return sum(1 << (int(str(position)) - 1) for position in positions)


def _tail(key: tuple[Any, ...]) -> tuple[str, frozenset[str]]:
    """The analysed end of a body text (see `_entries`) and its words worth offering as fixes."""
    organisation, venue, district, kind, topic_names, audiences, audiences_en = key
    vocabulary: set[str] = set()
    texts = [
        (organisation, "fr"),
        (venue, "fr"),
        (district, "fr"),
        *topic_names,
        *_kind_words(kind),
        *((name, "fr") for name in audiences),
        *((name, "en") for name in audiences_en),
    ]
    return analysis.index_text(texts, vocabulary), frozenset(vocabulary)


def _among(field: str, ids: list[int]) -> Q:
    """`field` in `ids` (sorted); a range when the ids are every published one in it, as in a rebuild."""
    if isinstance(ids, _Span):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


class _Span(list[int]):
    """A sorted chunk of ids that holds every published opportunity between its ends."""


def _kind_words(kind: str) -> list[tuple[str, str]]:
    french, english = KIND_WORDS.get(kind, ("", ""))
    return [(french, "fr"), (english, "en")]


def _codes(values: Iterable[object]) -> str:
    text = " ".join(str(value) for value in values)
    return f" {text} " if text else ""


def _grouped(through: type, ids: list[int], field: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for opportunity_id, value in through.objects.filter(_among("opportunity", ids)).values_list(  # type: ignore[attr-defined]
        "opportunity_id", field
    ):
        grouped[opportunity_id].append(value)
    return grouped


def _topics(ids: list[int]) -> dict[int, tuple[set[int], list[tuple[str, str]]]]:
    """Per opportunity: its topic ids with their parents, and the topic names to index."""
    found: dict[int, tuple[set[int], list[tuple[str, str]]]] = {}
    through = Opportunity.topics.through
    for opportunity_id, topic_id, parent_id, name_fr, name_en in through.objects.filter(
        _among("opportunity", ids)
    ).values_list("opportunity_id", "topic_id", "topic__parent_id", "topic__name_fr", "topic__name_en"):
        topic_ids, names = found.setdefault(opportunity_id, (set(), []))
        topic_ids.add(topic_id)
        if parent_id is not None:
            topic_ids.add(parent_id)
        names.extend([(name_fr, "fr"), (name_en, "en")])
    return found


def _schedules(
    ids: list[int], now: datetime, capacities: dict[int, int | None], zones: dict[int, str]
) -> dict[int, _Schedule]:
    """When each opportunity meets next, on which days and parts of day, and whether places are left."""
    booked = dict(
        Registration.objects.filter(
            _among("session__opportunity", ids), session__end__gte=now, status__in=HOLDS_A_PLACE
        )
        .values_list("session_id")
        .annotate(taken=Sum("places"))
        .values_list("session_id", "taken")
    )
    schedules: dict[int, _Schedule] = {}
    zone_cache: dict[str, ZoneInfo] = {}
    sessions = Session.objects.filter(_among("opportunity", ids)).values_list(
        "opportunity_id", "pk", "start", "end", "capacity"
    )
    for opportunity_id, session_id, start, end, capacity in sessions.iterator(chunk_size=20_000):
        if opportunity_id not in zones:
            continue  # not published (a rebuild reads ranges of ids)
        schedule = schedules.setdefault(opportunity_id, _Schedule())
        zone_name = zones[opportunity_id]
        zone = zone_cache.get(zone_name) or zone_cache.setdefault(zone_name, ZoneInfo(zone_name))
        places = capacity if capacity is not None else capacities[opportunity_id]
        _add_session(schedule, start, end, places, booked.get(session_id, 0), zone, now)
    return schedules


def _add_session(
    schedule: _Schedule, start: datetime, end: datetime, places: int | None, taken: int, zone: ZoneInfo, now: datetime
) -> None:
    """Count one session in its listing's schedule (`taken`: places held by registrations)."""
    schedule.has_sessions = True
    if schedule.last_end is None or end > schedule.last_end:
        schedule.last_end = end
    if end < now:
        return
    if schedule.next_start is None or start < schedule.next_start:
        schedule.next_start = start
    local = start.astimezone(zone)
    schedule.days |= 1 << local.weekday()
    schedule.times |= 1 << time_of_day(local.hour)
    if places is None or taken < places:
        schedule.room_left = True


def opportunities_of(*, venue_id: int | None = None, organisation_id: int | None = None) -> Iterator[int]:
    """Published opportunities whose entry depends on a venue or an organisation."""
    condition = Q(venue_id=venue_id) if venue_id is not None else Q(organisation_id=organisation_id)
    yield from Opportunity.objects.filter(condition, status=Status.PUBLISHED).values_list("pk", flat=True)
