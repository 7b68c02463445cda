"""What residents look for, counted per query and day with no trace of who asked.

Only the normalised words are kept (lower case, no accents, no punctuation), and queries that
look like personal data (an e-mail address, a phone or identity number) are not kept at all.
The coordinator's view shows a query only once enough searches asked it (see `MIN_SEARCHES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from learningcity import public_cache
from learningcity.catalogue.models import City
from learningcity.search import analysis
from learningcity.search.models import QueryStatistic

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
    """Count one search for `text` in the city `city_id` (see `record_search`)."""
    if not text.strip() or _PERSONAL.search(text):
        return
    query = normalised(text)
    if not query:
        return
    day = timezone.localdate()
    empty = 1 if total == 0 else 0
    with transaction.atomic():
        _commit_without_waiting()
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_SQL, [city_id, day, query, empty])


# One statement, whoever counts the same query at the same moment (PostgreSQL and SQLite both upsert):
# searches make this write at every request, and the ORM's update-then-insert cost two round trips and
# building two queries (bench/load_benchmark.py).
_COUNT_SQL = (
    "INSERT INTO search_querystatistic (city_id, day, query, searches, empty) VALUES (%s, %s, %s, 1, %s) "
    "ON CONFLICT (city_id, day, query) DO UPDATE "
    "SET searches = search_querystatistic.searches + 1, empty = search_querystatistic.empty + excluded.empty"
)


def _commit_without_waiting() -> None:
    """On PostgreSQL, let this transaction commit without waiting for its WAL to reach the disk.

    A count of searches is the one write most searches make; waiting for the disk on each would cost
    the search more than the search itself under load. A crash may lose the last fraction of a second
    of counts (never corrupt them): fine for statistics, and only for this transaction
    (`synchronous_commit` is set LOCAL). When the caller already runs a transaction, it decides.
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
