"""Writes of the pathway builder: who may build, the pathway's details, its steps, publication.

Coordinators build the city's pathways (no organisation) and provider staff their organisation's.
A draft may be incomplete; `problems` says what stops it from being published, and publishing
refuses while there is any. A published pathway's steps are locked (residents' progress is
counted on them): withdraw it from publication to change them. Publishing credits everyone whose
record already completes it (steps done before the pathway existed count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City, Opportunity, Organisation
from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.passport import pathways
from learningcity.passport.models import Achievement, Pathway, PathwayStep, StepKind, StepRule

MAX_STEPS = 100  # a pathway residents can read; the builder refuses more


# Who may build


def can_manage_pathway(user: Any, pathway: Pathway) -> bool:
    """The issuer's people: staff of its organisation, or the city's coordinators for a city pathway."""
    if pathway.organisation_id is not None:
        return is_staff_of(user, pathway.organisation_id)
    return is_coordinator_of(user, pathway.city_id)


def issuers_for(user: Any, city: City) -> list[Organisation | None]:
    """The issuers a person may build pathways for in `city`: None stands for the city itself."""
    if not user.is_authenticated:
        return []
    issuers: list[Organisation | None] = [None] if is_coordinator_of(user, city.pk) else []
    issuers.extend(Organisation.objects.filter(city=city, memberships__user=user).order_by("name", "id"))
    return issuers


def manageable_pathways(user: Any, city: City) -> list[Pathway]:
    """Every pathway of `city` the person may build, drafts included."""
    organisations = [issuer.pk for issuer in issuers_for(user, city) if issuer is not None]
    condition = Q(organisation_id__in=organisations)
    if is_coordinator_of(user, city.pk):
        condition |= Q(organisation__isnull=True)
    return list(Pathway.objects.filter(city=city).filter(condition).select_related("organisation"))


def _require(user: Any, pathway: Pathway) -> None:
    if not can_manage_pathway(user, pathway):
        raise PermissionDenied(_("Only the issuer's staff can change this pathway."))


def issuer_achievements(city: City, organisation: Organisation | None) -> Any:
    """Achievements an issuer may award on completion: its own, still active."""
    return Achievement.objects.filter(city=city, organisation=organisation, active=True)


# The pathway's details


@dataclass(frozen=True)
class PathwayDetails:
    """What the details form gives: names, goals, the rule and the completion achievement."""

    name_fr: str
    name_en: str
    goal_fr: str = ""
    goal_en: str = ""
    rule: str = StepRule.ALL
    required_count: int | None = None
    completion_achievement: Achievement | None = None


def _check_details(pathway: Pathway, details: PathwayDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.name_fr.strip() and not details.name_en.strip():
        errors["name_fr"] = _("Give the pathway a name, in French or in English.")
    errors.update(_rule_errors(details.rule, details.required_count))
    achievement = details.completion_achievement
    if achievement is not None:
        if achievement.city_id != pathway.city_id or achievement.organisation_id != pathway.organisation_id:
            errors["completion_achievement"] = _("Choose one of the issuer's own achievements.")
        elif not achievement.active:
            errors["completion_achievement"] = _("This achievement can no longer be awarded.")
        elif pathway.pk and pathway.steps.filter(achievement=achievement).exists():
            errors["completion_achievement"] = _("The achievement a pathway leads to cannot also be one of its steps.")
    return errors


def _rule_errors(rule: str, required_count: int | None) -> dict[str, str]:
    if rule not in StepRule.values:
        return {"rule": _("Choose how the steps combine.")}
    if rule == StepRule.N_OF_M and not required_count:
        return {"required_count": _("Say how many steps must be done.")}
    if required_count is not None and not 1 <= required_count <= MAX_STEPS:
        return {"required_count": _("Give a number from 1 to %(max)s.") % {"max": MAX_STEPS}}
    return {}


def _apply(pathway: Pathway, details: PathwayDetails) -> None:
    pathway.name_fr, pathway.name_en = details.name_fr.strip(), details.name_en.strip()
    pathway.goal_fr, pathway.goal_en = details.goal_fr.strip(), details.goal_en.strip()
    pathway.rule = details.rule
    pathway.required_count = details.required_count if details.rule == StepRule.N_OF_M else None
    pathway.completion_achievement = details.completion_achievement


@transaction.atomic
def pathway_create(*, city: City, organisation: Organisation | None, by: Any, details: PathwayDetails) -> Pathway:
    """A new draft pathway of the issuer."""
    if organisation not in issuers_for(by, city):
        raise PermissionDenied(_("You cannot build pathways for this issuer."))
    pathway = Pathway(city=city, organisation=organisation)
    errors = _check_details(pathway, details)
    if errors:
        raise ValidationError(errors)
    _apply(pathway, details)
    pathway.save()
    return pathway


@transaction.atomic
def pathway_update(*, pathway: Pathway, by: Any, details: PathwayDetails) -> int:
    """Change the details; on a published pathway, credit whoever now completes it (their number)."""
    _require(by, pathway)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    errors = _check_details(pathway, details)
    if errors:
        raise ValidationError(errors)
    _apply(pathway, details)
    if pathway.published:
        found = problems(pathway)
        if found:
            raise ValidationError({"required_count": found})
    pathway.save()
    return pathways.complete_for_everyone(pathway) if pathway.published else 0


# Steps


@dataclass(frozen=True)
class StepDetails:
    """A step to add: an achievement, a listing, or a group with its rule."""

    kind: str
    achievement: Achievement | None = None
    opportunity: Opportunity | None = None
    parent: PathwayStep | None = None
    title_fr: str = ""
    title_en: str = ""
    rule: str = StepRule.ALL
    required_count: int | None = None


def _check_step(pathway: Pathway, step: StepDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if step.parent is not None and (
        step.parent.pathway_id != pathway.pk or step.parent.kind != StepKind.GROUP or step.parent.parent_id is not None
    ):
        errors["parent"] = _("Choose one of this pathway's groups.")
    if step.kind == StepKind.ACHIEVEMENT:
        errors.update(_achievement_step_errors(pathway, step.achievement))
    elif step.kind == StepKind.OPPORTUNITY:
        errors.update(_listing_step_errors(pathway, step.opportunity))
    elif step.kind == StepKind.GROUP:
        if step.parent is not None:
            errors["parent"] = _("A group cannot be inside another group.")
        errors.update(_rule_errors(step.rule, step.required_count))
    else:
        errors["kind"] = _("Choose what kind of step to add.")
    if pathway.steps.count() >= MAX_STEPS:
        errors["kind"] = _("A pathway has at most %(max)s steps.") % {"max": MAX_STEPS}
    return errors


def _achievement_step_errors(pathway: Pathway, achievement: Achievement | None) -> dict[str, str]:
    if achievement is None or achievement.city_id != pathway.city_id:
        return {"achievement": _("Choose an achievement of the city.")}
    if not achievement.active:
        return {"achievement": _("This achievement can no longer be awarded.")}
    if pathway.steps.filter(achievement=achievement).exists():
        return {"achievement": _("This achievement is already a step of the pathway.")}
    if pathway.completion_achievement_id == achievement.pk:
        return {"achievement": _("The achievement a pathway leads to cannot also be one of its steps.")}
    return {}


def _listing_step_errors(pathway: Pathway, opportunity: Opportunity | None) -> dict[str, str]:
    if opportunity is None or opportunity.city_id != pathway.city_id or opportunity.status != "published":
        return {"opportunity": _("Choose a published listing of the city.")}
    if pathway.steps.filter(opportunity=opportunity).exists():
        return {"opportunity": _("This listing is already a step of the pathway.")}
    return {}


def _unlocked(by: Any, pathway: Pathway) -> Pathway:
    _require(by, pathway)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.published:
        raise ValidationError(_("Withdraw the pathway from publication before changing its steps."))
    return pathway


@transaction.atomic
def step_add(*, pathway: Pathway, by: Any, step: StepDetails) -> PathwayStep:
    """Add a step at the end of the pathway, or of one of its groups."""
    pathway = _unlocked(by, pathway)
    errors = _check_step(pathway, step)
    if errors:
        raise ValidationError(errors)
    siblings = pathway.steps.filter(parent=step.parent)
    last = max((position for position in siblings.values_list("position", flat=True)), default=-1)
    return PathwayStep.objects.create(
        pathway=pathway,
        parent=step.parent,
        position=last + 1,
        kind=step.kind,
        achievement=step.achievement if step.kind == StepKind.ACHIEVEMENT else None,
        opportunity=step.opportunity if step.kind == StepKind.OPPORTUNITY else None,
        title_fr=step.title_fr.strip() if step.kind == StepKind.GROUP else "",
        title_en=step.title_en.strip() if step.kind == StepKind.GROUP else "",
        rule=step.rule if step.kind == StepKind.GROUP else StepRule.ALL,
        required_count=step.required_count if step.kind == StepKind.GROUP and step.rule == StepRule.N_OF_M else None,
    )


@transaction.atomic
def step_move(*, step: PathwayStep, by: Any, direction: Literal["up", "down"]) -> None:
    """Swap a step with its neighbour among the steps of the same level."""
    _unlocked(by, step.pathway)
    siblings = list(PathwayStep.objects.filter(pathway_id=step.pathway_id, parent_id=step.parent_id))
    index = next(number for number, sibling in enumerate(siblings) if sibling.pk == step.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    PathwayStep.objects.bulk_update(siblings, ["position"])


@transaction.atomic
def step_remove(*, step: PathwayStep, by: Any) -> None:
    """Remove a step (a group with its steps)."""
    _unlocked(by, step.pathway)
    step.delete()


# Publication


def problems(pathway: Pathway) -> list[str]:
    """What stops the pathway from being published, in words for its builder (empty when ready)."""
    children_of: dict[int | None, list[PathwayStep]] = {}
    for step in pathway.steps.select_related("achievement", "opportunity"):
        children_of.setdefault(step.parent_id, []).append(step)
    top = children_of.get(None, [])
    found: list[str] = []
    if not top:
        found.append(_("Add at least one step."))
    elif pathway.rule == StepRule.N_OF_M and (pathway.required_count or 0) > len(top):
        found.append(
            _("The pathway asks for %(count)s steps but has only %(total)s.")
            % {"count": pathway.required_count, "total": len(top)}
        )
    for step in top:
        if step.kind != StepKind.GROUP:
            continue
        children = children_of.get(step.pk, [])
        name = step.title or _("without a title")
        if not children:
            found.append(_("The group “%(name)s” has no steps.") % {"name": name})
        elif step.rule == StepRule.N_OF_M and (step.required_count or 0) > len(children):
            found.append(
                _("The group “%(name)s” asks for %(count)s steps but has only %(total)s.")
                % {"name": name, "count": step.required_count, "total": len(children)}
            )
    return found


@transaction.atomic
def pathway_publish(*, pathway: Pathway, by: Any) -> int:
    """Publish the pathway and award its completion to everyone who already completes it (their number)."""
    _require(by, pathway)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    found = problems(pathway)
    if found:
        raise ValidationError(found)
    pathway.published = True
    pathway.save(update_fields=["published"])
    return pathways.complete_for_everyone(pathway)


@transaction.atomic
def pathway_withdraw(*, pathway: Pathway, by: Any) -> None:
    """Take the pathway off the public pages (awards already made stay)."""
    _require(by, pathway)
    Pathway.objects.filter(pk=pathway.pk).update(published=False)
