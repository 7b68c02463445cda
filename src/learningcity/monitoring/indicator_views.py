"""Coordinators' pages to add, edit, retire and restore the city's indicators, and to write the report's texts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.indicators import load_framework
from learningcity.catalogue.models import City
from learningcity.monitoring import services
from learningcity.monitoring.forms import IndicatorForm, ReportTextsForm
from learningcity.monitoring.models import CityIndicator
from learningcity.monitoring.views import _coordinated_city, _requested_year


def indicator_groups(city: City, language: str) -> list[dict[str, Any]]:
    """The city's indicators (active and retired) under each area and sub-area of the framework."""
    framework = load_framework()
    rows = list(CityIndicator.objects.filter(city=city).order_by("retired", "code"))
    groups = []
    for area in framework.areas:
        subs = [
            {"sub": sub, "name": getattr(sub.name, language),
             "rows": [row for row in rows if row.sub_area == sub.code]}
            for sub in framework.sub_areas if sub.area == area.code
        ]  # fmt: skip
        groups.append({"area": area, "name": getattr(area.name, language), "subs": subs})
    return groups


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The city's indicators by area and sub-area, with links to edit, retire or restore each."""
    city = _coordinated_city(request)
    language = (get_language() or "fr")[:2]
    context = {"city": city, "groups": indicator_groups(city, language), "language": language,
               "tracks_none": not CityIndicator.objects.filter(city=city).exists()}  # fmt: skip
    return render(request, "monitoring/indicator_list.html", context)


@login_required
@require_POST
def indicator_install(request: HttpRequest) -> HttpResponse:
    """Give the city the framework's default indicators it does not track yet."""
    city = _coordinated_city(request)
    added = services.indicators_install(city=city)
    messages.success(request, _("%(count)s default indicators added.") % {"count": added})
    return redirect("monitoring:indicator-list")


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an indicator (no pk) or edit one of the city's."""
    city = _coordinated_city(request)
    indicator = get_object_or_404(CityIndicator, pk=pk, city=city) if pk else CityIndicator(city=city)
    form = IndicatorForm(request.POST or None, instance=indicator, city=city)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.method, saved.parameters = form.computation()
        try:
            services.indicator_save(indicator=saved, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Indicator “%(name)s” saved.") % {"name": saved.name_en if
                             (get_language() or "fr").startswith("en") else saved.name_fr})  # fmt: skip
            return redirect("monitoring:indicator-list")
    title = _("Edit indicator") if pk else _("New indicator")
    return render(request, "monitoring/indicator_form.html", {"form": form, "title": title, "indicator": indicator})


@login_required
@require_POST
def indicator_retire(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Retire an indicator (hidden from everything published, history kept) or restore it."""
    city = _coordinated_city(request)
    indicator = get_object_or_404(CityIndicator, pk=pk, city=city)
    services.indicator_retire(indicator=indicator, by=request.user, retired=action == "retire")
    if action == "retire":
        messages.success(request, _("Indicator %(code)s retired: it no longer appears on the dashboard, the "
                                    "report or the key figures.") % {"code": indicator.code})  # fmt: skip
    else:
        messages.success(request, _("Indicator %(code)s restored.") % {"code": indicator.code})
    return redirect("monitoring:indicator-list")


@login_required
@require_http_methods(["GET", "POST"])
def report_texts(request: HttpRequest) -> HttpResponse:
    """The city's own texts for the year's progress report, in French and English."""
    city = _coordinated_city(request)
    year = _requested_year(request)
    form = ReportTextsForm(request.POST or None, initial=services.report_texts_initial(city=city, year=year))
    if request.method == "POST" and form.is_valid():
        services.report_texts_save(city=city, year=year, by=request.user, texts=form.cleaned_data)
        messages.success(request, _("The report's texts for %(year)s are saved.") % {"year": year})
        return redirect(f"{request.path}?year={year}")
    return render(request, "monitoring/report_texts.html", {"city": city, "year": year, "form": form})
