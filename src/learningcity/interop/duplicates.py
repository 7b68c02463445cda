"""Likely duplicates: the same offer listed twice, from two sources or by two providers.

Two listings of a city are likely duplicates when all three hold:

- their titles are alike: rapidfuzz's `token_set_ratio` of the normalised titles (lower case, no
  accents, no stop words; French and English titles both tried) is at least `TITLE_THRESHOLD`;
- they happen at the same place: the same venue, venues within `RADIUS_METRES`, or both online;
- they happen at the same time: their session dates overlap, or neither has dates.

Listings that both came from one source are never paired (a source's own ids already tell its
offers apart: an agenda listing a weekly workshop as separate events is not a duplicate), and
titles with different numbers ("Français A1", "Français A2") are different offers.

Comparing every pair of 100,000 listings would take five billion comparisons, so the search is
blocked (see docs/interop-curation.md): each listing is filed under (place cell, word) for every
word of its titles, on a grid of cells `RADIUS_METRES` wide; it then looks only in the 3×3 cells
around its own, under its two rarest words. Two titles at least 85 % alike share their rare words,
so the pairs that matter are found, and a block holds only the listings at one place that share an
uncommon word. The cheap tests (source, dates, distance) run before the title score.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max, Min
from django.utils import timezone
from rapidfuzz import fuzz

from learningcity.catalogue.models import City, Mode, Opportunity, Session, Status
from learningcity.interop.models import SourceRecord
from learningcity.search.analysis import content_words

TITLE_THRESHOLD = 85.0
RADIUS_METRES = 200.0
PROBE_WORDS = 2
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_METRES = 6_371_000.0
# Listings in these states can be duplicates; archived ones are out of the catalogue already.
LIVE_STATUSES = (Status.DRAFT, Status.PENDING, Status.PUBLISHED)

Cell = tuple[int, int]
ONLINE: Cell = (-(2**62), -(2**62))  # one cell far from any grid cell, with no neighbours: online listings


@dataclass(frozen=True)
class Listing:
    """What duplicate detection needs to know about one listing."""

    pk: int
    titles: tuple[str, ...]  # normalised, distinct, non-empty
    venue_id: int | None = None
    position: tuple[float, float] | None = None  # the venue's (latitude, longitude); None online
    days: tuple[date, date] | None = None  # first and last day of its sessions; None when undated
    sources: frozenset[str] = field(default_factory=frozenset)

    @property
    def words(self) -> set[str]:
        return {word for title in self.titles for word in title.split()}


@dataclass(frozen=True)
class Match:
    """A likely duplicate pair, `a` < `b`, with the title similarity and the reasons."""

    a: int
    b: int
    score: float
    reasons: dict[str, Any]


def normalise_title(text: str) -> str:
    """Lower case, no accents, no punctuation or stop words: "L'Atelier d'Aquarelle !" → "atelier aquarelle"."""
    return " ".join(content_words(text))


def _numbers(title: str) -> frozenset[str]:
    return frozenset(word for word in title.split() if any(char.isdigit() for char in word))


def title_similarity(first: Sequence[str], second: Sequence[str]) -> float:
    """The best `token_set_ratio` between any title of one listing and any of the other (0–100).

    Titles holding different numbers (levels, editions, years) score 0: they are different offers.
    """
    best = 0.0
    for left in first:
        for right in second:
            left_numbers, right_numbers = _numbers(left), _numbers(right)
            if left_numbers and right_numbers and left_numbers != right_numbers:
                continue
            best = max(best, fuzz.token_set_ratio(left, right, processor=None))
    return best


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


class _Grid:
    """Square cells `radius` wide around a reference latitude: points within `radius` are in adjacent cells."""

    def __init__(self, reference_latitude: float, radius: float) -> None:
        # 5 % wider than the radius: cells may be larger (never smaller) without losing a pair, and this
        # covers the rounding of a degree's length and latitudes a little off the reference.
        self.lat_step = 1.05 * radius / METRES_PER_DEGREE
        self.lon_step = self.lat_step / max(0.01, math.cos(math.radians(reference_latitude)))

    def cell(self, listing: Listing) -> Cell:
        if listing.position is None:
            return ONLINE
        latitude, longitude = listing.position
        return (math.floor(latitude / self.lat_step), math.floor(longitude / self.lon_step))

    @staticmethod
    def around(cell: Cell) -> Iterator[Cell]:
        if cell == ONLINE:
            yield cell
            return
        row, column = cell
        for d_row in (-1, 0, 1):
            for d_column in (-1, 0, 1):
                yield (row + d_row, column + d_column)


def _probe_words(all_words: Sequence[set[str]]) -> list[list[str]]:
    """Each listing's rarest words (fewest listings of the city use them; ties alphabetically)."""
    frequency: Counter[str] = Counter(word for words in all_words for word in words)
    return [sorted(words, key=lambda word: (frequency[word], word))[:PROBE_WORDS] for words in all_words]


