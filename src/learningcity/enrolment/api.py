"""Enrolment endpoints: register, cancel, confirm an offered place, list my registrations; rosters for staff.

Logged-in people only, by Django's session cookie; writes need the CSRF token in an `X-CSRFToken`
header (as django-ninja's session authentication checks it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.params import functions as param
from pydantic import Field

from learningcity.accounts.models import ApiScope, ApiToken, FamilyMember
from learningcity.accounts.token_auth import client_auth
from learningcity.catalogue.api import PageParams, paginate, text
from learningcity.catalogue.models import Organisation, Session
from learningcity.catalogue.permissions import can_view_opportunity
from learningcity.catalogue.schemas import ErrorSchema, LocalizedTextSchema, PageSchema
from learningcity.enrolment import permissions, selectors, services
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.enrolment.services import MAX_GROUP_PLACES
from learningcity.privacy import audit

router = Router(tags=["enrolment"], auth=client_auth(ApiScope.REGISTRATIONS_WRITE))  # a token, or the session
ERRORS: dict[int, Any] = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema}
StatusName = Literal["confirmed", "waitlisted", "offered", "cancelled"]
# Names of the service's fields as the client knows them.
API_FIELDS = {"family_member": "family_member_id", "group_organisation": "group_organisation_id"}


class RegistrationSchema(Schema):
    """A registration as its owner sees it."""

    id: int
    session_id: int
    session_ids: list[int] = Field(description="Every session of the booking (several for a series)")
    opportunity_id: int
    title: LocalizedTextSchema
    start: datetime
    end: datetime
    participant: str = Field(description="Who comes: you, your family member, or the group")
    family_member_id: int | None
    group_name: str
    places: int
    status: StatusName
    waitlist_position: int | None = Field(description="1 for the first person waiting; null unless waitlisted")
    offer_expires_at: datetime | None = Field(description="When a place offered from the waitlist must be confirmed")
    cancellation_reason: str = Field(description="participant, session or offer_expired; empty unless cancelled")
    attended: bool | None


class RegistrationOutcomeSchema(RegistrationSchema):
    """The registration a request made, or found when it already existed."""

    created: bool = Field(description="False when this participant was already registered (nothing changed)")


class RosterEntrySchema(Schema):
    """One line of a session's roster."""

    id: int
    participant: str
    booked_by: str
    email: str
    group_organisation: str
    places: int
    status: StatusName
    waitlist_position: int | None
    offer_expires_at: datetime | None
    attended: bool | None


class RosterSchema(Schema):
    """Who is registered, offered a place and waiting at a session."""

    session_id: int
    opportunity_id: int
    start: datetime
    capacity: int | None = Field(description="Null: no limit")
    taken: int = Field(description="Places confirmed or held for an offer")
    present: int
    cancelled: bool
    confirmed: list[RosterEntrySchema]
    offered: list[RosterEntrySchema]
    waitlisted: list[RosterEntrySchema]


class MineParams(Schema):
    """Filters of my registrations."""

    status: StatusName | None = None


def registration_data(registration: Registration, *, position: int | None = None) -> dict[str, Any]:
    """A registration as the API shows it."""
    session = registration.session
    opportunity = session.opportunity
    waiting = registration.status == RegistrationStatus.WAITLISTED
    offered = registration.status == RegistrationStatus.OFFERED
    return {
        "id": registration.pk, "session_id": session.pk, "session_ids": _booking_sessions(registration),
        "opportunity_id": opportunity.pk, "title": text(opportunity.title_fr, opportunity.title_en),
        "start": session.start, "end": session.end, "participant": registration.participant_name,
        "family_member_id": registration.family_member_id, "group_name": registration.group_name,
        "places": registration.places, "status": registration.status,
        "waitlist_position": (position or selectors.waitlist_position(registration)) if waiting else None,
        "offer_expires_at": registration.offer_expires_at if offered else None,
        "cancellation_reason": registration.cancellation_reason, "attended": registration.attended,
    }  # fmt: skip


def _booking_sessions(registration: Registration) -> list[int]:
    if registration.booking_key is None:
        return [registration.session_id]
    rows = Registration.objects.filter(booking_key=registration.booking_key).order_by("session__start", "session_id")
    return list(rows.values_list("session_id", flat=True))


def _refusal(request: HttpRequest, refusal: services.RegistrationError) -> HttpResponse:
    from learningcity.api import error_response  # the API module imports this router

    return error_response(request, status=refusal.status, code=refusal.code, message=refusal.message)


def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    from learningcity.api import validation_error_response  # the API module imports this router

    return validation_error_response(request, error, API_FIELDS)


def _token_organisation(request: HttpRequest) -> int | None:
    """The organisation an API token acts for, if it is bound to one (None: a session or a personal token).

    Such a token books and manages group places for that organisation only: never its owner's own
    registrations or family, nor groups of the owner's other organisations.
    """
    auth = getattr(request, "auth", None)
    return auth.organisation_id if isinstance(auth, ApiToken) else None


def _mine(request: HttpRequest) -> QuerySet[Registration]:
    """The registrations this caller may see and manage through the API."""
    mine = Registration.objects.filter(user=request.user)  # type: ignore[misc]  # an account: the routes need one
    organisation_id = _token_organisation(request)
    return mine if organisation_id is None else mine.filter(group_organisation_id=organisation_id)


def _own(request: HttpRequest, registration_id: int) -> Registration:
    return get_object_or_404(
        _mine(request).select_related("session__opportunity", "family_member", "user"), pk=registration_id
    )


