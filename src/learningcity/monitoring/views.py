"""The coordinator's learning-desert pages: map, tables, what-if, downloads."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.catalogue.models import City
from learningcity.catalogue.permissions import coordinated_city
from learningcity.catalogue.selectors import current_city
from learningcity.enrolment.models import Registration
from learningcity.monitoring import access, services
from learningcity.monitoring import access_files as files
from learningcity.monitoring.city_framework import city_framework
from learningcity.monitoring.dashboard import (
    city_dashboard,
    dashboard_sections,
    index_rows,
    key_figure_rows,
    not_reached,
    published_indicators,
)
from learningcity.monitoring.forms import (
    AccessForm,
    AreasUploadForm,
    FeedbackForm,
    FollowUpForm,
    ReminderPreferenceForm,
)
from learningcity.monitoring.mapping import area_choropleth, choropleth
from learningcity.monitoring.models import ReminderPreference
from learningcity.monitoring.report import report_html, report_pdf

DRIVER_LABELS = {
    "imputation": gettext_lazy("Imputation of missing values"),
    "normalisation": gettext_lazy("Normalisation"),
    "aggregation": gettext_lazy("Aggregation"),
    "weights": gettext_lazy("Weights (±25 %)"),
    "dropped_indicator": gettext_lazy("Leaving one indicator out"),
}


def _requested_year(request: HttpRequest) -> int:
    """The `year` query parameter, kept between 2000 and this year (this year when absent or not a number)."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    return min(max(year, 2000), this_year)


def _coordinated_city(request: HttpRequest) -> City:
    return coordinated_city(request.user, refusal=_("Learning deserts are for the city's coordinators."))


def _analysis(request: HttpRequest, city: City) -> tuple[AccessForm, access.AccessQuery]:
    form = AccessForm(request.GET or None, city_id=city.pk)
    query = form.query() if form.is_valid() else access.AccessQuery()
    return form, query


@login_required
@require_GET
def access_map(request: HttpRequest) -> HttpResponse:
    """Which neighbourhoods, and which ages, are far from learning; and what a new venue would change."""
    city = _coordinated_city(request)
    form, query = _analysis(request, city)
    try:
        before, result = (
            access.scenario_effect(city, query) if query.change else (None, access.city_access(city, query))
        )
    except access.NoMappedDistrictsError:
        return _no_mapped_districts(request, city)
    frame = result.cells.frame
    venues = result.venues
    svg = choropleth(
        lon=frame["lon"].to_numpy(), lat=frame["lat"].to_numpy(),
        half_lon=float(frame["half_lon"].iloc[0]), half_lat=float(frame["half_lat"].iloc[0]),
        scores=result.scores, desert=result.desert, higher_is_better=result.higher_is_better,
        venues=list(zip(venues["longitude"], venues["latitude"], venues["supply"], venues["name"], strict=True)),
    )  # fmt: skip
    context: dict[str, Any] = {
        "city": city, "form": form, "result": result, "before": before, "map": svg,
        "query_string": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "monitoring/access.html", context)


@login_required
@require_GET
def access_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The cell scores as GeoJSON (for GIS) or CSV (for spreadsheets)."""
    if fmt not in {"geojson", "csv"}:
        raise Http404
    city = _coordinated_city(request)
    _form, query = _analysis(request, city)
    try:
        result = access.city_access(city, query)
    except access.NoMappedDistrictsError:
        return _no_mapped_districts(request, city)
    if fmt == "geojson":
        body = json.dumps(access_geojson(result), ensure_ascii=False)
        response = HttpResponse(body, content_type="application/geo+json")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(result, response)
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-access.{fmt}"'
    return response


def _no_mapped_districts(request: HttpRequest, city: City) -> HttpResponse:
    """The analysis needs district boundaries: say so, and how to give them, instead of failing."""
    return render(request, "monitoring/access_no_boundaries.html", {"city": city}, status=409)


def cell_rows(result: access.AccessResult) -> list[dict[str, Any]]:
    """One record per cell, shared by the GeoJSON and CSV exports."""
    frame = result.cells.frame
    rows = []
    for index in range(len(frame)):
        score = float(result.scores[index])
        nearest = float(result.nearest[index])
        row: dict[str, Any] = {
            "cell": index, "longitude": round(float(frame["lon"].iloc[index]), 6),
            "latitude": round(float(frame["lat"].iloc[index]), 6), "population": round(float(result.demand[index]), 2),
            "score": round(score, 4) if score == score and abs(score) != float("inf") else None,
            "nearest_metres": round(nearest, 1) if nearest != float("inf") else None,
            "desert": bool(result.desert[index]),
        }  # fmt: skip
        row.update({f"population_{band}": round(float(value), 2)
                    for band, value in result.cells.population.iloc[index].items()})  # fmt: skip
        rows.append(row)
    return rows


def access_geojson(result: access.AccessResult) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the cells with their scores (RFC 7946, WGS84)."""
    features = [
        {"type": "Feature", "geometry": result.cells.geometry(row["cell"]), "properties": row}
        for row in cell_rows(result)
    ]
    return {"type": "FeatureCollection", "features": features}


def write_csv(result: access.AccessResult, stream: Any) -> None:
    """The cells as CSV with a header row."""
    rows = cell_rows(result)
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]) if rows else ["cell"])
    writer.writeheader()
    writer.writerows(rows)


@login_required
@require_http_methods(["GET", "POST"])
def access_upload(request: HttpRequest) -> HttpResponse:
    """Learning deserts of areas and venues the coordinator uploads (census areas, another city...)."""
    _coordinated_city(request)
    form = AreasUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context.update(_analyse_upload(form.cleaned_data))
        except files.InputError as error:
            form.add_error(None, str(error))
    return render(request, "monitoring/access_upload.html", context)