def _place(first: Listing, second: Listing, radius: float) -> dict[str, Any] | None:
    if first.position is None or second.position is None:
        return {"place": "online"} if first.position is None and second.position is None else None
    if first.venue_id is not None and first.venue_id == second.venue_id:
        return {"place": "same_venue", "distance_m": 0}
    metres = distance_metres(*first.position, *second.position)
    return {"place": "nearby", "distance_m": round(metres)} if metres <= radius else None


def _dates(first: Listing, second: Listing) -> dict[str, Any] | None:
    if first.days is None or second.days is None:
        return {"dates": "undated"} if first.days is None and second.days is None else None
    if first.days[0] <= second.days[1] and second.days[0] <= first.days[1]:
        return {"dates": "overlap"}
    return None


def compare(
    first: Listing, second: Listing, *, threshold: float = TITLE_THRESHOLD, radius: float = RADIUS_METRES
) -> Match | None:
    """The match between two listings, or None; the cheap tests first, the title score last."""
    if first.sources & second.sources:
        return None
    dates = _dates(first, second)
    if dates is None:
        return None
    place = _place(first, second, radius)
    if place is None:
        return None
    score = title_similarity(first.titles, second.titles)
    if score < threshold:
        return None
    a, b = sorted((first.pk, second.pk))
    return Match(a=a, b=b, score=round(score, 1), reasons={"title": round(score, 1), **place, **dates})


def find_matches(
    listings: Sequence[Listing],
    *,
    reference_latitude: float = 45.0,
    threshold: float = TITLE_THRESHOLD,
    radius: float = RADIUS_METRES,
) -> list[Match]:
    """Every likely duplicate pair among `listings`, best first, without comparing all pairs."""
    grid = _Grid(reference_latitude, radius)
    cells = [grid.cell(listing) for listing in listings]
    all_words = [listing.words for listing in listings]
    blocks: defaultdict[tuple[Cell, str], list[int]] = defaultdict(list)
    for index, words in enumerate(all_words):
        for word in words:
            blocks[(cells[index], word)].append(index)
    seen: set[tuple[int, int]] = set()
    matches: list[Match] = []
    for index, probes in enumerate(_probe_words(all_words)):
        for other in _candidates(blocks, grid.around(cells[index]), probes, index):
            pair = (index, other) if index < other else (other, index)
            if pair in seen:
                continue
            seen.add(pair)
            match = compare(listings[index], listings[other], threshold=threshold, radius=radius)
            if match is not None:
                matches.append(match)
    return sorted(matches, key=lambda match: (-match.score, match.a, match.b))


def _candidates(
    blocks: dict[tuple[Cell, str], list[int]], cells: Iterable[Cell], words: list[str], index: int
) -> Iterator[int]:
    for cell in cells:
        for word in words:
            for other in blocks.get((cell, word), ()):
                if other != index:
                    yield other


def load_listings(city: City) -> list[Listing]:
    """The city's live listings, read in three queries (listings, session date ranges, sources)."""
    live = Opportunity.objects.filter(city=city, status__in=LIVE_STATUSES)
    zone = ZoneInfo(city.time_zone)
    ranges = {
        row["opportunity_id"]: (
            timezone.localtime(row["first"], zone).date(),
            timezone.localtime(row["last"], zone).date(),
        )
        for row in Session.objects.filter(opportunity__in=live.values("pk"))
        .values("opportunity_id")
        .annotate(first=Min("start"), last=Max("end"))
        .order_by()
    }
    sources: defaultdict[int, set[str]] = defaultdict(set)
    for opportunity_id, source in SourceRecord.objects.filter(city=city).values_list("opportunity_id", "source"):
        sources[opportunity_id].add(source)
    rows = live.values_list(
        "pk", "title_fr", "title_en", "mode", "venue_id", "venue__latitude", "venue__longitude"
    ).order_by("pk")
    listings = []
    for pk, title_fr, title_en, mode, venue_id, latitude, longitude in rows.iterator(chunk_size=5000):
        titles = tuple(dict.fromkeys(title for title in map(normalise_title, (title_fr, title_en)) if title))
        if not titles:
            continue
        on_site = mode != Mode.ONLINE and venue_id is not None
        listings.append(
            Listing(
                pk=pk, titles=titles, venue_id=venue_id if on_site else None,
                position=(latitude, longitude) if on_site else None, days=ranges.get(pk),
                sources=frozenset(sources.get(pk, ())),
            )
        )  # fmt: skip
    return listings
