"""What residents look for, counted per query and day with no trace of who asked.

Only the normalised words are kept (lower case, no accents, no punctuation), and queries that
look like personal data (an e-mail address, a phone or identity number) are not kept at all.
The coordinator's view shows a query only once enough searches asked it (see `MIN_SEARCHES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from learningcity.catalogue.models import City
from learningcity.search import analysis
from learningcity.search.models import QueryStatistic

MIN_SEARCHES = 3
_PERSONAL = re.compile(r"@|\d{5,}|(\d[\s.-]?){8,}")


def normalised(text: str) -> str:
    """The query as it is counted: its words, lower case, without accents, in order."""
    return " ".join(analysis.words(text))[:200]


def record_search(*, city: City, text: str, total: int) -> None:
    """Count one search for `text` that found `total` results (text searches only)."""
    if not text.strip() or _PERSONAL.search(text):
        return
    query = normalised(text)
    if not query:
        return
    day = timezone.localdate()
    empty = 1 if total == 0 else 0
    updated = QueryStatistic.objects.filter(city=city, day=day, query=query).update(
        searches=F("searches") + 1, empty=F("empty") + empty
    )
    if updated:
        return
    try:
        with transaction.atomic():
            QueryStatistic.objects.create(city=city, day=day, query=query, searches=1, empty=empty)
    except IntegrityError:
        QueryStatistic.objects.filter(city=city, day=day, query=query).update(
            searches=F("searches") + 1, empty=F("empty") + empty
        )


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
