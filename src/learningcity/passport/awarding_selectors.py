"""Reads of awarding shared by the workspace, the achievement pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from learningcity.passport.awarding_permissions import managed_achievements, visible_achievements
from learningcity.passport.models import (
    Achievement,
    AchievementEndorsement,
    Award,
    AwardRequest,
    Pathway,
    RequestStatus,
)


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated count, so that two counts on one row do not multiply each other (as joins would)."""
    counted = queryset.filter(achievement=OuterRef("pk")).order_by().values("achievement").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def with_counts(achievements: QuerySet[Achievement]) -> QuerySet[Achievement]:
    """Achievements with `awards_current` (awards not revoked) and `requests_pending` (requests not answered)."""
    return achievements.annotate(
        awards_current=_count(Award.objects.filter(revoked_at__isnull=True)),
        requests_pending=_count(AwardRequest.objects.filter(status=RequestStatus.PENDING)),
    )


@dataclass(frozen=True)
class Workspace:
    achievements: list[Achievement]
    managed_ids: set[int]
    pending: list[AwardRequest]


def workspace(user: Any, *, limit: int = 500) -> Workspace:
    """What the issuer's workspace lists: achievements with counts, and the requests waiting for an answer."""
    managed = managed_achievements(user)
    managed_ids = set(managed.values_list("pk", flat=True))
    visible = with_counts(visible_achievements(user)).select_related("organisation", "city")
    pending = (
        AwardRequest.objects.filter(status=RequestStatus.PENDING, achievement_id__in=managed_ids)
        .select_related("achievement", "user")
        .order_by("created_at", "pk")
    )
    return Workspace(list(visible.order_by("organisation__name", "name_fr", "name_en", "pk")[:limit]), managed_ids,
                     list(pending[:limit]))  # fmt: skip


def awards_of(achievement: Achievement) -> QuerySet[Award]:
    """The achievement's awards for its issuer, newest first."""
    return achievement.awards.select_related("recipient", "family_member", "awarded_by").order_by("-awarded_at", "-pk")


def endorsements_of(achievement: Achievement) -> list[AchievementEndorsement]:
    return list(achievement.endorsements.select_related("organisation").order_by("created_at", "pk"))


def pathways_with(achievement: Achievement) -> list[Pathway]:
    """Published pathways in which the achievement is a step or the completion credential."""
    found = Pathway.objects.filter(published=True).filter(
        Q(steps__achievement=achievement) | Q(completion_achievement=achievement)
    )
    return list(found.distinct().order_by("name_fr", "name_en", "pk"))


def latest_request(achievement: Achievement, user: Any) -> AwardRequest | None:
    """The person's latest request for the achievement (to show its status), if any."""
    if not user.is_authenticated:
        return None
    return achievement.requests.filter(user=user, family_member__isnull=True).order_by("-created_at", "-pk").first()


def current_award(achievement: Achievement, user: Any) -> Award | None:
    if not user.is_authenticated:
        return None
    return achievement.awards.filter(recipient=user, family_member__isnull=True, revoked_at__isnull=True).first()
