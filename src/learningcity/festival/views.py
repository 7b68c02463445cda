"""Festival pages: the public programme, providers' submissions, the coordinator's desk and summary."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue.models import City
from learningcity.catalogue.selectors import current_city
from learningcity.festival import jsonld, permissions, selectors, services
from learningcity.festival.forms import DecisionForm, FestivalForm, NewEventForm, ProgrammeForm, SubmissionForm
from learningcity.festival.models import Festival, Submission, SubmissionStatus
from learningcity.festival.summary import festival_summary, summary_csv
from learningcity.service_errors import add_service_errors


def _festival(slug: str) -> Festival:
    return get_object_or_404(Festival.objects.select_related("city"), slug=slug)


def _managed(request: HttpRequest, slug: str) -> Festival:
    festival = _festival(slug)
    if not permissions.can_manage_festival(request.user, festival):
        raise PermissionDenied(_("Only the coordinators of the festival's city manage it."))
    return festival


@require_GET
def festival_index(request: HttpRequest) -> HttpResponse:
    """The city's festivals, the latest first."""
    city = current_city()
    festivals = list(selectors.city_festivals(city)[:20])
    return render(request, "festival/index.html", {"city": city, "festivals": festivals})


@require_GET
def programme(request: HttpRequest, slug: str) -> HttpResponse:
    """The public programme: filters in a GET form, events by day, a map, the live counters, JSON-LD."""
    festival = _festival(slug)
    form = ProgrammeForm(request.GET or None, festival=festival)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else selectors.ProgrammeFilters()
    sessions = list(selectors.programme(festival, filters)) if valid else []
    context = {
        "festival": festival, "form": form, "valid": valid, "days": _by_day(sessions, festival),
        "count": len(sessions), "filtered": filters != selectors.ProgrammeFilters(),
        "counters": selectors.counters(festival), "map_data": _map_data(sessions),
        "jsonld": jsonld.festival_jsonld(festival, sessions[: jsonld.MAX_SUB_EVENTS], request),
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        "can_manage": permissions.can_manage_festival(request.user, festival),
        "can_submit": festival.call_is_open() and bool(permissions.submitting_organisations(request.user, festival)),
    }  # fmt: skip
    return render(request, "festival/programme.html", context, status=200 if valid else 400)


def _by_day(sessions: list[Any], festival: Festival) -> list[tuple[Any, list[Any]]]:
    """Sessions grouped by their local day, in order."""
    zone = ZoneInfo(festival.city.time_zone)
    days: dict[Any, list[Any]] = {}
    for session in sessions:
        days.setdefault(timezone.localdate(session.start, timezone=zone), []).append(session)
    return list(days.items())


