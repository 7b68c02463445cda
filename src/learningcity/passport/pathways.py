"""Pathways: progress over a tree of steps (AND, OR, "n of m"), completion awards, suggestions.

Progress counts everything the record holds, whenever it was earned: steps done before the pathway
existed count too. A step is done when the holder has a current award of its achievement (neither
revoked nor expired) or attended a session of its listing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from learningcity.passport.models import (
    Award,
    AwardMethod,
    Pathway,
    PathwayStep,
    StepKind,
    StepRule,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holdings:
    """What a holder's record holds, for progress: achievement ids of current awards, attended listing ids."""

    achievements: frozenset[int]
    opportunities: frozenset[int]


@dataclass
class StepProgress:
    step: PathwayStep
    done: bool
    needed: int = 1
    done_count: int = 0
    children: list[StepProgress] = field(default_factory=list)


@dataclass
class PathwayProgress:
    pathway: Pathway
    steps: list[StepProgress]
    needed: int
    done_count: int

    @property
    def complete(self) -> bool:
        return self.done_count >= self.needed

    @property
    def percent(self) -> int:
        return 100 if self.needed == 0 else min(100, round(100 * self.done_count / self.needed))


def holdings(user_id: int | None, family_member_id: int | None = None) -> Holdings:
    """What the person holds now."""
    from learningcity.enrolment.models import Registration

    now = timezone.now()
    awards = Award.objects.filter(revoked_at__isnull=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    registrations = Registration.objects.filter(attended=True)
    if family_member_id is not None:
        awards = awards.filter(family_member_id=family_member_id)
        registrations = registrations.filter(family_member_id=family_member_id)
    else:
        assert user_id is not None
        awards = awards.filter(recipient_id=user_id, family_member__isnull=True)
        registrations = registrations.filter(user_id=user_id, family_member__isnull=True, group_name="")
    return Holdings(
        achievements=frozenset(awards.values_list("achievement_id", flat=True)),
        opportunities=frozenset(registrations.values_list("session__opportunity_id", flat=True)),
    )


def needed_for(rule: str, required_count: int | None, total: int) -> int:
    """How many of `total` parts a rule asks for; with no parts, one (nothing empty is ever complete)."""
    if total == 0:
        return 1
    if rule == StepRule.ANY:
        return min(1, total)
    if rule == StepRule.N_OF_M:
        return max(0, min(required_count or total, total))
    return total


def _evaluate(step: PathwayStep, children_of: dict[int | None, list[PathwayStep]], held: Holdings) -> StepProgress:
    if step.kind == StepKind.ACHIEVEMENT:
        return StepProgress(step, step.achievement_id in held.achievements)
    if step.kind == StepKind.OPPORTUNITY:
        return StepProgress(step, step.opportunity_id in held.opportunities)
    children = [_evaluate(child, children_of, held) for child in children_of.get(step.pk, [])]
    needed = needed_for(step.rule, step.required_count, len(children))
    done_count = sum(1 for child in children if child.done)
    return StepProgress(step, done_count >= needed, needed, done_count, children)


def _tree(pathway: Pathway) -> dict[int | None, list[PathwayStep]]:
    children_of: dict[int | None, list[PathwayStep]] = {}
    steps = pathway.steps.select_related("achievement", "opportunity").order_by("position", "id")
    for step in steps:
        children_of.setdefault(step.parent_id, []).append(step)
    return children_of


def progress(pathway: Pathway, held: Holdings) -> PathwayProgress:
    """The pathway's progress for what is held."""
    children_of = _tree(pathway)
    top = [_evaluate(step, children_of, held) for step in children_of.get(None, [])]
    needed = needed_for(pathway.rule, pathway.required_count, len(top))
    return PathwayProgress(pathway, top, needed, sum(1 for item in top if item.done))


def suggestions(city_id: int, held: Holdings, *, limit: int = 5) -> list[PathwayProgress]:
    """Published pathways the record has started but not completed, the most advanced first."""
    candidates = Pathway.objects.filter(city_id=city_id, published=True).filter(
        Q(steps__achievement_id__in=held.achievements) | Q(steps__opportunity_id__in=held.opportunities)
    )
    found = [progress(pathway, held) for pathway in candidates.distinct()]
    started = [item for item in found if not item.complete and (item.done_count > 0 or _partly(item))]
    return sorted(started, key=lambda item: (-item.percent, item.pathway.name))[:limit]


def _partly(item: PathwayProgress) -> bool:
    return any(step.done_count > 0 for step in item.steps)


def complete_for(user_id: int | None, family_member_id: int | None, pathways: Iterable[Pathway]) -> list[Award]:
    """Award the completion achievement of every given pathway the person has now completed."""
    from learningcity.accounts.models import FamilyMember, User
    from learningcity.passport import services

    held = holdings(user_id, family_member_id)
    made: list[Award] = []
    for pathway in pathways:
        achievement = pathway.completion_achievement
        if achievement is None or not achievement.active or achievement.pk in held.achievements:
            continue
        if not progress(pathway, held).complete:
            continue
        if family_member_id is not None:
            holder = services.Holder(family_member=FamilyMember.objects.get(pk=family_member_id))
        else:
            assert user_id is not None
            holder = services.Holder(user=User.objects.get(pk=user_id))
        try:
            made.extend(
                services.award_many(achievement, [holder], by=None, method=AwardMethod.PATHWAY, skip_holders_of=True)
            )
        except services.AwardError as error:
            logger.info("Pathway %s not awarded: %s", pathway.pk, error)
    return made


def after_awards(award_ids: list[int]) -> None:
    """After awards are committed: complete the pathways their holders may now have finished."""
    awarded = Award.objects.filter(pk__in=award_ids)
    pathways = list(
        Pathway.objects.filter(
            published=True,
            completion_achievement__isnull=False,
            steps__achievement_id__in=awarded.values("achievement_id"),
        )
        .distinct()
        .select_related("completion_achievement")
    )
    if not pathways:  # the usual case: none of these achievements is a step of a pathway
        return
    rows = set(awarded.values_list("recipient_id", "family_member_id", "achievement__city_id"))
    for user_id, family_member_id, city_id in rows:
        of_city = [pathway for pathway in pathways if pathway.city_id == city_id]
        complete_for(None if family_member_id else user_id, family_member_id, of_city)


def after_attendance(user_id: int | None, family_member_id: int | None, city_id: int) -> list[Award]:
    pathways = Pathway.objects.filter(
        city_id=city_id, published=True, completion_achievement__isnull=False, steps__kind=StepKind.OPPORTUNITY
    ).distinct()
    return complete_for(user_id, family_member_id, pathways.select_related("completion_achievement"))


def complete_for_everyone(pathway: Pathway) -> int:
    """Award the completion achievement to everyone who already completes a (newly published) pathway.

    Everyone means holders of its achievements and people who attended its listings.
    """
    from learningcity.enrolment.models import Registration

    if pathway.completion_achievement_id is None:
        return 0
    steps = pathway.steps.all()
    achievement_ids = steps.exclude(achievement__isnull=True).values("achievement_id")
    listing_ids = steps.exclude(opportunity__isnull=True).values("opportunity_id")
    people = set(
        Award.objects.filter(achievement_id__in=achievement_ids, revoked_at__isnull=True).values_list(
            "recipient_id", "family_member_id"
        )
    ) | set(
        Registration.objects.filter(session__opportunity_id__in=listing_ids, attended=True, group_name="").values_list(
            "user_id", "family_member_id"
        )
    )
    count = 0
    for user_id, family_member_id in people:
        count += len(complete_for(None if family_member_id else user_id, family_member_id, [pathway]))
    return count
