"""Writes to the catalogue: creating, scheduling and moving listings through review."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue import permissions, tasks
from learningcity.catalogue.models import Opportunity, Organisation, Session, Status

MAX_SESSIONS_PER_SCHEDULE = 366


@transaction.atomic
def opportunity_create(
    *, organisation: Organisation, by: Any, fields: dict[str, Any], relations: dict[str, Any]
) -> Opportunity:
    """A provider creates a draft listing for their organisation."""
    if not permissions.is_staff_of(by, organisation):
        raise PermissionDenied(_("You do not work for this organisation."))
    now = timezone.now()
    opportunity = Opportunity(
        organisation=organisation,
        city_id=organisation.city_id,
        status=Status.DRAFT,
        created_at=now,
        updated_at=now,
        last_verified=timezone.localdate(),
        **fields,
    )
    opportunity.full_clean()
    opportunity.save()
    _set_relations(opportunity, relations)
    return opportunity


@transaction.atomic
def opportunity_update(
    *, opportunity: Opportunity, by: Any, fields: dict[str, Any], relations: dict[str, Any]
) -> Opportunity:
    """A provider edits their listing; saving confirms it is still accurate."""
    if not permissions.can_edit_opportunity(by, opportunity):
        raise PermissionDenied(_("You cannot edit this opportunity."))
    for name, value in fields.items():
        setattr(opportunity, name, value)
    opportunity.updated_at = timezone.now()
    opportunity.last_verified = timezone.localdate()
    opportunity.full_clean()
    opportunity.save()
    _set_relations(opportunity, relations)
    return opportunity


def _set_relations(opportunity: Opportunity, relations: dict[str, Any]) -> None:
    for name, values in relations.items():
        getattr(opportunity, name).set(values)


def _transition(
    opportunity: Opportunity, *, allowed_from: set[str], to: str, note: str = "", notify: bool = True
) -> Opportunity:
    if opportunity.status not in allowed_from:
        raise ValidationError(
            _("Status “%(status)s” cannot change to “%(target)s”.")
            % {"status": opportunity.get_status_display(), "target": Status(to).label}
        )
    opportunity.status = to
    opportunity.review_note = note
    opportunity.updated_at = timezone.now()
    if to == Status.PUBLISHED:
        opportunity.published_at = opportunity.updated_at
    opportunity.save(update_fields=["status", "review_note", "updated_at", "published_at"])
    if notify:
        # Enqueued after commit so the worker never reads a decision that was rolled back.
        transaction.on_commit(lambda: tasks.send_review_outcome.enqueue(opportunity.pk))
    return opportunity


@transaction.atomic
def opportunity_submit(*, opportunity: Opportunity, by: Any) -> Opportunity:
    """A provider sends a draft to the city for review."""
    if not permissions.can_edit_opportunity(by, opportunity):
        raise PermissionDenied(_("You cannot submit this opportunity."))
    if not opportunity.sessions.exists() and opportunity.kind not in {"self_paced", "online_course"}:
        raise ValidationError(_("Add at least one session before submitting."))
    return _transition(opportunity, allowed_from={Status.DRAFT}, to=Status.PENDING, notify=False)


@transaction.atomic
def opportunity_publish(*, opportunity: Opportunity, by: Any) -> Opportunity:
    """A coordinator publishes a listing that was submitted."""
    if not permissions.can_review_opportunity(by, opportunity):
        raise PermissionDenied(_("Only the city's coordinators publish."))
    return _transition(opportunity, allowed_from={Status.PENDING, Status.ARCHIVED}, to=Status.PUBLISHED)


@transaction.atomic
def opportunity_return(*, opportunity: Opportunity, by: Any, note: str) -> Opportunity:
    """A coordinator sends a submitted listing back to its provider with a note."""
    if not permissions.can_review_opportunity(by, opportunity):
        raise PermissionDenied(_("Only the city's coordinators review."))
    if not note.strip():
        raise ValidationError(_("Tell the provider what to change."))
    return _transition(opportunity, allowed_from={Status.PENDING}, to=Status.DRAFT, note=note.strip())


@transaction.atomic
def opportunity_archive(*, opportunity: Opportunity, by: Any) -> Opportunity:
    """A coordinator withdraws a listing from the public catalogue."""
    if not permissions.can_review_opportunity(by, opportunity):
        raise PermissionDenied(_("Only the city's coordinators archive."))
    return _transition(opportunity, allowed_from={Status.DRAFT, Status.PENDING, Status.PUBLISHED}, to=Status.ARCHIVED)


def expand_schedule(
    *, first_start: datetime, duration: timedelta, recurrence_rule: str, time_zone: str
) -> list[tuple[datetime, datetime]]:
    """The (start, end) pairs of an RFC 5545 RRULE, in wall-clock time of `time_zone`.

    Expanding in local time keeps a 18:00 class at 18:00 across a daylight-saving change.
    """
    zone = ZoneInfo(time_zone)
    local_start = first_start.astimezone(zone).replace(tzinfo=None)
    if not recurrence_rule:
        starts = [local_start]
    else:
        rule_text = recurrence_rule.strip()
        if rule_text.upper().startswith("RRULE:"):
            rule_text = rule_text[6:]
        if "COUNT=" not in rule_text.upper() and "UNTIL=" not in rule_text.upper():
            raise ValidationError(_("A repeating schedule needs an end: COUNT or UNTIL."))
        try:
            rule = rrulestr(rule_text, dtstart=local_start, ignoretz=True)
        except (ValueError, TypeError) as error:
            raise ValidationError(_("This recurrence rule is not valid: %(error)s") % {"error": error}) from error
        starts = []
        for occurrence in rule:
            starts.append(occurrence)
            if len(starts) > MAX_SESSIONS_PER_SCHEDULE:
                raise ValidationError(
                    _("A schedule may hold at most %(limit)d sessions.") % {"limit": MAX_SESSIONS_PER_SCHEDULE}
                )
    return [(start.replace(tzinfo=zone), (start + duration).replace(tzinfo=zone)) for start in starts]


@transaction.atomic
def session_schedule(
    *,
    opportunity: Opportunity,
    by: Any,
    first_start: datetime,
    first_end: datetime,
    recurrence_rule: str = "",
    capacity: int | None = None,
) -> list[Session]:
    """A provider adds one session, or a recurring series expanded from an RRULE."""
    if not permissions.can_edit_opportunity(by, opportunity):
        raise PermissionDenied(_("You cannot schedule this opportunity."))
    if first_end <= first_start:
        raise ValidationError({"end": _("The end must be after the start.")})
    time_zone = opportunity.city.time_zone
    pairs = expand_schedule(
        first_start=first_start,
        duration=first_end - first_start,
        recurrence_rule=recurrence_rule,
        time_zone=time_zone,
    )
    series_key = str(uuid.uuid4()) if len(pairs) > 1 else ""
    sessions = [
        Session(
            opportunity=opportunity,
            start=start,
            end=end,
            time_zone=time_zone,
            capacity=capacity,
            recurrence_rule=recurrence_rule.strip(),
            series_key=series_key,
        )
        for start, end in pairs
    ]
    return Session.objects.bulk_create(sessions)
