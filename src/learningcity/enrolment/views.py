"""Enrolment pages: register, my registrations, message choices; the provider's rosters and overview."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue.models import Opportunity, Session, Status
from learningcity.catalogue.permissions import can_view_opportunity
from learningcity.enrolment import exports, permissions, selectors, services
from learningcity.enrolment.forms import (
    AttendanceForm,
    GroupBookingForm,
    ParticipantForm,
    PreferenceForm,
    SessionCancelForm,
    WindowForm,
)
from learningcity.enrolment.models import MessagePreference, Registration, RegistrationStatus
from learningcity.privacy import audit
from learningcity.service_errors import add_service_errors


def _session(pk: int, user: Any) -> Session:
    session = get_object_or_404(Session.objects.select_related("opportunity__city", "opportunity__venue"), pk=pk)
    if not can_view_opportunity(user, session.opportunity):
        raise Http404
    return session


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose who is coming (or book for a group) and register for a session or its series."""
    user: Any = request.user
    session = _session(pk, user)
    if not user.email_verified:
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('accounts:verification')}?{query}")
    opportunity = session.opportunity
    family = list(selectors.family_choices(user))
    organisations = permissions.group_organisations(user, opportunity)
    is_group = request.method == "POST" and request.POST.get("kind") == "group"
    person_form = ParticipantForm(
        None if is_group else request.POST or None, user=user, family=family, opportunity=opportunity
    )
    group_form = GroupBookingForm(request.POST if is_group else None, organisations=organisations)
    form = group_form if is_group else person_form
    if request.method == "POST" and form.is_valid():
        try:
            booking = _book(session, user, form)
        except services.RegistrationError as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _tell_outcome(request, booking)
            return redirect("enrolment:mine")
    context = {
        "session": session, "opportunity": opportunity, "person_form": person_form, "group_form": group_form,
        "can_group": organisations.exists(),
        "sessions": _sessions_of_booking(session),
    }  # fmt: skip
    return render(request, "enrolment/register.html", context, status=400 if form.errors else 200)


def _book(session: Session, user: Any, form: Any) -> services.Booking:
    if isinstance(form, GroupBookingForm):
        return services.registration_create(session=session, by=user, **form.cleaned_data)
    return services.registration_create(
        session=session, by=user, family_member=form.family_member(), **form.price_choices()
    )


def _sessions_of_booking(session: Session) -> list[Session]:
    if session.opportunity.booked_as_series and session.series_key:
        return list(Session.objects.filter(opportunity=session.opportunity, series_key=session.series_key))
    return [session]


def _tell_outcome(request: HttpRequest, booking: services.Booking) -> None:
    if not booking.created:
        messages.info(request, _("You were already registered: nothing changed."))
    elif booking.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("Registered: your place is confirmed."))
    else:
        position = selectors.waitlist_position(booking.first)
        message = _("This session is full: you are on the waitlist, position %(position)d.")
        messages.success(request, message % {"position": position})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """My registrations: places offered to confirm, coming up, waiting (with position), past."""
    return render(request, "enrolment/mine.html", {"mine": selectors.my_registrations(user=request.user)})


def _own(request: HttpRequest, pk: int) -> Registration:
    # Someone else's registration is "not found", so that ids reveal nothing.
    return get_object_or_404(
        Registration.objects.select_related("session__opportunity"), pk=pk, user_id=request.user.pk or 0
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The person gives up a place or a place on the waitlist."""
    registration = _own(request, pk)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except services.RegistrationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Cancelled: %(title)s.") % {"title": registration.session.opportunity.title})
    return redirect("enrolment:mine")


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The person takes the place offered to them."""
    registration = _own(request, pk)
    try:
        services.registration_confirm(registration=registration, by=request.user)
    except services.RegistrationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Your place is confirmed: %(title)s.") % {"title": registration.session.opportunity.title}
        )
    return redirect("enrolment:mine")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Which e-mails about registrations the person receives."""
    saved = MessagePreference.objects.filter(user_id=request.user.pk or 0).first()
    initial = {
        "confirmations": saved is None or saved.confirmations,
        "reminders": saved is None or saved.reminders,
        "cancellations": saved is None or saved.cancellations,
    }
    # Unticked boxes post nothing: bind the form on every POST.
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.message_preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your choices are saved."))
        return redirect("enrolment:preferences")
    return render(request, "enrolment/preferences.html", {"form": form})


# --- providers -------------------------------------------------------------------------------------


def _managed_session(request: HttpRequest, pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("opportunity__organisation", "opportunity__city"), pk=pk)
    if not permissions.can_manage_registrations(request.user, session.opportunity):
        raise PermissionDenied(_("Rosters are for the provider's staff and the city's coordinators."))
    return session


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.ROSTER, audit.session_people)
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is registered, offered a place, waiting; attendance ticked on a phone, without script."""
    session = _managed_session(request, pk)
    current = selectors.roster(session=session)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        registrations=current.confirmed,
        initial={"present": [str(row.pk) for row in current.confirmed if row.attended]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            present, absent = services.attendance_record(session=session, by=request.user, present=form.present_ids())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved: %(present)d present, %(absent)d absent.") % {
                "present": present, "absent": absent})  # fmt: skip
            return redirect("enrolment:roster", pk=session.pk)
    context = {"roster": current, "form": form, "session": session, "opportunity": session.opportunity}
    return render(request, "enrolment/roster.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
@audit.logs_staff_access(audit.AccessKind.ROSTER_CSV, audit.session_people)
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as a spreadsheet file (cells that a spreadsheet would run as formulas are made inert)."""
    session = _managed_session(request, pk)
    response = HttpResponse(
        exports.roster_csv(selectors.roster(session=session)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="roster-session-{session.pk}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.ROSTER, audit.session_people)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider calls a session off; everyone registered or waiting is told."""
    session = _managed_session(request, pk)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session is cancelled; everyone registered or waiting will be told."))
            return redirect("enrolment:roster", pk=session.pk)
    context = {
        "form": form,
        "session": session,
        "opportunity": session.opportunity,
        "roster": selectors.roster(session=session),
    }
    return render(request, "enrolment/session_cancel.html", context, status=400 if form.errors else 200)


def _managed_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    opportunity = get_object_or_404(Opportunity.objects.select_related("city", "organisation"), pk=pk)
    if not permissions.can_manage_registrations(request.user, opportunity):
        raise PermissionDenied(_("This page is for the provider's staff and the city's coordinators."))
    return opportunity


@login_required
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """An opportunity's sessions with registrations, attendance and no-show rates; its registration dates."""
    opportunity = _managed_opportunity(request, pk)
    window = getattr(opportunity, "registration_window", None)
    initial = {"opens_at": window.opens_at, "closes_at": window.closes_at} if window else {}
    form = WindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        zone = ZoneInfo(opportunity.city.time_zone)
        try:
            services.registration_window_set(
                opportunity=opportunity, by=request.user,
                opens_at=form.local("opens_at", zone), closes_at=form.local("closes_at", zone),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Registration dates saved."))
            return redirect("enrolment:overview", pk=opportunity.pk)
    context = {
        "opportunity": opportunity, "rates": selectors.opportunity_rates(opportunity=opportunity), "form": form,
        "published": opportunity.status == Status.PUBLISHED,
    }  # fmt: skip
    return render(request, "enrolment/overview.html", context, status=400 if form.errors else 200)