def _analyse_upload(data: dict[str, Any]) -> dict[str, Any]:
    areas = files.parse_areas(data["areas"].read(), data["areas"].name, data["population_property"])
    blank = 0
    if data.get("venues"):
        venues = files.parse_venues(data["venues"].read(), data["venues"].name)
    else:
        venues, blank = files.venues_from_areas(areas, data["supply_property"])
    query = files.FileQuery(measure=data.get("measure") or "2sfca", max_cost=float(data.get("max_cost") or 800))
    result = files.analyse_files(areas, venues, query)
    area_map = area_choropleth(
        geometries=[feature["geometry"] for feature in areas.features], scores=result.scores, desert=result.desert,
        higher_is_better=query.measure != "nearest",
        venues=list(zip(venues["longitude"], venues["latitude"], venues["supply"], venues["id"], strict=True)),
    )  # fmt: skip
    ids = files.area_ids(areas)
    worst = sorted(
        (i for i in range(len(ids)) if result.desert[i]), key=lambda i: float(areas.population[i]), reverse=True
    )[:20]
    people = float(areas.population.sum()) or 1.0
    return {
        "result": result, "map": area_map, "areas": areas, "venue_count": len(venues), "blank_supply": blank,
        "population": float(areas.population.sum()), "within_walk_percent": 100 * result.within_walk_share,
        "desert_percent": 100 * result.desert_population / people,
        "worst": [(ids[i], float(areas.population[i])) for i in worst], "query": query,
    }  # fmt: skip


def _own_registration(request: HttpRequest, pk: int) -> Registration:
    # Someone else's registration is "not found", so that ids reveal nothing.
    return get_object_or_404(
        Registration.objects.select_related("session__opportunity"), pk=pk, user_id=request.user.pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner rates a session they attended."""
    registration = _own_registration(request, pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(registration=registration, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("accounts:account")
    context = {"form": form, "registration": registration, "title": _("Your feedback")}
    return render(request, "monitoring/feedback.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner says, some weeks later, what the learning led to."""
    registration = _own_registration(request, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_give(registration=registration, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Thank you for telling us."))
            return redirect("accounts:account")
    context = {"form": form, "registration": registration, "title": _("What did it lead to?")}
    return render(request, "monitoring/feedback.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_preference(request: HttpRequest) -> HttpResponse:
    """A person chooses whether to receive the follow-up question by e-mail (the link in every such e-mail)."""
    saved = ReminderPreference.objects.filter(user_id=request.user.pk or 0).first()
    initial = {"follow_up_emails": saved is None or saved.follow_up_emails}
    # An unticked box posts nothing: bind the form on every POST, not only non-empty ones.
    form = ReminderPreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = bool(form.cleaned_data["follow_up_emails"])
        services.reminder_preference_set(user=request.user, follow_up_emails=wanted)
        messages.success(request, _("You will receive the follow-up questions by e-mail.") if wanted
                         else _("You will no longer receive the follow-up questions by e-mail."))  # fmt: skip
        return redirect("monitoring:reminders")
    days = services.follow_up_after().days
    return render(request, "monitoring/reminders.html", {"form": form, "days": days})


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    """Indicators by UNESCO area and sub-area, with the district breakdowns and the index by district."""
    city = _coordinated_city(request)
    year = _requested_year(request)
    board = city_dashboard(city, year)
    names: dict[str, str] = dict(city.districts.values_list("code", "name"))
    context = {
        "city": city, "year": year, "version": board.framework.version, "index_indicators": board.index_indicators,
        "sections": dashboard_sections(board, (get_language() or "fr")[:2], names),
        "index_rows": index_rows(board, names),
        "not_reached": not_reached(city, year),
        "drivers": [] if board.drivers is None else [
            {"choice": DRIVER_LABELS.get(str(name), str(name)), **{str(k): v for k, v in row.items()}}
            for name, row in board.drivers.to_dict("index").items()
        ],
    }  # fmt: skip
    return render(request, "monitoring/indicators.html", context)


def _published(request: HttpRequest) -> tuple[City, int, Any]:
    city = current_city()
    if city is None:
        raise Http404
    year = _requested_year(request)
    return city, year, published_indicators(city, year)


@require_GET
def key_figures(request: HttpRequest) -> HttpResponse:
    """The city's key figures, public: the indicators with data this year, in the reader's language."""
    city, year, published = _published(request)
    figures = key_figure_rows(published, (get_language() or "fr")[:2], city_framework(city))
    return render(request, "monitoring/key_figures.html", {"city": city, "year": year, "figures": figures})


@require_GET
def key_figures_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Open data: every published indicator value (totals and districts), small counts suppressed."""
    if fmt not in {"csv", "json"}:
        raise Http404
    city, year, published = _published(request)
    columns = ["indicator", "area", "breakdown", "district", "year", "value", "unit", "source", "suppressed"]
    table = published[columns].astype(object).where(published[columns].notna(), None)
    if fmt == "json":
        response = HttpResponse(table.to_json(orient="records", force_ascii=False), content_type="application/json")
    else:
        response = HttpResponse(table.to_csv(index=False), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-indicators-{year}.{fmt}"'
    return response


@login_required
@require_GET
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The progress report of the year, in the page's language, as PDF or HTML."""
    if fmt not in {"pdf", "html"}:
        raise Http404
    city = _coordinated_city(request)
    year = _requested_year(request)
    html = report_html(city, year, (get_language() or "fr")[:2])
    if fmt == "html":
        return HttpResponse(html)
    response = HttpResponse(report_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-report-{year}.pdf"'
    return response
