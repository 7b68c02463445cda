"""Writes of the festival: opening it, submitting events into its call, deciding on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from learningcity.catalogue import services as catalogue
from learningcity.catalogue.models import City, Opportunity, Organisation, Status
from learningcity.catalogue.permissions import is_staff_of
from learningcity.festival import permissions, selectors, tasks
from learningcity.festival.models import Festival, Submission, SubmissionStatus

FESTIVAL_FIELDS = (
    "name_fr", "name_en", "theme_fr", "theme_en", "starts_on", "ends_on", "call_opens_on", "call_closes_on",
)  # fmt: skip


@transaction.atomic
def festival_create(*, city: City, by: Any, fields: dict[str, Any]) -> Festival:
    """A coordinator opens a festival and its call for events in their city."""
    if not permissions.can_open_festival(by, city.pk):
        raise PermissionDenied(_("Only the city's coordinators open a festival."))
    festival = Festival(city=city, **_festival_fields(fields))
    festival.full_clean(exclude=["slug"])
    festival.slug = _free_slug(festival)
    festival.save()
    return festival


@transaction.atomic
def festival_update(*, festival: Festival, by: Any, fields: dict[str, Any]) -> Festival:
    """A coordinator changes the festival's names, theme or dates (its address stays)."""
    if not permissions.can_manage_festival(by, festival):
        raise PermissionDenied(_("Only the city's coordinators change this festival."))
    for name, value in _festival_fields(fields).items():
        setattr(festival, name, value)
    festival.full_clean()
    festival.save()
    return festival


def _festival_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(FESTIVAL_FIELDS)
    if unknown:
        raise ValueError(f"not festival fields: {sorted(unknown)}")
    return fields


def _free_slug(festival: Festival) -> str:
    """An address from the name and year that no other festival uses."""
    # Always ending with the year, it can never be "manage", which the coordinator's pages use.
    base = slugify(f"{festival.name_en or festival.name_fr} {festival.starts_on.year}")[:70].strip("-")
    slug, number = base, 1
    while Festival.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def submission_create(*, festival: Festival, opportunity_id: int | None, by: Any, note: str = "") -> Submission:
    """A provider submits one of their organisation's listings as an event of the festival.

    A draft goes to the city's review queue at the same time; accepting the event publishes it.
    """
    opportunity = _own_opportunity(festival, opportunity_id, by)
    _check_call_open(festival)
    _check_sessions_within(festival, opportunity)
    if Submission.objects.filter(festival=festival, opportunity=opportunity).exists():
        raise ValidationError({"opportunity": _("“%(title)s” is already submitted to this festival.") % {
            "title": opportunity.title}})  # fmt: skip
    if opportunity.status == Status.DRAFT:
        catalogue.opportunity_submit(opportunity=opportunity, by=by)
    return Submission.objects.create(festival=festival, opportunity=opportunity, submitted_by=by, note=note.strip())


@transaction.atomic
def submission_create_new(
    *,
    festival: Festival,
    organisation: Organisation,
    by: Any,
    fields: dict[str, Any],
    relations: dict[str, Any],
    start: datetime,
    end: datetime,
    note: str = "",
) -> Submission:
    """A provider describes a new event and submits it in one go: all of it is saved, or nothing."""
    if not permissions.can_submit_for(by, festival, organisation):
        raise PermissionDenied(_("Only staff of a verified organisation of the city submit events."))
    _check_call_open(festival)
    window_start, window_end = festival.window()
    if not window_start <= start < window_end:
        raise ValidationError({"start": _("Choose a day between %(first)s and %(last)s, the festival's dates.") % {
            "first": formats.date_format(festival.starts_on, "DATE_FORMAT"),
            "last": formats.date_format(festival.ends_on, "DATE_FORMAT"),
        }})  # fmt: skip
    opportunity = catalogue.opportunity_create(organisation=organisation, by=by, fields=fields, relations=relations)
    catalogue.session_schedule(opportunity=opportunity, by=by, first_start=start, first_end=end)
    return submission_create(festival=festival, opportunity_id=opportunity.pk, by=by, note=note)


