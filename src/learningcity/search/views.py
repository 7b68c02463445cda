"""The public search page (works without JavaScript) and the suggestions its text box asks for.

The page is one GET form: every filter is in the address, so a search is bookmarkable, the back
button works and pagination keeps the filters. `search.js` only improves it: it asks the same
address with the `X-Search-Partial` header and swaps the results in place.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from learningcity.catalogue.models import City, District, Venue
from learningcity.catalogue.selectors import current_city
from learningcity.search import demand, selectors
from learningcity.search.facets import FACET_ORDER
from learningcity.search.forms import DAY_CODES, DEFAULT_RADIUS_KM, MAX_PAGE, SORT_LABELS, SearchForm
from learningcity.search.query import QueryError
from learningcity.search.selectors import Near

PARTIAL_HEADER = "X-Search-Partial"
# Facet of the selector → the form field (and address parameter) it filters.
FACET_FIELDS = {
    "blocks": "block",
    "kinds": "kind",
    "topics": "topic",
    "days": "day",
    "times": "time",
    "price": "free",
    "languages": "language",
    "modes": "mode",
    "access": "access",
    "districts": "district",
    "sectors": "sector",
    "places": "places",
}
SINGLE_CHECKBOXES = {"free", "places"}
SHOWN_BEFORE_MORE = 8
SUGGEST_MAX_LENGTH = 100


@dataclass
class Option:
    """One checkbox of a filter group, with its live count (None when the search could not run)."""

    value: str
    label: str
    count: int | None
    checked: bool
    id: str


@dataclass
class Group:
    """A filter shown as checkboxes: the first values, and the rest behind "More"."""

    name: str
    legend: str
    options: list[Option]
    more: list[Option] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def more_open(self) -> bool:
        return any(option.checked for option in self.more)

    @property
    def options_html(self) -> SafeString:
        return _options_html(self.name, self.options)

    @property
    def more_html(self) -> SafeString:
        return _options_html(self.name, self.more)


def _options_html(name: str, options: list[Option]) -> SafeString:
    """The checkboxes of a filter group, written here rather than by an {% include %} per option.

    A search page has over a hundred options; including a template for each was a third of the
    page's rendering time under load (bench/load_benchmark.py).
    """
    return format_html_join("", "{}", ((_option_html(name, option),) for option in options))


def _option_html(name: str, option: Option) -> SafeString:
    checked = mark_safe(" checked") if option.checked else ""
    count = (
        format_html(' <span class="count" data-count-for="{}">({})</span>', option.id, intcomma(option.count))
        if option.count is not None
        else ""
    )
    return format_html(
        '<li><input type="checkbox" form="search-form" name="{}" value="{}" id="{}"{}>\n'
        '  <label for="{}">{}{}</label></li>',
        name, option.value, option.id, checked, option.id, option.label, count,
    )  # fmt: skip


@dataclass
class Chip:
    """A filter in force, and the address of the same search without it."""

    label: str
    url: str


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Search the city's catalogue: text, filters with live counts, results, pagination."""
    city = _city()
    form = SearchForm(request.GET or None, city=city)
    params, result = None, None
    if not form.is_bound or form.is_valid():
        params = form.params() if form.is_bound else selectors.SearchParams()
        try:
            result = selectors.search(city, params)
        except QueryError as error:
            form.add_error("q", str(error))

        else:
            if params.text and params.page == 1:
                demand.record_search(city=city, text=params.text, total=result.total, request=request)
    context = _context(request, city, form, params, result)
    partial = request.headers.get(PARTIAL_HEADER) == "1"
    template = "search/_page_body.html" if partial else "search/search.html"
    response = render(request, template, context, status=400 if form.errors else 200)
    patch_vary_headers(response, [PARTIAL_HEADER])
    return response


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Titles completing what is typed in the search box (`?q=`), as JSON."""
    city = _city()
    text = request.GET.get("q", "")[:SUGGEST_MAX_LENGTH]
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    titles = selectors.suggestions(city, text, language=language) if text.strip() else []
    return JsonResponse({"suggestions": titles})


def _city() -> City:
    city = current_city()
    if city is None:
        raise Http404(_("No city is set up yet."))
    return city


def _context(
    request: HttpRequest,
    city: City,
    form: SearchForm,
    params: selectors.SearchParams | None,
    result: selectors.SearchResult | None,
) -> dict[str, Any]:
    _describe_controls(form)
    near = params.near if params is not None and result is not None else None
    points = _map_points(result) if result is not None else []
    return {
        "city": city,
        "form": form,
        "result": result,
        "groups": _groups_from_facets(form, result) if result is not None else _groups_from_choices(form),
        "chips": _chips(request.GET, form) if result is not None and form.is_bound else [],
        "page_links": _page_links(request.GET, result) if result is not None else {},
        "error_summary": _error_summary(form),
        "cards": _cards(result),
        "sort": params.sort if params is not None else "relevance",
        "sort_choices": [(value, label) for value, label in SORT_LABELS.items() if value != "distance" or near],
        "map_points": bool(points),
        "map_data": {"points": points, "near": _circle(near), "tiles": settings.MAP_TILE_URL},
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        "radius_hint": _("Around the centre of the district; %(km)s km if left empty.") % {"km": DEFAULT_RADIUS_KM},
        "has_filters": any(value for key, value in request.GET.items() if key != "page"),
    }


def _cards(result: selectors.SearchResult | None) -> list[dict[str, Any]]:
    """The opportunities of the page, each with its distance when searching near a place."""
    if result is None:
        return []
    return [
        {"opportunity": opportunity, "distance": result.distances.get(opportunity.pk)}
        for opportunity in result.opportunities
    ]


def _circle(near: Near | None) -> dict[str, float] | None:
    return {"lat": near.latitude, "lon": near.longitude, "radius_km": near.radius_km} if near else None


def _describe_controls(form: SearchForm) -> None:
    """Point each invalid control at its message, and let every control belong to the search form."""
    for name, bound_field in form.fields.items():
        attrs = bound_field.widget.attrs
        attrs["form"] = "search-form"
        described = [f"id_{name}_error"] if name in form.errors else []
        if name == "radius":
            described.append("id_radius_hint")
        if name in form.errors:
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
    for name in ("date_from", "date_to"):
        widget = form.fields[name].widget
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"
    for name in ("age", "max_price", "radius"):
        form.fields[name].widget.attrs["inputmode"] = "decimal" if name != "age" else "numeric"


def _option_id(name: str, value: str) -> str:
    return f"id_{name}_{value}".replace(" ", "-")


def _groups_from_facets(form: SearchForm, result: selectors.SearchResult) -> dict[str, Group]:
    """Checkbox groups with the counts the search returned, in the selector's display order."""
    groups: dict[str, Group] = {}
    for facet in FACET_ORDER:
        name = FACET_FIELDS[facet]
        options = []
        for value in result.facets.get(facet, []):
            written = _address_value(facet, value.value)
            options.append(Option(written, value.label, value.count, value.selected, _option_id(name, written)))
        groups[name] = _group(form, name, options)
    return groups


