"""Who may define, award, revoke and endorse achievements, and rotate an issuer's key.

An issuer is an organisation (its staff manage its achievements) or the city itself (its
coordinators manage the city's own achievements). Coordinators see every achievement of their
city, but only manage the city's own: a provider's achievements are the provider's word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from learningcity.catalogue.models import City, Organisation
from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.passport import documents
from learningcity.passport.models import Achievement, AwardRequest


@dataclass(frozen=True)
class Issuer:
    """Who issues credentials: an organisation, or the city when `organisation` is None."""

    city: City
    organisation: Organisation | None = None

    @property
    def key(self) -> str:
        """A short text that names the issuer in a URL or a form: `o12` or `c3`."""
        return f"o{self.organisation.pk}" if self.organisation else f"c{self.city.pk}"

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation else self.city.name

    @property
    def did(self) -> str:
        return documents.issuer_did(self.city, self.organisation)


def issuer_of(achievement: Achievement) -> Issuer:
    return Issuer(achievement.city, achievement.organisation)


def can_manage_issuer(user: Any, issuer: Issuer) -> bool:
    """Staff of the organisation; coordinators of the city for the city's own achievements and key."""
    if issuer.organisation is not None:
        return is_staff_of(user, issuer.organisation)
    return is_coordinator_of(user, issuer.city.pk)


def can_manage(user: Any, achievement: Achievement) -> bool:
    """May edit, award and revoke this achievement, and decide on requests for it."""
    if achievement.organisation_id is not None:
        return is_staff_of(user, achievement.organisation_id)
    return is_coordinator_of(user, achievement.city_id)


def issuers_of(user: Any) -> list[Issuer]:
    """Every issuer the person manages: their organisations, then the cities they coordinate."""
    if not user.is_authenticated:
        return []
    organisations = Organisation.objects.filter(memberships__user=user).select_related("city").order_by("name")
    cities = City.objects.order_by("name") if user.is_superuser else user.coordinated_cities.order_by("name")
    return [Issuer(o.city, o) for o in organisations] + [Issuer(city) for city in cities]


def issuer_from_key(user: Any, key: str) -> Issuer | None:
    """The issuer named by `key` (see `Issuer.key`) if the person manages it."""
    return next((issuer for issuer in issuers_of(user) if issuer.key == key), None)


def visible_achievements(user: Any) -> QuerySet[Achievement]:
    """Achievements shown in the workspace: the person's organisations', and all of the cities they coordinate."""
    if not user.is_authenticated:
        return Achievement.objects.none()
    if user.is_superuser:
        return Achievement.objects.all()
    city_ids = list(user.coordinated_cities.values_list("pk", flat=True))
    return Achievement.objects.filter(Q(organisation__memberships__user=user) | Q(city_id__in=city_ids)).distinct()


def managed_achievements(user: Any) -> QuerySet[Achievement]:
    """Achievements the person manages (the workspace's pending requests come from these)."""
    if not user.is_authenticated:
        return Achievement.objects.none()
    own_city = Q(organisation__isnull=True)
    if not user.is_superuser:
        own_city &= Q(city_id__in=list(user.coordinated_cities.values_list("pk", flat=True)))
    return Achievement.objects.filter(Q(organisation__memberships__user=user) | own_city).distinct()


def endorsing_organisations(user: Any, achievement: Achievement) -> list[Organisation]:
    """The person's organisations that could endorse the achievement (any but its issuer)."""
    if not user.is_authenticated:
        return []
    organisations = Organisation.objects.filter(memberships__user=user).order_by("name")
    if achievement.organisation_id is not None:
        organisations = organisations.exclude(pk=achievement.organisation_id)
    return list(organisations)


def can_see_request(user: Any, request: AwardRequest) -> bool:
    """The person who asked, and whoever manages the achievement."""
    return bool(user.is_authenticated and (request.user_id == user.pk or can_manage(user, request.achievement)))
