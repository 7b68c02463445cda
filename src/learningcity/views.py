"""Site-wide pages: home, web app manifest, health check, reading mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from learningcity import public_cache
from learningcity.catalogue import selectors
from learningcity.catalogue.models import BuildingBlock, City, Opportunity, Organisation, Venue

HOME_COUNTS_SECONDS = 600  # a bound only: the key changes with the catalogue


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the city offers, at a glance, with a way in by building block."""
    city = selectors.current_city()
    counts = _home_counts(city)
    blocks = list(BuildingBlock.objects.all())
    for block in blocks:
        block.opportunity_count = counts["blocks"].get(block.pk, 0)  # type: ignore[attr-defined]
    upcoming = selectors.opportunity_list(filters=selectors.OpportunityFilters(upcoming=True), city=city)[:6]
    context = {"city": city, "blocks": blocks, "upcoming": upcoming, "counts": counts}
    return render(request, "home.html", context)


def _home_counts(city: City | None) -> dict[str, Any]:
    """The city's listings per building block and its totals, counted once per catalogue version.

    Counting every listing per building block took ~120 ms at each home page with 50,000 listings
    (bench/load_benchmark.py); the catalogue's version (learningcity/public_cache.py) changes with
    every listing, organisation or venue saved, so the figures are never older than the catalogue.
    """
    key = f"home-counts:{city.pk if city else 0}:{public_cache.catalogue_version()}"
    counts: dict[str, Any] | None = cache.get(key)
    if counts is None:
        in_city = Q(city=city) if city else Q()
        published = Q(opportunities__status="published") & (Q(opportunities__city=city) if city else Q())
        per_block = BuildingBlock.objects.annotate(count=Count("opportunities", filter=published))
        counts = {
            "blocks": dict(per_block.values_list("pk", "count")),
            "opportunities": Opportunity.objects.published().filter(in_city).count(),
            "organisations": Organisation.objects.filter(in_city).count(),
            "venues": Venue.objects.filter(in_city).count(),
        }
        cache.set(key, counts, HOME_COUNTS_SECONDS)
    return counts


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, so residents can install the site on a phone."""
    data = {
        "name": _("Learning city"),
        "short_name": _("Learning city"),
        "start_url": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("learningcity/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": static("learningcity/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("learningcity/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the demo launcher."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def switch_language(request: HttpRequest) -> HttpResponse:
    """Show the same page in another language and remember the choice (works without JavaScript)."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(translate_url(target, language) if target != "/" else f"/{language}/")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# No CSRF token: the form is on every page, and a token would make each page different for each
# visitor, so no page could be kept for anonymous visitors (learningcity/public_cache.py). A forged
# request can only switch a display preference (a cookie, no data, no account) and redirect within
# this site: nothing worth forging.
@csrf_exempt
@require_POST
def reading_mode(request: HttpRequest) -> HttpResponse:
    """Switch the larger-text, plain-language reading mode on or off (kept in a cookie)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.POST.get("mode") == "easy":
        response.set_cookie("reading_mode", "easy", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie("reading_mode")
    return response
