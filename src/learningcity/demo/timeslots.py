"""When things happen: wall-clock slots per audience, and a cached converter to database values.

Days are counted from the anchor ("today" of the demo): day 0 is the anchor, -1 yesterday. Times
are minutes after local midnight in Europe/Paris; the `Clock` turns them into aware datetimes
(through zoneinfo, so daylight saving time is right) and then into whatever the database expects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Slot = tuple[int, int]  # (weekday with Monday = 0, minutes after midnight)


def _at(weekday: int, hour: int, minute: int = 0) -> Slot:
    return (weekday, hour * 60 + minute)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

SLOTS: dict[str, tuple[Slot, ...]] = {
    "toddlers": (_at(TUE, 10), _at(WED, 10), _at(FRI, 9, 30), _at(SAT, 10, 30)),
    "children": (_at(WED, 14), _at(WED, 15, 30), _at(SAT, 10), _at(SAT, 14, 30), _at(FRI, 17)),
    "families": (_at(SAT, 10), _at(SAT, 15), _at(SUN, 10, 30), _at(SUN, 15), _at(WED, 15)),
    "young": (_at(WED, 14), _at(FRI, 17, 30), _at(SAT, 14), _at(TUE, 17, 30)),
    "adults": (
        _at(MON, 18, 30),
        _at(TUE, 19),
        _at(WED, 18, 30),
        _at(THU, 20),
        _at(TUE, 18),
        _at(THU, 18, 30),
        _at(SAT, 10),
        _at(SUN, 10, 30),
    ),
    "seniors": (_at(MON, 10), _at(TUE, 14, 30), _at(WED, 10), _at(THU, 14, 30), _at(FRI, 10)),
    "workday": (_at(MON, 9, 30), _at(TUE, 14), _at(WED, 9, 30), _at(THU, 14), _at(FRI, 9, 30)),
    "weekend": (_at(SAT, 11), _at(SAT, 15), _at(SUN, 11), _at(SUN, 16, 30), _at(WED, 14, 30)),
    "evening": (_at(TUE, 18, 30), _at(WED, 19), _at(THU, 18, 30), _at(THU, 20), _at(MON, 19)),
}

AUDIENCE_SLOTS: dict[str, str] = {
    "families": "families",
    "children": "children",
    "young-people": "young",
    "seniors": "seniors",
    "job-seekers": "workday",
    "newcomers": "workday",
    "parents": "evening",
    "employees": "evening",
    "disabled-people": "weekend",
}

DURATIONS: dict[str, tuple[int, ...]] = {
    "course": (90, 120),
    "online_course": (60, 90),
    "mentoring": (60,),
    "club": (90, 120, 150),
    "workshop": (90, 120, 180),
    "talk": (60, 90, 120),
    "guided_visit": (60, 90),
    "festival_event": (120, 180, 240),
    "volunteering": (120, 180, 240),
    "apprenticeship": (120,),
    "self_paced": (60,),
}


def slots_for(kind: str, audiences: tuple[str, ...], age_max: int) -> tuple[Slot, ...]:
    """The usual time slots for an offer: visits at weekends, toddlers in the morning, adults in the evening."""
    if kind in ("guided_visit", "festival_event"):
        return SLOTS["weekend"]
    if kind == "talk" and audiences[0] in ("adults", "parents"):
        return SLOTS["evening"]
    if age_max <= 3:
        return SLOTS["toddlers"]
    return SLOTS[AUDIENCE_SLOTS.get(audiences[0], "adults")]


class Clock:
    """Turns (day offset, minute of day) in local time into database values, caching each one."""

    def __init__(
        self,
        anchor: date,
        zone: ZoneInfo,
        adapt_datetime: Callable[[datetime], Any],
        adapt_date: Callable[[date], Any],
    ) -> None:
        self.anchor = anchor
        self.zone = zone
        self.anchor_weekday = anchor.weekday()
        self._adapt_datetime = adapt_datetime
        self._adapt_date = adapt_date
        self._moments: dict[tuple[int, int], Any] = {}
        self._spans: dict[tuple[int, int, int], tuple[Any, Any]] = {}
        self._dates: dict[int, Any] = {}

    def local(self, day: int, minute: int) -> datetime:
        """The aware datetime, in UTC, of a local wall-clock time."""
        day += minute // 1440
        minute %= 1440
        wall = datetime.combine(self.anchor + timedelta(days=day), time(minute // 60, minute % 60), self.zone)
        return wall.astimezone(UTC)

    def moment(self, day: int, minute: int) -> Any:
        """The database value of a local wall-clock time."""
        key = (day, minute)
        value = self._moments.get(key)
        if value is None:
            value = self._moments[key] = self._adapt_datetime(self.local(day, minute))
        return value

    def span(self, day: int, minute: int, duration: int) -> tuple[Any, Any]:
        """Database values of the start and end of something lasting `duration` minutes."""
        key = (day, minute, duration)
        value = self._spans.get(key)
        if value is None:
            value = self._spans[key] = (self.moment(day, minute), self.moment(day, minute + duration))
        return value

    def date(self, day: int) -> Any:
        """The database value of a date."""
        value = self._dates.get(day)
        if value is None:
            value = self._dates[day] = self._adapt_date(self.anchor + timedelta(days=day))
        return value

    def align(self, day: int, weekday: int) -> int:
        """The first day on or after `day` that falls on `weekday`."""
        return day + (weekday - self.anchor_weekday - day) % 7

    def weekday(self, day: int) -> int:
        """The weekday (Monday = 0) of a day offset."""
        return (self.anchor_weekday + day) % 7