def _own_opportunity(festival: Festival, opportunity_id: int | None, by: Any) -> Opportunity:
    """The listing, if this person may submit it; a field error saying why not otherwise."""
    opportunity = None
    if opportunity_id is not None:
        opportunity = Opportunity.objects.select_related("organisation").filter(pk=opportunity_id).first()
    if opportunity is None:
        raise ValidationError({"opportunity": _("Choose one of your organisation's opportunities.")})
    if not is_staff_of(by, opportunity.organisation):
        message = _("This opportunity belongs to another organisation: submit your own organisation's events.")
        raise ValidationError({"opportunity": message})
    if not permissions.can_submit_for(by, festival, opportunity.organisation):
        raise PermissionDenied(_("Only staff of a verified organisation of the city submit events."))
    if opportunity.status not in selectors.SUBMITTABLE_STATUSES:
        raise ValidationError({"opportunity": _("An archived opportunity cannot be submitted.")})
    return opportunity


def _check_call_open(festival: Festival) -> None:
    today = festival.today()
    if today < festival.call_opens_on:
        message = _("The call for events opens on %(day)s.")
        raise ValidationError(message % {"day": formats.date_format(festival.call_opens_on, "DATE_FORMAT")})
    if today > festival.call_closes_on:
        message = _("The call for events closed on %(day)s: no more events can be submitted.")
        raise ValidationError(message % {"day": formats.date_format(festival.call_closes_on, "DATE_FORMAT")})


def _check_sessions_within(festival: Festival, opportunity: Opportunity) -> None:
    if not selectors.sessions_within(festival, opportunity).exists():
        message = _(
            "None of the sessions of “%(title)s” takes place between %(first)s and %(last)s, the festival's dates."
        )
        raise ValidationError({"opportunity": message % {
            "title": opportunity.title,
            "first": formats.date_format(festival.starts_on, "DATE_FORMAT"),
            "last": formats.date_format(festival.ends_on, "DATE_FORMAT"),
        }})  # fmt: skip


@transaction.atomic
def submission_accept(*, submission: Submission, by: Any, message: str = "") -> Submission:
    """A coordinator accepts an event into the programme (publishing it if it was waiting for review)."""
    _check_decider(submission, by)
    opportunity = submission.opportunity
    if opportunity.status == Status.DRAFT:
        raise ValidationError(_("“%(title)s” went back to draft: its provider must submit it again first.") % {
            "title": opportunity.title})  # fmt: skip
    if opportunity.status == Status.ARCHIVED:
        raise ValidationError(
            _("“%(title)s” is archived: it cannot join the programme.") % {"title": opportunity.title}
        )
    if opportunity.status == Status.PENDING:
        catalogue.opportunity_publish(opportunity=opportunity, by=by)
    return _decide(submission, by, SubmissionStatus.ACCEPTED, message)


@transaction.atomic
def submission_decline(*, submission: Submission, by: Any, message: str) -> Submission:
    """A coordinator declines an event, telling the provider why."""
    _check_decider(submission, by)
    if not message.strip():
        raise ValidationError({"message": _("Tell the provider why the event is declined.")})
    return _decide(submission, by, SubmissionStatus.DECLINED, message)


def _check_decider(submission: Submission, by: Any) -> None:
    if not permissions.can_manage_festival(by, submission.festival):
        raise PermissionDenied(_("Only the city's coordinators decide on festival events."))
    if submission.status != SubmissionStatus.PENDING:
        raise ValidationError(
            _("A decision was already made on “%(title)s”.") % {"title": submission.opportunity.title}
        )


def _decide(submission: Submission, by: Any, status: str, message: str) -> Submission:
    submission.status = status
    submission.message = message.strip()
    submission.decided_by = by
    submission.decided_at = timezone.now()
    submission.save(update_fields=["status", "message", "decided_by", "decided_at"])
    # Enqueued after commit so the worker never reads a decision that was rolled back.
    transaction.on_commit(lambda: tasks.send_submission_decision.enqueue(submission.pk))
    return submission
