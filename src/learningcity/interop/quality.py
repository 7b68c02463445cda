"""A data-quality score (0–100) for one listing, with an actionable hint for each thing missing.

Pure functions over an `Opportunity` whose venue, sessions and topics are already loaded (see
`curation_services.quality_queryset`): no query is made per listing, so a provider's whole
catalogue is scored in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue.models import MAX_AGE, Kind, Mode, Opportunity

# Kinds that run without dates: they need no session to come.
UNDATED_KINDS = frozenset({Kind.SELF_PACED, Kind.ONLINE_COURSE})
# A description this long (in its longer language) earns all its points; shorter ones earn a share.
GOOD_DESCRIPTION_CHARS = 200


@dataclass(frozen=True)
class Check:
    """One aspect of a listing's quality: its weight, the share of it earned, and the hint when short."""

    code: str
    weight: int
    earned: float  # 0.0 to 1.0
    hint: str

    @property
    def passed(self) -> bool:
        return self.earned >= 1.0


@dataclass(frozen=True)
class Quality:
    """A listing's score and the hints that would raise it, most valuable first."""

    score: int
    checks: tuple[Check, ...]

    @property
    def hints(self) -> list[str]:
        missing = sorted((check for check in self.checks if not check.passed), key=lambda c: -c.weight)
        return [check.hint for check in missing]

    @property
    def missing(self) -> list[str]:
        """Codes of the checks not passed (stable, for tests and filters)."""
        return [check.code for check in self.checks if not check.passed]


def stale_before(today: date, months: int | None = None) -> date:
    """Listings last verified before this day are stale (`LISTING_STALE_MONTHS` months ago)."""
    limit: date = today - relativedelta(months=months if months is not None else settings.LISTING_STALE_MONTHS)
    return limit


def is_stale(opportunity: Opportunity, today: date, months: int | None = None) -> bool:
    """Never verified, or verified before the stale limit."""
    return opportunity.last_verified is None or opportunity.last_verified < stale_before(today, months)


def _description(opportunity: Opportunity, now: datetime) -> float:
    longest = max(len(opportunity.description_fr.strip()), len(opportunity.description_en.strip()))
    return min(1.0, longest / GOOD_DESCRIPTION_CHARS)


def _ages(opportunity: Opportunity, now: datetime) -> float:
    return 0.0 if (opportunity.age_min, opportunity.age_max) == (0, MAX_AGE) else 1.0


def _accessibility(opportunity: Opportunity, now: datetime) -> float:
    if opportunity.mode == Mode.ONLINE:
        return 1.0
    venue = opportunity.venue
    return 1.0 if venue is not None and venue.accessibility_features() else 0.0


def _cost(opportunity: Opportunity, now: datetime) -> float:
    return 1.0 if opportunity.is_free or opportunity.price is not None else 0.0


def _coordinates(opportunity: Opportunity, now: datetime) -> float:
    if opportunity.mode == Mode.ONLINE:
        return 1.0
    venue = opportunity.venue
    if venue is None or venue.latitude is None or venue.longitude is None:
        return 0.0
    # (0, 0) is where a missing position lands when a source writes zeros: in the ocean, not in a city.
    return 0.0 if (venue.latitude, venue.longitude) == (0.0, 0.0) else 1.0


def _future_sessions(opportunity: Opportunity, now: datetime) -> float:
    if opportunity.kind in UNDATED_KINDS:
        return 1.0
    return 1.0 if any(session.end >= now for session in opportunity.sessions.all()) else 0.0


def _topics(opportunity: Opportunity, now: datetime) -> float:
    return 1.0 if opportunity.topics.all() else 0.0


def _verified(opportunity: Opportunity, now: datetime) -> float:
    return 0.0 if is_stale(opportunity, timezone.localdate(now)) else 1.0


Measure = Callable[[Opportunity, datetime], float]


def _rules() -> list[tuple[str, int, Measure, str]]:
    """(code, weight, measure, hint) for every check; weights add up to 100. Hints in the active language."""
    return [
        ("description", 20, _description,
         _("Describe what people will learn and do (at least %(count)d characters).")
         % {"count": GOOD_DESCRIPTION_CHARS}),
        ("ages", 15, _ages, _("Add the ages it is meant for.")),
        ("accessibility", 15, _accessibility,
         _("Say how accessible the venue is (step-free access, accessible toilets, hearing loop…).")),
        ("sessions", 15, _future_sessions, _("Add the coming sessions, or archive the listing if it no longer runs.")),
        ("cost", 10, _cost, _("Say whether it is free, or give its price.")),
        ("coordinates", 10, _coordinates, _("Place the venue on the map (latitude and longitude).")),
        ("verified", 10, _verified, _("Confirm that the listing is still accurate.")),
        ("topics", 5, _topics, _("Choose the topics it covers.")),
    ]  # fmt: skip


def opportunity_quality(opportunity: Opportunity, *, now: datetime | None = None) -> Quality:
    """Score one listing (venue, sessions and topics loaded) and list what would improve it."""
    moment = now or timezone.now()
    checks = tuple(
        Check(code=code, weight=weight, earned=measure(opportunity, moment), hint=hint)
        for code, weight, measure, hint in _rules()
    )
    score = round(sum(check.weight * check.earned for check in checks))
    return Quality(score=score, checks=checks)