def _address_value(facet: str, value: str) -> str:
    """How the form expects a facet value: days by code ("mon"), single checkboxes as "on"."""
    if facet == "days":
        return DAY_CODES[int(value)]
    if FACET_FIELDS[facet] in SINGLE_CHECKBOXES:
        return "on"
    return value


def _groups_from_choices(form: SearchForm) -> dict[str, Group]:
    """Checkbox groups without counts, keeping what was ticked, for a search that could not run."""
    groups: dict[str, Group] = {}
    data = form.data if isinstance(form.data, QueryDict) else QueryDict()
    for facet in FACET_ORDER:
        name = FACET_FIELDS[facet]
        if name in SINGLE_CHECKBOXES:
            checked = data.get(name, "").lower() not in {"", "0", "false"}
            options = [Option("on", str(form.fields[name].label), None, checked, _option_id(name, "on"))]
        else:
            ticked = set(data.getlist(name))
            choices = form.fields[name].choices  # type: ignore[attr-defined]
            options = [
                Option(str(value), str(label), None, str(value) in ticked, _option_id(name, str(value)))
                for value, label in choices
            ]
        groups[name] = _group(form, name, options)
    return groups


def _group(form: SearchForm, name: str, options: list[Option]) -> Group:
    legend = str(form.fields[name].label)
    errors = [str(message) for message in form.errors.get(name, [])]
    if len(options) <= SHOWN_BEFORE_MORE + 2:
        return Group(name, legend, options, errors=errors)
    return Group(name, legend, options[:SHOWN_BEFORE_MORE], options[SHOWN_BEFORE_MORE:], errors)


