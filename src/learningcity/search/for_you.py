"""Personal suggestions ("for you"), each with its reason, computed from the person's own record only.

What is read: the person's own registrations (what they attended, what they are already registered
for), their district and their year of birth. Nothing about anyone else is read, nothing is stored,
and the page shows nothing until the person turns suggestions on (`SearchPreference`). The
accounts app records no family members, so there is no "for your child's age" reason yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City, Opportunity
from learningcity.enrolment.models import Registration, RegistrationStatus

LIMIT = 10
ATTENDED_CONSIDERED = 20
# "For your age" only for what is meant for an age group, not for what admits almost everyone.
AGE_GROUP_SPAN = 60


@dataclass(frozen=True)
class Suggestion:
    """An opportunity and why it is suggested, in words the person reads."""

    opportunity: Opportunity
    reason: str


def candidates(*, user: Any, city: City, now: datetime) -> QuerySet[Opportunity]:
    """Published opportunities of the city with a session to come, not registered for, open to the person's age."""
    registered = Registration.objects.filter(user_id=user.pk).exclude(status=RegistrationStatus.CANCELLED)
    queryset = (
        Opportunity.objects.published()
        .filter(city=city)
        .exclude(pk__in=registered.values("session__opportunity_id"))
        .annotate(next_start=Min("sessions__start", filter=Q(sessions__start__gte=now)))
        .filter(next_start__isnull=False)
    )
    ages = possible_ages(user, now)
    if ages is not None:
        queryset = queryset.filter(age_min__lte=ages[0], age_max__gte=ages[1])
    return queryset.order_by("next_start", "pk")


def possible_ages(user: Any, now: datetime) -> tuple[int, int] | None:
    """The person's age this year, known to a year (only the year of birth is recorded)."""
    if not user.year_of_birth:
        return None
    year = timezone.localtime(now).year
    return max(0, year - user.year_of_birth - 1), year - user.year_of_birth


def suggestions_for(*, user: Any, city: City, now: datetime | None = None, limit: int = LIMIT) -> list[Suggestion]:
    """Up to `limit` suggestions: like what they attended first, then near their district, then for their age."""
    now = now or timezone.now()
    pool = candidates(user=user, city=city, now=now)
    chosen: dict[int, str] = {}
    for reasons in (_attended(user, pool), _district(user, pool, limit), _age(user, pool, now, limit)):
        for pk, reason in reasons:
            if len(chosen) < limit:
                chosen.setdefault(pk, reason)
    found = pool.filter(pk__in=chosen).select_related("organisation", "venue", "venue__district").in_bulk()
    return [Suggestion(found[pk], reason) for pk, reason in chosen.items() if pk in found]


def _attended(user: Any, pool: QuerySet[Opportunity]) -> list[tuple[int, str]]:
    """Opportunities sharing a topic with one the person attended (the most recent attended one named)."""
    attended: dict[int, str] = {}
    for opportunity in (
        Opportunity.objects.filter(sessions__registrations__user_id=user.pk, sessions__registrations__attended=True)
        .annotate(last=Max("sessions__start"))
        .order_by("-last")[: ATTENDED_CONSIDERED * 2]
    ):
        if len(attended) < ATTENDED_CONSIDERED:
            attended.setdefault(opportunity.pk, opportunity.title)
    if not attended:
        return []
    through = Opportunity.topics.through
    topics_of: dict[int, list[int]] = {}
    for opportunity_id, topic_id in through.objects.filter(opportunity_id__in=attended).values_list(
        "opportunity_id", "topic_id"
    ):
        topics_of.setdefault(topic_id, []).append(opportunity_id)
    rows = (
        pool.filter(topics__in=list(topics_of))
        .exclude(pk__in=list(attended))
        .values_list("pk", "topics")
        .order_by("next_start", "pk")
    )
    reasons: list[tuple[int, str]] = []
    for pk, topic_id in rows:
        source = min(topics_of.get(topic_id, []), key=list(attended).index, default=None)
        if source is not None and all(pk != seen for seen, _reason in reasons):
            reasons.append((pk, _("Because you attended “%(title)s”") % {"title": attended[source]}))
    return reasons


def _district(user: Any, pool: QuerySet[Opportunity], limit: int) -> list[tuple[int, str]]:
    if user.district_id is None:
        return []
    reason = _("Near your district, %(district)s") % {"district": user.district.name}
    return [
        (pk, reason) for pk in pool.filter(venue__district_id=user.district_id).values_list("pk", flat=True)[:limit]
    ]


def _age(user: Any, pool: QuerySet[Opportunity], now: datetime, limit: int) -> list[tuple[int, str]]:
    """Opportunities meant for an age group that includes the person (a span of at most 60 years)."""
    if possible_ages(user, now) is None:
        return []
    targeted = pool.filter(age_max__lte=F("age_min") + AGE_GROUP_SPAN)
    return [(pk, _("For your age")) for pk in targeted.values_list("pk", flat=True)[:limit]]
