"""What residents look for, counted per query and day with no trace of who asked.

Only the normalised words are kept (lower case, no accents, no punctuation), and queries that
look like personal data (an e-mail address, a phone or identity number) are not kept at all.
The coordinator's view shows a query only once enough searches asked it (see `MIN_SEARCHES`).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from learningcity import public_cache
from learningcity.catalogue.models import City
from learningcity.search import analysis
from learningcity.search.models import QueryStatistic

logger = logging.getLogger(__name__)

MIN_SEARCHES = 3
_PERSONAL = re.compile(r"@|\d{5,}|(\d[\s.-]?){8,}")


def normalised(text: str) -> str:
    """The query as it is counted: its words, lower case, without accents, in order."""
    return " ".join(analysis.words(text))[:200]


def record_search(*, city: City, text: str, total: int, request: HttpRequest | None = None) -> None:
    """Count one search for `text` that found `total` results (text searches only).

    With the `request`, the search is counted again each time its answer is served from the public cache.
    """
    if request is not None:
        public_cache.replay_on_hit(request, record_search_in_city, city_id=city.pk, text=text, total=total)
    record_search_in_city(city_id=city.pk, text=text, total=total)


def record_search_in_city(*, city_id: int, text: str, total: int) -> None:
    """Count one search for `text` in the city `city_id` (see `record_search`).

    The count is added in this process's memory and written with the others at most
    `SEARCH_DEMAND_FLUSH_SECONDS` later (see `_Pending`); with 0, it is written at once.
    """
    if not text.strip() or _PERSONAL.search(text):
        return
    query = normalised(text)
    if not query:
        return
    key = (city_id, timezone.localdate(), query)
    if settings.SEARCH_DEMAND_FLUSH_SECONDS <= 0:
        _write({key: (1, 1 if total == 0 else 0)})
        return
    _pending.add(key, empty=total == 0)


Key = tuple[int, date, str]  # city, day, normalised query


class _Pending:
    """Searches counted in this process and not yet written, written together by one statement.

    Searches are most of a learning city's traffic, and each one counted by its own transaction cost
    about as much database work as the search itself (bench/load_benchmark.py). Counts wait here, in
    memory, and a timer thread writes them all at once `SEARCH_DEMAND_FLUSH_SECONDS` after the first of
    them (or as soon as `MAX_KEYS` different queries wait). A process that dies without warning loses
    those few seconds of counts, never more (gunicorn's `worker_exit` writes them on a normal stop):
    fine for statistics of what people look for, and no personal data is involved.
    """

    MAX_KEYS = 1000

    def __init__(self) -> None:
        self._counts: dict[Key, list[int]] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, key: Key, *, empty: bool) -> None:
        with self._lock:
            counts = self._counts.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += 1 if empty else 0
            full = len(self._counts) >= self.MAX_KEYS
            if self._timer is None and not full:
                self._timer = threading.Timer(settings.SEARCH_DEMAND_FLUSH_SECONDS, self._flush_from_timer)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def take(self) -> dict[Key, tuple[int, int]]:
        """Everything waiting, now no longer waiting (the timer, if any, is called off)."""
        with self._lock:
            taken, self._counts = self._counts, {}
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        return {key: (searches, empty) for key, (searches, empty) in taken.items()}

    def flush(self) -> None:
        """Write what waits; if the database is away, the counts wait for the next write (up to `MAX_KEYS`)."""
        taken = self.take()
        if not taken:
            return
        try:
            _write(taken)
        except IntegrityError:  # a city deleted meanwhile: these counts can never be written
            logger.warning("search demand: %d counts dropped", len(taken), exc_info=True)
        except DatabaseError:
            logger.warning("search demand: %d counts not written yet", len(taken), exc_info=True)
            with self._lock:
                for key, (searches, empty) in taken.items():
                    if key in self._counts or len(self._counts) < self.MAX_KEYS:
                        counts = self._counts.setdefault(key, [0, 0])
                        counts[0] += searches
                        counts[1] += empty
            raise

    def _flush_from_timer(self) -> None:
        try:
            self.flush()
        except DatabaseError:
            pass  # logged by flush; the next search starts a new timer
        finally:
            connections.close_all()  # this thread's own connections


_pending = _Pending()


def flush() -> None:
    """Write the searches this process counted and has not written yet (pages reading the counts call it)."""
    _pending.flush()


def discard_pending() -> None:
    """Forget the counts not written yet (tests: each starts with none)."""
    _pending.take()


def _write(counts: dict[Key, tuple[int, int]]) -> None:
    """Add the counts to the table: one upsert statement for all of them (PostgreSQL and SQLite)."""
    rows = sorted(counts.items())  # the same order in every process: concurrent upserts never deadlock
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    parameters = [value for (city, day, query), counts in rows for value in (city, day, query, *counts)]
    with transaction.atomic():
        _commit_without_waiting()
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_SQL.format(values=values), parameters)


# One statement for every query counted (PostgreSQL and SQLite both upsert; the keys are distinct).
_COUNT_SQL = (
    "INSERT INTO search_querystatistic (city_id, day, query, searches, empty) VALUES {values} "
    "ON CONFLICT (city_id, day, query) DO UPDATE "
    "SET searches = search_querystatistic.searches + excluded.searches, "
    "empty = search_querystatistic.empty + excluded.empty"
)


def _commit_without_waiting() -> None:
    """On PostgreSQL, let this transaction commit without waiting for its WAL to reach the disk.

    Waiting for the disk on each write of counts would cost more than the write itself under load. A
    crash may lose the last fraction of a second of counts (never corrupt them): fine for statistics,
    and only for this transaction (`synchronous_commit` is set LOCAL). When the caller already runs a
    transaction, it decides.
    """
    if connection.vendor != "postgresql" or transaction.get_connection().savepoint_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


@dataclass(frozen=True)
class QueryDemand:
    """A query over a period: how often it was asked, and how often it found nothing."""

    query: str
    searches: int
    empty: int


def query_demand(*, city: City, start: date, end: date) -> list[QueryDemand]:
    """Queries of the city asked at least `MIN_SEARCHES` times from `start` to `end` (inclusive), most asked first."""
    flush()
    rows = (
        QueryStatistic.objects.filter(city=city, day__gte=start, day__lte=end)
        .values("query")
        .annotate(total=Sum("searches"), nothing=Sum("empty"))
        .filter(total__gte=MIN_SEARCHES)
        .order_by("-total", "query")
    )
    return [QueryDemand(row["query"], int(row["total"]), int(row["nothing"])) for row in rows]


def unmet_demand(queries: list[QueryDemand]) -> list[QueryDemand]:
    """The queries that found nothing at least once, those that most often found nothing first."""
    return sorted((item for item in queries if item.empty), key=lambda item: (-item.empty, -item.searches, item.query))
