"""Residents with accounts and what they registered for.

Residents are drawn from the population counts (aged 16 and over), so their districts, ages and
sexes follow the census. How many opportunities each one joins follows a Poisson law whose rate
carries the participation gaps documented in `generator`: lower in the peripheral estates, for men
aged 25 to 54 and for people over 75.
"""

from __future__ import annotations

import math
import random
import string
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from learningcity.demo import names
from learningcity.demo.catalogue import PoolEntry, SessionRef
from learningcity.demo.population import DistrictPlan
from learningcity.demo.timeslots import Clock

USER_COLUMNS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "is_staff",
    "is_active",
    "date_joined",
    "email",
    "display_name",
    "preferred_language",
    "year_of_birth",
    "sex",
    "district_id",
)
REGISTRATION_COLUMNS = ("user_id", "session_id", "status", "attended", "created_at")

BASE_RATE = 3.0  # opportunities joined per resident over the eight months of sessions
ATTENDANCE = 0.85  # share of confirmed places actually taken up
CANCELLATION = 0.06
LOCAL_SHARE = 0.6  # how often a resident looks first in their own district
MINIMUM_AGE = 16
PASSWORD_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ResidentPlan:
    """A resident as drawn from the census."""

    number: int
    id: int
    age: int
    sex: str
    district: DistrictPlan


Band = tuple[DistrictPlan, int, int, str]


def participation_rate(age: int, sex: str, district: DistrictPlan) -> float:
    """Expected number of opportunities this resident joins (see the module docstring)."""
    rate = BASE_RATE * district.participation
    if sex == "M" and 25 <= age <= 54:
        rate *= 0.5
    elif sex == "F":
        rate *= 1.15
    if age >= 75:
        rate *= 0.4
    elif age >= 60:
        rate *= 1.2
    return rate


def plan_residents(rng: random.Random, bands: list[tuple[Band, int]], count: int, first_id: int) -> list[ResidentPlan]:
    """`count` residents drawn from (district, age band, sex) weighted by inhabitants aged 16 and over."""
    eligible = [(band, weight) for band, weight in _adult_bands(bands) if weight > 0]
    cumulative = list(accumulate(weight for _, weight in eligible))
    plans = []
    for number in range(1, count + 1):
        district, low, high, sex = eligible[bisect(cumulative, rng.random() * cumulative[-1])][0]
        age = rng.randint(low, min(high, 98))
        plans.append(ResidentPlan(number, first_id + number - 1, age, sex, district))
    return plans


def _adult_bands(bands: list[tuple[Band, int]]) -> list[tuple[Band, int]]:
    """Bands restricted to ages 16 and over, with counts scaled to the part kept."""
    kept = []
    for (district, low, high, sex), count in bands:
        if high < MINIMUM_AGE:
            continue
        start = max(low, MINIMUM_AGE)
        top = min(high, 89)  # the open band 85-120 counts as five years wide
        kept.append(((district, start, high, sex), round(count * (top - start + 1) / (top - low + 1))))
    return kept


def unusable_password(rng: random.Random) -> str:
    """A deterministic password hash that can never match ("!" prefix, as Django's own)."""
    return "!" + "".join(rng.choices(PASSWORD_ALPHABET, k=40))


def resident_row(plan: ResidentPlan, rng: random.Random, clock: Clock, district_ids: list[int]) -> tuple[Any, ...]:
    """The database row of a resident's account."""
    first_names = names.FIRST_NAMES_F if plan.sex == "F" else names.FIRST_NAMES_M
    first_name, last_name = rng.choice(first_names), rng.choice(names.SURNAMES)
    stated_sex = "" if rng.random() < 0.03 else plan.sex
    return (
        plan.id,
        unusable_password(rng),
        None,
        False,
        first_name,
        last_name,
        False,
        True,
        clock.moment(-1 - rng.randrange(700), 480 + rng.randrange(56) * 15),
        f"resident{plan.number:04d}@{names.EMAIL_DOMAIN}",
        f"{first_name} {last_name[0]}.",
        "en" if rng.random() < 0.06 else "fr",
        clock.anchor.year - plan.age,
        stated_sex,
        district_ids[plan.district.index],
    )


def poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw (Knuth's method, fine for small rates)."""
    limit, product, count = math.exp(-rate), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


class RegistrationPlanner:
    """Picks opportunities for residents from the pool and writes their registrations."""

    def __init__(self, rng: random.Random, pool: list[PoolEntry], clock: Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.pool = pool
        self.by_district: dict[int, list[PoolEntry]] = {}
        for entry in pool:
            self.by_district.setdefault(entry.district, []).append(entry)
        self.confirmed: dict[int, int] = {}

    def registrations(self, user_id: int, age: int, district: int, rate: float) -> list[tuple[Any, ...]]:
        """The registration rows of one resident."""
        rows: list[tuple[Any, ...]] = []
        booked: set[int] = set()
        for _ in range(poisson(self.rng, rate)):
            entry = self._choose(age, district)
            if entry is not None:
                rows.extend(self._book(user_id, entry, booked))
        return rows

    def _choose(self, age: int, district: int) -> PoolEntry | None:
        """An opportunity open to this age, preferably nearby; None after a few misses."""
        local = self.by_district.get(district, [])
        for _ in range(8):
            source = local if local and self.rng.random() < LOCAL_SHARE else self.pool
            if not source:
                return None
            entry = source[int(self.rng.random() * len(source))]
            if entry.age_min <= age <= entry.age_max:
                return entry
        return None

    def _book(self, user_id: int, entry: PoolEntry, booked: set[int]) -> list[tuple[Any, ...]]:
        """Every session of a series, or one to three dates of anything else."""
        sessions = entry.sessions
        if not entry.booked_as_series:
            start = int(self.rng.random() * len(sessions))
            sessions = sessions[start : start + (1 + int(self.rng.random() * 3) if entry.kind == "club" else 1)]
        cancelled = self.rng.random() < CANCELLATION
        created_at = self._booking_time(sessions[0][1])
        rows = []
        for session in sessions:
            if session[0] not in booked:
                booked.add(session[0])
                rows.append(self._row(user_id, session, cancelled, created_at))
        return rows

    def _row(self, user_id: int, session: SessionRef, cancelled: bool, created_at: Any) -> tuple[Any, ...]:
        session_id, day, capacity = session
        if cancelled:
            status = "cancelled"
        elif capacity is not None and self.confirmed.get(session_id, 0) >= capacity:
            status = "waitlisted"
        else:
            status = "confirmed"
            self.confirmed[session_id] = self.confirmed.get(session_id, 0) + 1
        attended = None
        if day < 0:
            attended = status == "confirmed" and self.rng.random() < ATTENDANCE
        return (user_id, session_id, status, attended, created_at)

    def _booking_time(self, first_day: int) -> Any:
        """A moment before the first session and no later than the day before the anchor."""
        day = first_day - 1 - int(self.rng.random() * 21)
        if day >= 0:
            day = -1 - int(self.rng.random() * 14)
        return self.clock.moment(day, 480 + int(self.rng.random() * 56) * 15)
