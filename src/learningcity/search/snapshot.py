"""A columnar copy of one city's search index in memory, to filter, count and order fast.

The database stays the truth: the full-text engines find the words, and every change to the
index raises the city's `SearchGeneration` in the same transaction. Before each search, a
process compares generations (one primary-key read) and applies what changed since its copy
(entries written at a newer generation, `SearchRemoval`s), or reloads everything after a rebuild.

Filters and facet counts then work on packed bitsets (one bit per listing for every filter
value) and NumPy columns: a count is `popcount(selection & value)`, so counting 80 values over a
million listings takes a few milliseconds where SQL evaluates 80 expressions per row.

The copy is used only outside transactions (ordinary page and API reads); inside a transaction
search reads the tables directly (`selectors`), so a writer sees its own uncommitted changes and
no copy ever holds data that might be rolled back. `tests/search/test_snapshot.py` checks that
both paths give the same pages, totals and counts.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.db import connection

from learningcity import public_cache
from learningcity.search import cards as cards_module
from learningcity.search import postings as post
from learningcity.search import query as q
from learningcity.search.engines import engine
from learningcity.search.indexing import ACCESS_FEATURES, TIMES_OF_DAY

NULL_MOMENT = np.iinfo(np.int64).min
CLAUSE_CACHE_SIZE = 384
CLAUSE_CACHE_MIN = 200
WARM_UP_WORDS = 300
Key = tuple[Any, ...]  # ("kinds", "course"), ("blocks", 3), ("free",), ("live",) ...
_BLOCK_BITS = 32
_COLUMNS = (
    "opportunity_id",
    "kind",
    "mode",
    "sector",
    "district_id",
    "age_min",
    "age_max",
    "is_free",
    "price",
    "latitude",
    "longitude",
    "blocks",
    "access",
    "days",
    "times",
    "languages",
    "topics",
    "next_start",
    "last_end",
    "has_places",
)
_GROUPED = {"kinds": "kind", "modes": "mode", "sectors": "sector", "districts": "district_id"}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """A datetime as integer microseconds since the Unix epoch (naive ones are UTC, as SQLite gives them)."""
    delta = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass
class _Bits:
    """Packed bitsets, one per filter value, all as long as the snapshot's capacity."""

    capacity_bytes: int
    sets: dict[Key, np.ndarray] = field(default_factory=dict)

    def get(self, key: Key) -> np.ndarray:
        found = self.sets.get(key)
        if found is None:
            found = self.sets[key] = np.zeros(self.capacity_bytes, dtype=np.uint8)
        return found

    def zeros(self) -> np.ndarray:
        return np.zeros(self.capacity_bytes, dtype=np.uint8)

    def grow(self, capacity_bytes: int) -> None:
        for key, bits in self.sets.items():
            grown = np.zeros(capacity_bytes, dtype=np.uint8)
            grown[: bits.size] = bits
            self.sets[key] = grown
        self.capacity_bytes = capacity_bytes


def _set_bit(bits: np.ndarray, position: int, value: bool) -> None:
    mask = 0x80 >> (position & 7)
    if value:
        bits[position >> 3] |= mask
    else:
        bits[position >> 3] &= ~mask & 0xFF


def _pack(flags: np.ndarray, capacity_bytes: int) -> np.ndarray:
    packed = np.packbits(flags)
    if packed.size < capacity_bytes:
        packed = np.concatenate([packed, np.zeros(capacity_bytes - packed.size, dtype=np.uint8)])
    return packed


def popcount(bits: np.ndarray) -> int:
    return int(np.bitwise_count(bits.view(np.uint64)).sum())


