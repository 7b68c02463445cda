"""The catalogue generator: opportunities, their sessions and their many-to-many rows, chunk by chunk.

`CataloguePlanner.chunk(count)` returns plain tuples ready for `bulk.TableWriter`, so a million
opportunities stream through in fixed-size chunks without ever being held at once. Everything is
drawn from one seeded `random.Random`, in a fixed order, so the chunk size does not change the
result. A sample of published opportunities is kept in `pool` for the residents' registrations.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from learningcity.demo.names import WEB_DOMAIN
from learningcity.demo.offers import OfferCatalogue, PreparedOffer
from learningcity.demo.places import OrganisationPlan, VenuePlan
from learningcity.demo.timeslots import Clock
from learningcity.demo.vocabulary import (
    BLENDED_SENTENCES,
    ON_SITE_SENTENCES,
    ONLINE_SENTENCES,
    REDUCED_PRICE_CONDITIONS,
    REVIEW_NOTES,
    SELF_PACED_SENTENCES,
    Bilingual,
)

OPPORTUNITY_COLUMNS = (
    "id",
    "city_id",
    "organisation_id",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "kind",
    "age_min",
    "age_max",
    "is_free",
    "price",
    "reduced_price",
    "reduced_price_conditions_fr",
    "reduced_price_conditions_en",
    "mode",
    "venue_id",
    "online_url",
    "capacity",
    "registration_required",
    "booked_as_series",
    "credential_fr",
    "credential_en",
    "status",
    "review_note",
    "last_verified",
    "created_at",
    "updated_at",
    "published_at",
)
SESSION_COLUMNS = ("id", "opportunity_id", "start", "end", "time_zone", "capacity", "recurrence_rule", "series_key")

# How many listings each type of organisation tends to publish, relative to an average one.
ACTIVITY: dict[str, float] = {
    "library": 3,
    "community_centre": 3,
    "university": 2.5,
    "city_service": 2,
    "museum": 2,
    "online_platform": 2,
    "association": 1.5,
    "cultural": 1.5,
    "vocational": 1.5,
    "sports": 0.8,
    "school": 0.6,
    "employer": 0.4,
}
# (share online, share blended) by kind, for offers that may move online.
MODE_SHARES: dict[str, tuple[float, float]] = {
    "course": (0.08, 0.12),
    "talk": (0.1, 0.05),
    "workshop": (0.06, 0.0),
    "mentoring": (0.2, 0.2),
    "club": (0.04, 0.0),
}
# (fewest, most, share with no limit) places by kind.
CAPACITY: dict[str, tuple[int, int, float]] = {
    "course": (8, 20, 0.0),
    "workshop": (6, 16, 0.0),
    "talk": (30, 150, 0.2),
    "club": (10, 30, 0.3),
    "guided_visit": (12, 25, 0.0),
    "festival_event": (50, 400, 0.4),
    "self_paced": (0, 0, 1.0),
    "online_course": (20, 200, 0.2),
    "apprenticeship": (1, 4, 0.0),
    "volunteering": (4, 20, 0.2),
    "mentoring": (1, 8, 0.0),
}
REGISTRATION_SHARES: dict[str, float] = {
    "course": 1.0,
    "workshop": 0.9,
    "talk": 0.5,
    "club": 0.4,
    "guided_visit": 0.8,
    "festival_event": 0.2,
    "self_paced": 0.3,
    "online_course": 1.0,
    "apprenticeship": 1.0,
    "volunteering": 0.9,
    "mentoring": 1.0,
}
# (pattern, fewest, most) sessions by kind.
SESSION_PLANS: dict[str, tuple[str, int, int]] = {
    "course": ("weekly", 6, 10),
    "online_course": ("weekly", 4, 8),
    "mentoring": ("fortnightly", 4, 6),
    "club": ("club", 4, 10),
    "workshop": ("singles", 1, 3),
    "talk": ("singles", 1, 1),
    "guided_visit": ("singles", 1, 4),
    "festival_event": ("weekend", 1, 2),
    "volunteering": ("singles", 1, 4),
    "apprenticeship": ("singles", 1, 2),
    "self_paced": ("none", 0, 0),
}
SERIES_KINDS = frozenset({"course", "online_course", "mentoring"})
UPCOMING_WINDOW = (-60, 180)  # sessions from two months before the anchor to six months after
PAST_WINDOW = (-60, -1)  # archived listings only have past sessions
FREE_COST: tuple[Any, ...] = (True, None, None, "", "")
TIME_ZONE = "Europe/Paris"
SATURDAY = 5

SessionRef = tuple[int, int, "int | None"]  # (session id, day offset, places)


@dataclass
class Chunk:
    """The rows of one batch of opportunities, ready to insert."""

    opportunities: list[tuple[Any, ...]] = field(default_factory=list)
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    blocks: list[tuple[int, int]] = field(default_factory=list)
    topics: list[tuple[int, int]] = field(default_factory=list)
    audiences: list[tuple[int, int]] = field(default_factory=list)
    languages: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PoolEntry:
    """A published opportunity residents may register for."""

    opportunity_id: int
    age_min: int
    age_max: int
    district: int
    booked_as_series: bool
    kind: str
    sessions: tuple[SessionRef, ...]


@dataclass(frozen=True)
class CatalogueContext:
    """What the planner draws from: providers, venues, offers, ids and the clock."""

    city_id: int
    organisations: list[OrganisationPlan]
    venues: dict[int, VenuePlan]
    offers: OfferCatalogue
    clock: Clock
    first_opportunity_id: int
    first_session_id: int
    pool_stride: int


class CataloguePlanner:
    """Draws opportunities one after another; call `chunk` repeatedly."""

    def __init__(self, context: CatalogueContext, rng: random.Random) -> None:
        self.context = context
        self.rng = rng
        self.clock = context.clock
        self.next_opportunity_id = context.first_opportunity_id
        self.next_session_id = context.first_session_id
        self.pool: list[PoolEntry] = []
        self.organisations = context.organisations
        self.organisation_cumulative = list(
            accumulate(ACTIVITY[plan.type] * rng.uniform(0.3, 2.0) for plan in context.organisations)
        )
        self.organisation_total = self.organisation_cumulative[-1]
        self.tables = [context.offers.table(plan.type, plan.topics) for plan in context.organisations]
        self.place_sentences = {venue.id: _place_sentences(venue) for venue in context.venues.values()}
        self.venue_districts = {venue.id: venue.district.index for venue in context.venues.values()}

    def chunk(self, count: int) -> Chunk:
        """The next `count` opportunities with their sessions and relations."""
        chunk = Chunk()
        for _ in range(count):
            self._opportunity(chunk, self.next_opportunity_id)
            self.next_opportunity_id += 1
        return chunk

    def _opportunity(self, chunk: Chunk, opportunity_id: int) -> None:
        """Draw one opportunity: provider, offer, place, status, text, price, sessions and relations."""
        random_ = self.rng.random
        position = bisect(self.organisation_cumulative, random_() * self.organisation_total)
        organisation, table = self.organisations[position], self.tables[position]
        offer = table.offers[bisect(table.cumulative, random_() * table.cumulative[-1])]
        spec = offer.spec
        mode, venue_id = self._mode(offer, organisation)
        status, lifecycle = self._lifecycle()
        title_fr, title_en = offer.titles[int(random_() * len(offer.titles))]
        description_fr, description_en = self._description(offer, mode, venue_id)
        capacity = self._capacity(spec.kind)
        sessions = self._sessions(chunk, opportunity_id, offer, capacity, status)
        booked = spec.kind in SERIES_KINDS and len(sessions) > 1
        credential_fr, credential_en = spec.credential or ("", "")
        online = mode != "on_site"
        online_url = f"https://{organisation.slug}.{WEB_DOMAIN}/en-ligne/{opportunity_id}" if online else ""
        # One row, in OPPORTUNITY_COLUMNS order.
        chunk.opportunities.append((
            opportunity_id, self.context.city_id, organisation.id, title_fr, title_en, description_fr,
            description_en, spec.kind, spec.age_min, spec.age_max, *self._cost(offer), mode, venue_id, online_url,
            capacity, random_() < REGISTRATION_SHARES[spec.kind], booked, credential_fr, credential_en, status,
            *lifecycle,
        ))  # fmt: skip
        self._relations(chunk, opportunity_id, offer, mode)
        if status == "published" and sessions and opportunity_id % self.context.pool_stride == 0:
            district = self.venue_districts[venue_id] if venue_id is not None else -1
            entry = PoolEntry(opportunity_id, spec.age_min, spec.age_max, district, booked, spec.kind, tuple(sessions))
            self.pool.append(entry)

    def _mode(self, offer: PreparedOffer, organisation: OrganisationPlan) -> tuple[str, int | None]:
        """On site, online or blended; online providers and online formats have no venue."""
        venue_ids = organisation.venue_ids
        if offer.online_only or not venue_ids:
            return "online", None
        venue_id = venue_ids[0] if len(venue_ids) == 1 else venue_ids[int(self.rng.random() * len(venue_ids))]
        shares = MODE_SHARES.get(offer.spec.kind)
        if offer.on_site_only or shares is None:
            return "on_site", venue_id
        draw = self.rng.random()
        if draw < shares[0]:
            return "online", None
        if draw < shares[0] + shares[1]:
            return "blended", venue_id
        return "on_site", venue_id

    def _lifecycle(self) -> tuple[str, tuple[Any, ...]]:
        """Status, then (review note, last verified, created, updated, published) as database values."""
        random_, clock = self.rng.random, self.clock
        draw = random_()
        status = "published" if draw < 0.92 else "draft" if draw < 0.95 else "pending" if draw < 0.98 else "archived"
        created_day = -1 - int(random_() * 730)
        minute = 480 + int(random_() * 40) * 15
        published_at = None
        last_day = created_day
        if status in ("published", "archived"):
            last_day = min(-1, created_day + int(random_() * 15))
            published_at = clock.moment(last_day, minute + 30)
        updated_day = last_day + int(random_() * -last_day)
        note = REVIEW_NOTES[int(random_() * len(REVIEW_NOTES))] if status == "draft" and random_() < 0.4 else ""
        return status, (
            note,
            clock.date(updated_day),
            clock.moment(created_day, minute),
            clock.moment(updated_day, minute + 60),
            published_at,
        )

    def _cost(self, offer: PreparedOffer) -> tuple[Any, ...]:
        """(is_free, price, reduced price, conditions in French, conditions in English)."""
        random_ = self.rng.random
        if not offer.prices or random_() >= offer.topic.paid_share:
            return FREE_COST
        price, reduced = offer.prices[int(random_() * len(offer.prices))]
        if random_() < 0.3:
            return (False, price, None, "", "")
        conditions = REDUCED_PRICE_CONDITIONS[int(random_() * len(REDUCED_PRICE_CONDITIONS))]
        return (False, price, reduced, conditions[0], conditions[1])

    def _capacity(self, kind: str) -> int | None:
        low, high, unlimited = CAPACITY[kind]
        if self.rng.random() < unlimited:
            return None
        return low + int(self.rng.random() * (high - low + 1))

    def _description(self, offer: PreparedOffer, mode: str, venue_id: int | None) -> Bilingual:
        """Two to four sentences: what one learns, who it is for, where it happens, how it works."""
        random_ = self.rng.random
        learn = offer.learn
        parts = [learn[0]]  # the first sentence of a bank always says what one learns
        if random_() < 0.5:
            parts.append(learn[1 + int(random_() * (len(learn) - 1))])
        parts.append(offer.audience_sentences[int(random_() * len(offer.audience_sentences))])
        parts.append(self._place(offer, mode, venue_id))
        if len(parts) < 4 and random_() < 0.6:
            parts.append(offer.kind_sentence)
        return " ".join(part[0] for part in parts), " ".join(part[1] for part in parts)

    def _place(self, offer: PreparedOffer, mode: str, venue_id: int | None) -> Bilingual:
        if venue_id is None:
            if offer.spec.kind == "self_paced":
                return SELF_PACED_SENTENCES[0]
            return ONLINE_SENTENCES[int(self.rng.random() * len(ONLINE_SENTENCES))]
        on_site, blended = self.place_sentences[venue_id]
        if mode == "blended":
            return blended
        return on_site[int(self.rng.random() * len(on_site))]

    def _relations(self, chunk: Chunk, opportunity_id: int, offer: PreparedOffer, mode: str) -> None:
        for block_id in offer.block_ids if mode == "on_site" else offer.block_ids_online:
            chunk.blocks.append((opportunity_id, block_id))
        chunk.topics.append((opportunity_id, offer.topic_id))
        for audience_id in offer.audience_ids:
            chunk.audiences.append((opportunity_id, audience_id))
        for code in offer.languages:
            chunk.languages.append((opportunity_id, code))

    def _sessions(
        self, chunk: Chunk, opportunity_id: int, offer: PreparedOffer, capacity: int | None, status: str
    ) -> list[SessionRef]:
        """Dated sessions: weekly series for courses, single dates for talks and visits."""
        pattern, fewest, most = SESSION_PLANS[offer.spec.kind]
        if pattern == "none":
            return []
        window = PAST_WINDOW if status == "archived" else UPCOMING_WINDOW
        count = fewest + int(self.rng.random() * (most - fewest + 1))
        if pattern == "weekly" or (pattern == "club" and self.rng.random() < 0.6):
            return self._series(chunk, opportunity_id, offer, capacity, window, 7, count)
        if pattern in ("fortnightly", "club"):
            return self._series(chunk, opportunity_id, offer, capacity, window, 14, min(count, 6))
        return self._singles(chunk, opportunity_id, offer, capacity, window, count, pattern == "weekend")

    def _series(
        self,
        chunk: Chunk,
        opportunity_id: int,
        offer: PreparedOffer,
        capacity: int | None,
        window: tuple[int, int],
        interval: int,
        count: int,
    ) -> list[SessionRef]:
        """A weekly or fortnightly series sharing a series key and an RRULE."""
        random_, clock = self.rng.random, self.clock
        low, high = window
        count = max(1, min(count, (high - low - 6) // interval + 1))
        weekday, minute = offer.slots[int(random_() * len(offer.slots))]
        duration = offer.durations[int(random_() * len(offer.durations))]
        latest = high - interval * (count - 1) - 6
        first = clock.align(low + int(random_() * (latest - low + 1)), weekday)
        if count == 1:
            return self._add(chunk, opportunity_id, [(first, minute)], duration, capacity, "", "")
        every = "FREQ=WEEKLY" if interval == 7 else "FREQ=WEEKLY;INTERVAL=2"
        key = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        dates = [(first + number * interval, minute) for number in range(count)]
        return self._add(chunk, opportunity_id, dates, duration, capacity, f"{every};COUNT={count}", key)

    def _singles(
        self,
        chunk: Chunk,
        opportunity_id: int,
        offer: PreparedOffer,
        capacity: int | None,
        window: tuple[int, int],
        count: int,
        consecutive: bool,
    ) -> list[SessionRef]:
        """Separate dates in the offer's usual slots; a weekend festival runs Saturday then Sunday."""
        random_, clock = self.rng.random, self.clock
        low, high = window
        duration = offer.durations[int(random_() * len(offer.durations))]
        dates: list[tuple[int, int]] = []
        for _ in range(count):
            weekday, minute = offer.slots[int(random_() * len(offer.slots))]
            day = clock.align(low + int(random_() * (high - low - 6)), weekday)
            if consecutive and dates:
                if clock.weekday(dates[0][0]) != SATURDAY:
                    break
                day = dates[0][0] + 1
            if (day, minute) not in dates:
                dates.append((day, minute))
        return self._add(chunk, opportunity_id, dates, duration, capacity, "", "")

    def _add(
        self,
        chunk: Chunk,
        opportunity_id: int,
        dates: list[tuple[int, int]],
        duration: int,
        capacity: int | None,
        rule: str,
        key: str,
    ) -> list[SessionRef]:
        """Append the session rows; returns (id, day, places) for each."""
        span, append = self.clock.span, chunk.sessions.append
        session_id = self.next_session_id
        refs = []
        for day, minute in dates:
            start, end = span(day, minute, duration)
            append((session_id, opportunity_id, start, end, TIME_ZONE, capacity, rule, key))
            refs.append((session_id, day, capacity))
            session_id += 1
        self.next_session_id = session_id
        return refs


def _place_sentences(venue: VenuePlan) -> tuple[tuple[Bilingual, ...], Bilingual]:
    """The venue's on-site sentences and its blended-format sentence, in both languages."""

    def fill(sentence: Bilingual) -> Bilingual:
        return (
            sentence[0].format(venue=venue.name, address=venue.address),
            sentence[1].format(venue=venue.name, address=venue.address),
        )

    return tuple(fill(sentence) for sentence in ON_SITE_SENTENCES), fill(BLENDED_SENTENCES[0])