def _query(data: QueryDict, *, drop: Collection[str] = (), without: Collection[tuple[str, str]] = ()) -> str:
    """The search's address parameters, empty ones left out, some dropped."""
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        if key in drop:
            continue
        for value in values:
            if value != "" and (key, value) not in without:
                kept.appendlist(key, value)
    return kept.urlencode()


def _chips(data: QueryDict, form: SearchForm) -> list[Chip]:
    """Every filter in force as a removable chip, in the order of the form."""
    chips = []
    for name, value, label in _filters_in_force(form):
        if name.startswith("near"):  # without a place, a radius or a sort by distance means nothing
            rest = _query(data, drop={"page", "radius"}, without={(name, value), ("sort", "distance")})
        else:
            rest = _query(data, drop={"page"}, without={(name, value)})
        chips.append(Chip(label, f"?{rest}"))
    return chips


def _filters_in_force(form: SearchForm) -> list[tuple[str, str, str]]:
    """(parameter, value as written, label) for each filter value the valid form holds."""
    data = form.cleaned_data
    raw = form.data
    found: list[tuple[str, str, str]] = []
    if data.get("q"):
        found.append(("q", raw.get("q", ""), _("“%(text)s”") % {"text": data["q"]}))
    for name, bound in form.fields.items():
        if name in {"q", "page", "sort"} or not data.get(name):
            continue
        choices = dict(getattr(bound, "choices", []))
        if isinstance(data[name], list):
            found.extend((name, value, str(choices.get(value, value))) for value in data[name])
        else:
            found.append((name, raw.get(name, ""), _scalar_label(form, name, data[name])))
    return found


def _scalar_label(form: SearchForm, name: str, value: Any) -> str:
    """How one non-checkbox filter reads on its chip."""
    shown = formats.localize(value)
    labels = {
        "age": _("Age %(value)s"),
        "date_from": _("From %(value)s"),
        "date_to": _("Until %(value)s"),
        "max_price": _("Up to %(value)s €"),
        "radius": _("Within %(value)s km"),
        "near": _("Near a point on the map"),
    }
    if name == "near_district":
        district = District.objects.filter(city=form.city, code=value).values_list("name", flat=True).first()
        return _("Near %(place)s") % {"place": district or value}
    if name == "near_venue":
        venue = Venue.objects.filter(city=form.city, pk=value).values_list("name", flat=True).first()
        return _("Near %(place)s") % {"place": venue or value}
    if name in labels:
        return labels[name] % {"value": shown}
    return str(form.fields[name].label)


def _page_links(data: QueryDict, result: selectors.SearchResult) -> dict[str, str]:
    """Addresses of the previous and next pages, with every filter kept."""
    base = _query(data, drop={"page"})
    prefix = f"?{base}&" if base else "?"
    last = min(result.pages, MAX_PAGE)
    links = {}
    if result.page > 1:
        links["previous"] = f"{prefix}page={min(result.page - 1, last)}"
        links["first"] = f"{prefix}page=1"
    if result.page < last:
        links["next"] = f"{prefix}page={result.page + 1}"
    return links


def _error_summary(form: SearchForm) -> list[dict[str, str]]:
    """Each error with the label of its control and, for visible ones, a link to it."""
    summary: list[dict[str, str]] = []
    for name, messages in form.errors.items():
        if name == "__all__":
            summary.extend({"text": str(message), "target": ""} for message in messages)
            continue
        target = "" if form[name].is_hidden else _error_target(form, name)
        label = str(form.fields[name].label or name)
        summary.extend(
            {"text": _("%(label)s: %(message)s") % {"label": label, "message": message}, "target": target}
            for message in messages
        )
    return summary


def _error_target(form: SearchForm, name: str) -> str:
    """The id the summary links to: the control, or the group of checkboxes."""
    return f"group-{name}" if isinstance(form.fields[name], forms.MultipleChoiceField) else f"id_{name}"


def _map_points(result: selectors.SearchResult) -> list[dict[str, Any]]:
    """The results of this page that have a place, for the map."""
    points = []
    for opportunity in result.opportunities:
        venue = opportunity.venue
        if venue is None:
            continue
        points.append(
            {
                "id": opportunity.pk,
                "title": opportunity.title,
                "place": venue.name,
                "lat": venue.latitude,
                "lon": venue.longitude,
            }
        )
    return points