class Snapshot:
    """One city's index as columns and bitsets; refreshed from the database by generation."""

    def __init__(self, city_id: int, database: str = "") -> None:
        self.city_id = city_id
        self.database = database
        self.generation = -1
        self.rebuilt = -1
        self.size = 0
        self.ids = np.empty(0, dtype=np.int64)
        self.columns: dict[str, np.ndarray] = {}
        self.bits = _Bits(0)
        self.lock = threading.Lock()
        # Every term with the listings holding it, where the engine can hand them over (PostgreSQL).
        self.postings: post.Postings | None = None
        # Matches of recent query clauses that match many listings (the expensive ones to ask again).
        self.clauses: OrderedDict[str, tuple[q.Word | q.Phrase, np.ndarray, np.ndarray]] = OrderedDict()

    # ---- keeping up with the database -------------------------------------------------

    def refresh(self) -> None:
        """Bring the copy up to the city's current generation (call with `lock` held)."""
        number, rebuilt = _generation(self.city_id)
        if number == self.generation:
            return
        if rebuilt > self.generation or number < self.generation:
            self._load_all(number, rebuilt)
            return
        removed = _fetch(
            "SELECT opportunity_id FROM search_searchremoval WHERE city_id = %s AND generation > %s",
            [self.city_id, self.generation],
        )
        rows = _entry_rows("AND entry.generation > %s", [self.city_id, self.generation])
        if rows and not self._can_append(rows):
            self._load_all(number, rebuilt)
            return
        for (opportunity_id,) in removed:
            position = self._position(int(opportunity_id))
            if position is not None:
                _set_bit(self.bits.get(("live",)), position, False)
        self._apply(rows)
        changed_cards = [int(opportunity_id) for (opportunity_id,) in removed] + [int(row[0]) for row in rows]
        self.cards().forget(changed_cards, generation=number)
        if self.clauses or self.postings is not None:
            changed = [
                int(row[0])
                for row in _fetch(
                    "SELECT t.entry_id FROM search_searchtext t JOIN search_searchentry e "
                    "ON e.opportunity_id = t.entry_id WHERE e.city_id = %s AND t.generation > %s",
                    [self.city_id, self.generation],
                )
            ]
            self._refresh_postings(changed)
            self._refresh_clauses(changed)
        self.generation = number
        self.rebuilt = rebuilt

    def _load_postings(self) -> None:
        """Take every term's listings from the engine, if it can give them (after a full load)."""
        found = engine().postings(self.city_id)
        if found is None:
            self.postings = None
            return
        postings = post.Postings()
        ids = self.ids[: self.size]
        for term, in_title, listing_ids in found:
            (postings.title if in_title else postings.text)[term] = post.positions(ids, listing_ids)
        self.postings = postings

    def _refresh_postings(self, changed: list[int]) -> None:
        """Listings whose text changed since our generation: their current terms replace their postings."""
        if self.postings is None or not changed:
            return
        terms = engine().terms_of(changed)
        for opportunity_id in changed:
            position = self._position(opportunity_id)
            if position is None:
                continue
            current = terms.get(opportunity_id)
            self.postings.override(position, post.Terms(*current) if current is not None else None)

    def _refresh_clauses(self, changed: list[int]) -> None:
        """Re-evaluate the cached clauses on the listings whose text changed since our generation."""
        if not self.clauses or not changed:
            return
        positions = self.positions_of(changed)
        for clause, bits, title_bits in self.clauses.values():
            for position in positions:
                _set_bit(bits, int(position), False)
                _set_bit(title_bits, int(position), False)
            for opportunity_id, in_title in engine().matches_with_title(q.ParsedQuery((clause,)), among=changed):
                position = self._position(int(opportunity_id))
                if position is not None:
                    _set_bit(bits, position, True)
                    _set_bit(title_bits, position, in_title)

    def clause_bits(self, clause: q.Word | q.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Listings whose text matches one query clause, and those whose title does (call with `lock` held)."""
        key = q.fts5(q.ParsedQuery((clause,)))
        found = self.clauses.get(key)
        if found is not None:
            self.clauses.move_to_end(key)
            return found[1], found[2]
        if self.postings is not None and isinstance(clause, q.Word):
            bits, title_bits = self.postings.matches(clause.stems, self.bits.capacity_bytes * 8)
            if popcount(bits) >= CLAUSE_CACHE_MIN:
                self.clauses[key] = (clause, bits, title_bits)
                while len(self.clauses) > CLAUSE_CACHE_SIZE:
                    self.clauses.popitem(last=False)
            return bits, title_bits
        pairs = engine().matches_with_title(q.ParsedQuery((clause,)))
        bits = self.packed_positions(self.positions_of(pk for pk, _title in pairs))
        title_bits = self.packed_positions(self.positions_of(pk for pk, in_title in pairs if in_title))
        if len(pairs) >= CLAUSE_CACHE_MIN:
            self.clauses[key] = (clause, bits, title_bits)
            while len(self.clauses) > CLAUSE_CACHE_SIZE:
                self.clauses.popitem(last=False)
        return bits, title_bits

    def _can_append(self, rows: list[tuple[Any, ...]]) -> bool:
        """Whether every new listing can go at the end (ids only grow), keeping ids sorted."""
        newcomers = sorted(int(row[0]) for row in rows if self._position(int(row[0])) is None)
        return not newcomers or self.size == 0 or newcomers[0] > int(self.ids[self.size - 1])

    def _position(self, opportunity_id: int) -> int | None:
        index = int(np.searchsorted(self.ids[: self.size], opportunity_id))
        if index < self.size and int(self.ids[index]) == opportunity_id:
            return index
        return None

    def cards(self) -> cards_module.CardCache:
        """The result cards of this process's database (search/cards.py), kept in step by `refresh`."""
        return cards_module.for_database(self.database)

    def _load_all(self, number: int, rebuilt: int) -> None:
        self.cards().clear(generation=number)
        self.size = 0
        self.ids = np.empty(0, dtype=np.int64)
        self.columns = {}
        self.bits = _Bits(0)
        self.clauses.clear()
        self.postings = None
        self._apply(_entry_rows("", [self.city_id]))
        self._load_postings()
        self.generation = number
        self.rebuilt = rebuilt

    def _apply(self, rows: list[tuple[Any, ...]]) -> None:
        """Write rows (new or changed) into the columns and bitsets."""
        if not rows:
            return
        rows.sort(key=lambda row: int(row[0]))
        newcomers = [row for row in rows if self._position(int(row[0])) is None]
        if newcomers:
            self._grow(self.size + len(newcomers))
            start = self.size
            self.ids[start : start + len(newcomers)] = [int(row[0]) for row in newcomers]
            self.size += len(newcomers)
        if len(newcomers) == len(rows):
            self._write_bulk(rows, start)
            return
        for row in rows:
            position = self._position(int(row[0]))
            assert position is not None
            self._write_row(position, row)

    def _grow(self, needed: int) -> None:
        capacity = self.ids.size
        if needed <= capacity:
            return
        capacity = max(64, int(needed * 1.25))
        capacity += (-capacity) % 64  # whole 64-bit words of bitset
        ids = np.full(capacity, np.iinfo(np.int64).max, dtype=np.int64)
        ids[: self.size] = self.ids[: self.size]
        self.ids = ids
        for name, kind, fill in _NUMERIC:
            grown = np.full(capacity, fill, dtype=kind)
            if name in self.columns:
                grown[: self.size] = self.columns[name][: self.size]
            self.columns[name] = grown
        self.bits.grow(capacity // 8)
        self.bits.get(("live",))
        for key, (clause, bits, title_bits) in list(self.clauses.items()):
            grown, title_grown = self.bits.zeros(), self.bits.zeros()
            grown[: bits.size], title_grown[: title_bits.size] = bits, title_bits
            self.clauses[key] = (clause, grown, title_grown)

    def _write_row(self, position: int, row: tuple[Any, ...]) -> None:
        values = dict(zip(_COLUMNS, row, strict=True))
        for name, _kind, fill in _NUMERIC:
            value = _numeric(name, values[name])
            self.columns[name][position] = fill if value is None else value
        wanted = set(_keys(values))
        for key, bits in self.bits.sets.items():
            if key != ("live",) and (bits[position >> 3] & (0x80 >> (position & 7))) and key not in wanted:
                _set_bit(bits, position, False)
        for key in wanted:
            _set_bit(self.bits.get(key), position, True)
        _set_bit(self.bits.get(("live",)), position, True)

    def _write_bulk(self, rows: list[tuple[Any, ...]], start: int) -> None:
        """Many new rows at once (a full load): columns and bitsets computed column-wise by NumPy."""
        end = start + len(rows)
        values = dict(zip(_COLUMNS, zip(*rows, strict=True), strict=True))
        for name, kind, fill in _NUMERIC:
            converted = (_numeric(name, value) for value in values[name])
            self.columns[name][start:end] = np.fromiter(
                (fill if value is None else value for value in converted), dtype=kind, count=len(rows)
            )
        total = self.bits.capacity_bytes * 8

        def mark(key: Key, flags: np.ndarray) -> None:
            if flags.any():
                marks = np.zeros(total, dtype=bool)
                marks[start:end] = flags
                self.bits.sets[key] = self.bits.get(key) | np.packbits(marks)

        mark(("live",), np.ones(len(rows), dtype=bool))
        for facet, column in _GROUPED.items():
            codes = np.array(["" if value is None else str(value) for value in values[column]], dtype=object)
            for value in set(codes.tolist()) - {""}:
                mark((facet, value), codes == value)
        for name, count in _BITS:
            masks = np.fromiter((int(value) for value in values[name]), dtype=np.int64, count=len(rows))
            for bit in range(count):
                mark((name, bit), (masks & (1 << bit)) != 0)
        for name, convert in (("languages", str), ("topics", int)):
            positions: dict[Any, list[int]] = {}
            for offset, text in enumerate(values[name]):
                for token in (text or "").split():
                    positions.setdefault(convert(token), []).append(offset)
            for value, offsets in positions.items():
                flags = np.zeros(len(rows), dtype=bool)
                flags[offsets] = True
                mark((name, value), flags)
        mark(("free",), np.fromiter((bool(value) for value in values["is_free"]), dtype=bool, count=len(rows)))
        mark(("places",), np.fromiter((bool(value) for value in values["has_places"]), dtype=bool, count=len(rows)))

    # ---- searching ----------------------------------------------------------------------

    def flags(self, key: Key) -> np.ndarray:
        return self.bits.sets.get(key, self.bits.zeros())

    def positions_of(self, opportunity_ids: Iterable[int]) -> np.ndarray:
        """Positions of the given listings that this city's index holds (others are ignored)."""
        wanted = np.fromiter(opportunity_ids, dtype=np.int64)
        index = np.searchsorted(self.ids[: self.size], wanted)
        keep = index < self.size
        index, wanted = index[keep], wanted[keep]
        found: np.ndarray = index[self.ids[index] == wanted]
        return found

    def packed_positions(self, positions: np.ndarray) -> np.ndarray:
        marks = np.zeros(self.bits.capacity_bytes * 8, dtype=bool)
        marks[positions] = True
        return np.packbits(marks)

    def packed(self, flags: np.ndarray) -> np.ndarray:
        """Pack a boolean column of `size` rows into a bitset of the snapshot's capacity."""
        marks = np.zeros(self.bits.capacity_bytes * 8, dtype=bool)
        marks[: self.size] = flags[: self.size]
        return np.packbits(marks)

    def selected(self, bits: np.ndarray) -> np.ndarray:
        """Positions of the set bits."""
        return np.flatnonzero(np.unpackbits(bits)[: self.size])

    def column(self, name: str) -> np.ndarray:
        return self.columns[name][: self.size]


_NUMERIC: tuple[tuple[str, Any, Any], ...] = (
    ("age_min", np.int16, 0),
    ("age_max", np.int16, 0),
    ("price", np.float64, math.nan),
    ("latitude", np.float64, math.nan),
    ("longitude", np.float64, math.nan),
    ("next_start", np.int64, NULL_MOMENT),
    ("last_end", np.int64, NULL_MOMENT),
)


def _numeric(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in {"next_start", "last_end"}:
        return _moment(value)
    if name == "price":
        return float(value)
    return value


def _moment(value: Any) -> int:
    if isinstance(value, datetime):
        return microseconds(value)
    if isinstance(value, str):  # SQLite: naive UTC text
        return int(np.datetime64(value.replace(" ", "T"), "us").astype(np.int64))
    return int(value)


_BITS = (("blocks", _BLOCK_BITS), ("access", len(ACCESS_FEATURES)), ("days", 7), ("times", len(TIMES_OF_DAY)))


def _keys(values: dict[str, Any]) -> Iterable[Key]:
    """The filter values a row has (each is one bitset); `_write_bulk` computes the same column-wise."""
    for facet, column in _GROUPED.items():
        if values[column] is not None:
            yield (facet, str(values[column]))
    for name, count in _BITS:
        mask = int(values[name])
        for bit in range(count):
            if mask & (1 << bit):
                yield (name, bit)
    for code in (values["languages"] or "").split():
        yield ("languages", code)
    for topic in (values["topics"] or "").split():
        yield ("topics", int(topic))
    if values["is_free"]:
        yield ("free",)
    if values["has_places"]:
        yield ("places",)


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _generation(city_id: int) -> tuple[int, int]:
    rows = _fetch("SELECT number, rebuilt FROM search_searchgeneration WHERE city_id = %s", [city_id])
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def _entry_rows(condition: str, params: list[Any]) -> list[tuple[Any, ...]]:
    columns = ", ".join(f"entry.{name}" for name in _COLUMNS)
    return _fetch(
        f"SELECT {columns} FROM search_searchentry entry WHERE entry.city_id = %s {condition} "  # noqa: S608
        "ORDER BY entry.opportunity_id",
        params,
    )


_snapshots: dict[tuple[str, int], Snapshot] = {}
_registry_lock = threading.Lock()


def for_city(city_id: int) -> Snapshot:
    """This process's snapshot of a city (per database), created empty on first use."""
    key = (str(connection.settings_dict.get("NAME")), city_id)
    with _registry_lock:
        found = _snapshots.get(key)
        if found is None:
            found = _snapshots[key] = Snapshot(city_id, key[0])
        return found


def forget_all() -> None:
    """Drop every snapshot of this process (tests; a new database)."""
    with _registry_lock:
        _snapshots.clear()
    cards_module.forget_all()
    public_cache.forget_all()  # answers kept from the snapshots' data


def usable() -> bool:
    """Whether searches may read a snapshot: not inside a transaction (see the module's note)."""
    from django.conf import settings

    return bool(getattr(settings, "SEARCH_SNAPSHOT", True)) and not connection.in_atomic_block


def warm_up(*, seconds: float | None = None) -> int:
    """Load every city's snapshot now (before a server forks its workers), then the matches of the
    catalogue's commonest words (the costly ones to fetch), within `seconds`; returns the listings loaded."""
    import time

    from django.conf import settings

    from learningcity.catalogue.models import City
    from learningcity.search.models import SearchTerm

    if seconds is None:
        seconds = float(getattr(settings, "SEARCH_WARM_UP_SECONDS", 60))
    started = time.monotonic()
    loaded = 0
    snapshots = []
    for city_id in City.objects.values_list("pk", flat=True):
        snapshot = for_city(city_id)
        with snapshot.lock:
            snapshot.refresh()
            loaded += snapshot.size
        snapshots.append(snapshot)
    if all(snapshot.postings is not None for snapshot in snapshots):
        return loaded  # every word is already a lookup in memory
    largest = max((snapshot.size for snapshot in snapshots), default=0)
    common = SearchTerm.objects.filter(frequency__gte=max(CLAUSE_CACHE_MIN, largest // 300)).order_by("-frequency")
    for term in common.values_list("term", flat=True)[:WARM_UP_WORDS]:
        if time.monotonic() - started > seconds:
            break
        clause = q.make_word(term)
        for snapshot in snapshots:
            with snapshot.lock:
                snapshot.clause_bits(clause)
    return loaded