@router.post(
    "/registrations",
    response={200: RegistrationOutcomeSchema, 201: RegistrationOutcomeSchema, **ERRORS},
    summary="Register for a session",
)
def register(
    request: HttpRequest,
    session_id: int = param.Body(
        ..., ge=1, description="The session; for a course booked as one series, any of its sessions"
    ),
    family_member_id: int | None = param.Body(
        None, ge=1, description="One of your family members (see the account pages)"
    ),
    group_name: str = param.Body("", max_length=200, description="For a group booking: the group's name"),
    group_organisation_id: int | None = param.Body(
        None, ge=1, description="For a group booking: the organisation you book for"
    ),
    places: int = param.Body(1, ge=1, le=MAX_GROUP_PLACES, description="Places: more than 1 only for a group"),
) -> Any:
    """Register yourself, a family member or a group: 201 when confirmed or waitlisted, 200 when already registered.

    A full session puts the registration on its waitlist (status `waitlisted`, with its position).
    Register yourself (default), a family member (`family_member_id`) or a named group (`group_name`,
    `group_organisation_id`, `places`). Refusals say why: `email_not_verified` (403); 409 with
    `started`, `closed`, `not_open_yet`, `session_cancelled`, `no_registration`, `not_published`,
    `too_young` or `too_old`. Body fields are validated by name (400 names the field).
    """
    session = get_object_or_404(Session.objects.select_related("opportunity"), pk=session_id)
    if not can_view_opportunity(request.user, session.opportunity):
        raise Http404
    token_organisation = _token_organisation(request)
    if token_organisation is not None and (family_member_id is not None or group_organisation_id != token_organisation):
        raise PermissionDenied(
            "This token acts for one organisation: it books places for groups of that organisation only "
            "(give `group_name` and its `group_organisation_id`)."
        )
    try:
        family_member = _family_member(request, family_member_id)
        booking = services.registration_create(
            session=session, by=request.user, family_member=family_member, group_name=group_name,
            group_organisation=_organisation(group_organisation_id), places=places,
        )  # fmt: skip
    except services.RegistrationError as refusal:
        return _refusal(request, refusal)
    except ValidationError as error:
        return _invalid(request, error)
    return Status(201 if booking.created else 200, {**registration_data(booking.first), "created": booking.created})


def _family_member(request: HttpRequest, member_id: int | None) -> FamilyMember | None:
    if member_id is None:
        return None
    member = FamilyMember.objects.current().filter(pk=member_id, account_id=request.user.pk).first()
    if member is None:
        raise ValidationError({"family_member_id": "This person is not on your family list."})
    return member


def _organisation(organisation_id: int | None) -> Organisation | None:
    return None if organisation_id is None else Organisation.objects.filter(pk=organisation_id).first()


@router.get("/registrations", response={200: PageSchema[RegistrationSchema], **ERRORS}, summary="My registrations")
def list_mine(request: HttpRequest, filters: Query[MineParams], page: Query[PageParams]) -> dict[str, Any]:
    """Every registration you made (for yourself, your family or a group), latest session first."""
    queryset = selectors.registrations_of(request.user)
    if (organisation_id := _token_organisation(request)) is not None:
        queryset = queryset.filter(group_organisation_id=organisation_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return paginate(queryset, page, registration_data)


@router.post("/registrations/{registration_id}/cancel", response={200: RegistrationSchema, **ERRORS}, summary="Cancel")
def cancel(request: HttpRequest, registration_id: int) -> Any:
    """Give up a place or a place on the waitlist (a whole series for a series booking); cancelling twice is fine."""
    registration = _own(request, registration_id)
    try:
        rows = services.registration_cancel(registration=registration, by=request.user)
    except services.RegistrationError as refusal:
        return _refusal(request, refusal)
    return registration_data(next(row for row in rows if row.pk == registration.pk))


@router.post(
    "/registrations/{registration_id}/confirm",
    response={200: RegistrationSchema, **ERRORS},
    summary="Confirm a place offered",
)
def confirm(request: HttpRequest, registration_id: int) -> Any:
    """Take the place offered to you from the waitlist, before `offer_expires_at` (409 `offer_expired` after)."""
    registration = _own(request, registration_id)
    try:
        rows = services.registration_confirm(registration=registration, by=request.user)
    except services.RegistrationError as refusal:
        return _refusal(request, refusal)
    return registration_data(next(row for row in rows if row.pk == registration.pk))


@router.get("/sessions/{session_id}/roster", response={200: RosterSchema, **ERRORS}, summary="Roster of a session")
@audit.logs_staff_access(audit.AccessKind.ROSTER, audit.session_people)  # staff reading people's data is logged
def roster(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """Registered, offered and waiting people of a session: the provider's staff and the city's coordinators only."""
    session = get_object_or_404(Session.objects.select_related("opportunity"), pk=session_id)
    if not permissions.can_manage_registrations(request.user, session.opportunity):
        raise PermissionDenied("Rosters are for the provider's staff and the city's coordinators.")
    current = selectors.roster(session=session)
    return {
        "session_id": session.pk, "opportunity_id": session.opportunity_id, "start": session.start,
        "capacity": current.capacity, "taken": current.taken, "present": current.present,
        "cancelled": current.cancellation is not None,
        "confirmed": [_roster_entry(row) for row in current.confirmed],
        "offered": [_roster_entry(row) for row in current.offered],
        "waitlisted": [_roster_entry(row, position) for position, row in enumerate(current.waitlisted, start=1)],
    }  # fmt: skip


def _roster_entry(registration: Registration, position: int | None = None) -> dict[str, Any]:
    return {
        "id": registration.pk, "participant": registration.participant_name, "booked_by": str(registration.user),
        "email": registration.user.email,
        "group_organisation": registration.group_organisation.name if registration.group_organisation else "",
        "places": registration.places, "status": registration.status, "waitlist_position": position,
        "offer_expires_at": registration.offer_expires_at, "attended": registration.attended,
    }  # fmt: skip