def _map_data(sessions: list[Any]) -> dict[str, Any]:
    """One point per venue with the first event held there (the list, not the map, is the reference)."""
    points: dict[int, dict[str, Any]] = {}
    for session in sessions:
        venue = session.opportunity.venue
        if venue is not None and venue.pk not in points:
            points[venue.pk] = {"id": session.pk, "title": session.opportunity.title, "place": venue.name,
                                "lat": venue.latitude, "lon": venue.longitude}  # fmt: skip
    return {"points": list(points.values()), "tiles": settings.MAP_TILE_URL}


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider's submissions to the festival, and the form to submit one of their listings."""
    festival = _festival(slug)
    organisations = _submitting_organisations(request, festival)
    ids = [organisation.pk for organisation in organisations]
    form = SubmissionForm(request.POST or None, opportunities=list(selectors.submittable_opportunities(festival, ids)))
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(
                festival=festival, opportunity_id=form.cleaned_data["opportunity"], by=request.user,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Submitted: %(title)s. The coordinators will tell you their decision by e-mail.")
            messages.success(request, done % {"title": submission.opportunity.title})
            return redirect("festival:submit", slug=festival.slug)
    context = {
        "festival": festival, "form": form, "organisations": organisations,
        "submissions": selectors.organisation_submissions(festival, ids), "call_open": festival.call_is_open(),
    }  # fmt: skip
    return render(request, "festival/submit.html", context, status=400 if form.errors else 200)


def _submitting_organisations(request: HttpRequest, festival: Festival) -> list[Any]:
    organisations = permissions.submitting_organisations(request.user, festival)
    if not organisations:
        raise PermissionDenied(_("Festival events are submitted by staff of a verified organisation of the city."))
    return organisations


@login_required
@require_http_methods(["GET", "POST"])
def submit_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider describes a new event and submits it with its session, all at once."""
    festival = _festival(slug)
    organisations = _submitting_organisations(request, festival)
    form = NewEventForm(request.POST or None, festival=festival, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields, relations = form.split()
        try:
            services.submission_create_new(
                festival=festival, organisation=form.organisation(), by=request.user, fields=fields,
                relations=relations, start=_moment(festival, data["date"], data["start_time"]),
                end=_moment(festival, data["date"], data["end_time"]), note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error, aliases={"start": "date", "end": "end_time", "opportunity": "date"})
        else:
            messages.success(
                request, _("Your event is submitted. The coordinators will tell you their decision by e-mail.")
            )
            return redirect("festival:submit", slug=festival.slug)
    context = {"festival": festival, "form": form, "call_open": festival.call_is_open()}
    return render(request, "festival/submit_new.html", context, status=400 if form.errors else 200)


def _moment(festival: Festival, day: date, at: time) -> datetime:
    """A wall-clock time of the festival's city."""
    return datetime.combine(day, at, ZoneInfo(festival.city.time_zone))


@login_required
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    """The festivals a coordinator runs, and the way to open a new one."""
    user: Any = request.user
    if not user.is_coordinator:
        raise PermissionDenied(_("Festivals are run by the city's coordinators."))
    city_ids = None if user.is_superuser else list(user.coordinated_cities.values_list("pk", flat=True))
    festivals = selectors.coordinated_festivals(city_ids=city_ids)[:50]
    return render(request, "festival/manage_list.html", {"festivals": festivals})


@login_required
@require_http_methods(["GET", "POST"])
def festival_create(request: HttpRequest) -> HttpResponse:
    """A coordinator opens a festival and its call for events."""
    city = _city_to_open(request)
    form = FestivalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            festival = services.festival_create(city=city, by=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Festival opened. Providers can submit events while the call is open."))
            return redirect("festival:manage", slug=festival.slug)
    return render(
        request, "festival/festival_form.html", {"form": form, "city": city}, status=400 if form.errors else 200
    )


def _city_to_open(request: HttpRequest) -> City:
    """The instance's city for its coordinators, or else the first city this coordinator runs."""
    user: Any = request.user
    city = current_city()
    if city is not None and permissions.can_open_festival(user, city.pk):
        return city
    theirs = user.coordinated_cities.order_by("pk").first()
    if theirs is None:
        raise PermissionDenied(_("Festivals are opened by the city's coordinators."))
    return theirs  # type: ignore[no-any-return]


@login_required
@require_http_methods(["GET", "POST"])
def festival_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """A coordinator changes the festival's names, theme or dates."""
    festival = _managed(request, slug)
    form = FestivalForm(request.POST or None, instance=festival)
    if request.method == "POST" and form.is_valid():
        try:
            services.festival_update(festival=festival, by=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            festival.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("festival:manage", slug=festival.slug)
    context = {"form": form, "city": festival.city, "festival": festival}
    return render(request, "festival/festival_form.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The coordinator's desk: exact live counters and every submission, waiting ones first."""
    return _manage_page(request, _managed(request, slug))


def _manage_page(
    request: HttpRequest, festival: Festival, failed: tuple[int, DecisionForm] | None = None
) -> HttpResponse:
    """The desk; `failed` is the submission whose decision had errors, with its form, shown again."""
    rows = []
    for submission in selectors.festival_submissions(festival):
        form = failed[1] if failed and failed[0] == submission.pk else DecisionForm(prefix=f"s{submission.pk}")
        rows.append((submission, form))
    context = {
        "festival": festival, "rows": rows, "counters": selectors.count_now(festival),
        "failed": failed[1] if failed else None,
        "waiting": sum(1 for submission, _form in rows if submission.status == SubmissionStatus.PENDING),
    }  # fmt: skip
    return render(request, "festival/manage.html", context, status=400 if failed else 200)


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator accepts or declines a submitted event, with a message to the provider."""
    festival = _managed(request, slug)
    submission = get_object_or_404(
        Submission.objects.select_related("opportunity", "festival"), pk=pk, festival=festival
    )
    form = DecisionForm(request.POST, prefix=f"s{submission.pk}")
    if form.is_valid():
        decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
        try:
            if decision == "accept":
                services.submission_accept(submission=submission, by=request.user, message=message)
            else:
                services.submission_decline(submission=submission, by=request.user, message=message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Accepted: %(title)s") if decision == "accept" else _("Declined: %(title)s")
            messages.success(request, done % {"title": submission.opportunity.title})
            return redirect("festival:manage", slug=festival.slug)
    return _manage_page(request, festival, failed=(submission.pk, form))


@login_required
@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """The festival's figures by district and age band, small counts suppressed."""
    festival = _managed(request, slug)
    result = festival_summary(festival)
    context = {"festival": festival, "summary": result, "total_rows": [result.total]}
    return render(request, "festival/summary.html", context)


@login_required
@require_GET
def summary_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The summary as CSV."""
    festival = _managed(request, slug)
    response = HttpResponse(summary_csv(festival_summary(festival)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{festival.slug}-summary.csv"'
    return response
