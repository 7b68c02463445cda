"""The coordinator's view of what residents search for, and what they do not find (anonymised and aggregated)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from learningcity.catalogue.models import City
from learningcity.catalogue.permissions import coordinated_city
from learningcity.search import demand as demand_data

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
SHOWN = 50


class PeriodForm(forms.Form):
    """The period of the demand view (GET); the last 90 days by default."""

    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = self.period(data)
        if end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most three years."))
        return data

    def period(self, data: dict[str, Any] | None = None) -> tuple[date, date]:
        """The first and last days asked for (the last 90 days when not given or not valid)."""
        if data is None:
            data = self.cleaned_data if self.is_valid() else {}
        end = data.get("date_to") or timezone.localdate()
        return data.get("date_from") or end - timedelta(days=DEFAULT_DAYS - 1), end


def _coordinated_city(request: HttpRequest) -> City:
    return coordinated_city(request.user, refusal=_("What residents search for is for the city's coordinators."))


@login_required
@require_GET
def demand(request: HttpRequest) -> HttpResponse:
    """Most frequent queries and queries that found nothing, over a period; `?download=csv` for the table."""
    city = _coordinated_city(request)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    queries = demand_data.query_demand(city=city, start=start, end=end)
    if request.GET.get("download") == "csv":
        return demand_csv(city, start, end, queries)
    context = {
        "city": city, "form": form, "start": start, "end": end, "frequent": queries[:SHOWN],
        "unmet": demand_data.unmet_demand(queries)[:SHOWN], "minimum": demand_data.MIN_SEARCHES,
        "csv_query": _csv_query(start, end),
    }  # fmt: skip
    return render(request, "search/demand.html", context)


def _csv_query(start: date, end: date) -> str:
    return f"date_from={start.isoformat()}&date_to={end.isoformat()}&download=csv"


def demand_csv(city: City, start: date, end: date, queries: list[demand_data.QueryDemand]) -> HttpResponse:
    """Every query shown (asked often enough), with its searches and searches that found nothing."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-search-demand-{start}-{end}.csv"'
    # Queries are normalised words (letters and digits only), so no cell can start a spreadsheet formula.
    writer = csv.writer(response)
    writer.writerow(["query", "searches", "found_nothing", "date_from", "date_to"])
    writer.writerows([item.query, item.searches, item.empty, start, end] for item in queries)
    return response
