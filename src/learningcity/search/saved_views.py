"""A resident's own search pages: saved searches with their alerts, and personal suggestions ("for you")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from learningcity.catalogue.models import City, Venue
from learningcity.catalogue.selectors import current_city
from learningcity.search import for_you as suggestions
from learningcity.search import services
from learningcity.search.forms import SearchForm
from learningcity.search.models import SavedSearch, SearchPreference


class SavedSearchForm(forms.Form):
    """Keep the current search under a name (posted by "Save this search" on the search page)."""

    name = forms.CharField(
        label=gettext_lazy("Name of this search"),
        max_length=services.NAME_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Give the search a name, so you recognise it in your list.")},
    )
    query = forms.CharField(max_length=services.QUERY_MAX_LENGTH, required=False, widget=forms.HiddenInput)


class SearchPreferenceForm(forms.Form):
    """Whether to see suggestions computed from one's own record."""

    suggestions = forms.BooleanField(label=gettext_lazy("Show me suggestions based on my own record"), required=False)


def _city() -> City:
    city = current_city()
    if city is None:
        raise Http404
    return city


def describe(query: str, form: SearchForm) -> list[str]:
    """The parameters of a saved search in words (“theatre”, "Kind: Course, Workshop"), from a form's labels."""
    data = QueryDict(query)
    parts = []
    for name, field in form.fields.items():
        values = [value for value in data.getlist(name) if value]
        if not values:
            continue
        if name == "q":
            parts.append(f"“{values[0]}”")
        elif isinstance(field, forms.BooleanField):
            parts.append(str(field.label))
        else:
            named = _venue_names(values) if name == "near_venue" else {}
            named.update({str(key): str(label) for key, label in getattr(field, "choices", [])})
            parts.append(f"{field.label}: {', '.join(named.get(value, value) for value in values)}")
    return parts


def _venue_names(values: list[str]) -> dict[str, str]:
    ids = [int(value) for value in values if value.isdigit()]
    return {str(pk): name for pk, name in Venue.objects.filter(pk__in=ids).values_list("pk", "name")}


@login_required
@require_http_methods(["GET", "POST"])
def saved_list(request: HttpRequest) -> HttpResponse:
    """A resident's saved searches; POST keeps the current search."""
    city = _city()
    form = SavedSearchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_search_create(user=request.user, city=city, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Search saved. We will e-mail you when something new matches it."))
            return redirect("search:saved")
    labels = SearchForm(city=city)
    saved = [
        {"search": search, "parameters": describe(search.query, labels)}
        for search in SavedSearch.objects.filter(user=_user(request), city=city)
    ]
    context: dict[str, Any] = {"form": form, "saved": saved, "limit": services.MAX_SAVED_SEARCHES}
    return render(request, "search/saved_list.html", context, status=400 if form.errors else 200)


def _user(request: HttpRequest) -> Any:
    """The person logged in (the views below require one)."""
    return request.user


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    # Someone else's saved search is "not found", so that ids reveal nothing.
    return get_object_or_404(SavedSearch, pk=pk, user=_user(request))


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner deletes a saved search."""
    saved_search = _own(request, pk)
    services.saved_search_delete(saved_search=saved_search, by=request.user)
    messages.success(request, _("Saved search “%(name)s” deleted.") % {"name": saved_search.name})
    return redirect("search:saved")


@login_required
@require_POST
def saved_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner turns the e-mail alerts of a saved search on or off (`alerts=on|off`, or the opposite of now)."""
    saved_search = _own(request, pk)
    wanted = {"on": True, "off": False}.get(request.POST.get("alerts", ""), not saved_search.alerts)
    services.saved_search_set_alerts(saved_search=saved_search, by=request.user, alerts=wanted)
    message = _("E-mail alerts on for “%(name)s”.") if wanted else _("E-mail alerts off for “%(name)s”.")
    messages.success(request, message % {"name": saved_search.name})
    return redirect("search:saved")


@login_required
@require_http_methods(["GET", "POST"])
def for_you(request: HttpRequest) -> HttpResponse:
    """Opportunities suggested from the person's own record, each with its reason; off until they turn it on."""
    city = _city()
    preference = SearchPreference.objects.filter(user=_user(request)).first()
    enabled = bool(preference and preference.suggestions)
    # An unticked box posts nothing: bind the form on every POST, not only non-empty ones.
    form = SearchPreferenceForm(request.POST if request.method == "POST" else None, initial={"suggestions": enabled})
    if request.method == "POST" and form.is_valid():
        wanted = bool(form.cleaned_data["suggestions"])
        services.search_preference_set(user=request.user, suggestions=wanted)
        messages.success(request, _("Suggestions are on.") if wanted else _("Suggestions are off."))
        return redirect("search:for-you")
    found = suggestions.suggestions_for(user=request.user, city=city) if enabled else []
    return render(request, "search/for_you.html", {"form": form, "enabled": enabled, "suggestions": found})
