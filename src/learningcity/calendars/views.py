"""iCalendar feeds (public, and a resident's private one) and the page managing the private feed's address.

The feed's language is the one of its address (/fr/... or /en/...); see docs/calendars.md.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar

from learningcity.calendars import feeds, selectors, services
from learningcity.calendars.content import absolute_url, zone_of
from learningcity.calendars.models import FeedToken
from learningcity.catalogue.models import Opportunity, Organisation, Status

FEED_MAX_AGE = 15 * 60  # calendar applications poll; a quarter of an hour keeps them close to the truth


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def calendar_response(
    request: HttpRequest, calendar: Calendar, *, filename: str, private: bool = False
) -> HttpResponseBase:
    """The calendar as text/calendar, with a strong ETag (304 when unchanged) and caching headers."""
    return _respond(request, _rendered(calendar), filename=filename, private=private)


def _rendered(calendar: Calendar) -> tuple[bytes, str | None]:
    """The calendar's bytes, and the HTTP date of the latest change among its events (None without any)."""
    modified = [event.last_modified for event in calendar.events if event.last_modified is not None]
    return calendar.to_ical(), http_date(max(_timestamp(moment) for moment in modified)) if modified else None


def _respond(
    request: HttpRequest, rendered: tuple[bytes, str | None], *, filename: str, private: bool = False
) -> HttpResponseBase:
    """Only If-None-Match earns a 304: Last-Modified is the latest change among the events present, which
    does not move when an event leaves the feed, so it is sent for information only.
    """
    body, last_modified = rendered
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    if private:
        patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional if conditional is not None else response


def _timestamp(moment: Any) -> float:
    return moment.timestamp() if isinstance(moment, datetime) else 0.0


def _filename(*parts: object) -> str:
    return "-".join(slugify(str(part)) or "calendar" for part in parts)[:80] + ".ics"


@require_safe
def opportunity_feed(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every date of one published opportunity."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("organisation", "city"), pk=pk, status=Status.PUBLISHED
    )
    language, window = _language(), selectors.feed_window()
    feed = feeds.opportunity_feed(opportunity, language=language)
    sessions = selectors.opportunity_sessions(opportunity, window)
    calendar = feeds.sessions_calendar(feed, sessions, window=window, language=language)
    return calendar_response(request, calendar, filename=_filename(opportunity.slug))


@require_safe
def organisation_feed(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every date of a provider's published opportunities."""
    organisation = get_object_or_404(Organisation.objects.select_related("city"), pk=pk)
    language, window = _language(), selectors.feed_window()
    feed = feeds.organisation_feed(organisation, language=language)
    sessions = selectors.organisation_sessions(organisation, window)
    calendar = feeds.sessions_calendar(feed, sessions, window=window, language=language)
    return calendar_response(request, calendar, filename=_filename(organisation.name))


@require_safe
def district_feed(request: HttpRequest, city: str, code: str) -> HttpResponseBase:
    """Every date of the published opportunities held in one district."""
    district = selectors.district_by_code(city_slug=city, code=code)
    if district is None:
        raise Http404
    language, window = _language(), selectors.feed_window()
    feed = feeds.district_feed(district, language=language)
    sessions = selectors.district_sessions(district, window)
    calendar = feeds.sessions_calendar(feed, sessions, window=window, language=language)
    return calendar_response(request, calendar, filename=_filename(city, district.name))


@require_safe
def festival_feed(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The programme of a learning festival (its accepted, published events), whole: before, during and after."""
    festival = selectors.festival_by_slug(slug)
    if festival is None:
        raise Http404
    language, window = _language(), selectors.festival_window(festival)
    feed = feeds.festival_feed(festival, language=language)
    sessions = selectors.festival_sessions(festival)
    calendar = feeds.sessions_calendar(feed, sessions, window=window, language=language)
    return calendar_response(request, calendar, filename=_filename("festival", slug))


@require_safe
def session_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One session of a published opportunity as a calendar file ("Add to calendar")."""
    session = selectors.published_session(pk)
    if session is None:
        raise Http404
    calendar = feeds.session_calendar(session, language=_language())
    local_date = session.start.astimezone(zone_of(session)).date()
    return calendar_response(request, calendar, filename=_filename(session.opportunity.slug, local_date))


@require_safe
def private_feed(request: HttpRequest, token: str) -> HttpResponseBase:
    """A resident's own registrations, for whoever holds the secret address (no login: calendars cannot log in)."""
    feed_token = selectors.feed_token_lookup(token)
    if feed_token is None:
        raise Http404
    services.feed_token_mark_read(feed_token=feed_token)
    language, window = _language(), selectors.feed_window()
    feed = feeds.private_feed(feed_token.user, language=language)
    registrations = selectors.feed_registrations(feed_token.user, window)
    calendar = feeds.registrations_calendar(feed, registrations, window=window, language=language)
    return calendar_response(request, calendar, filename="my-registrations.ics", private=True)


class FeedAddressForm(forms.Form):
    """What the resident asks of their private feed's address (`replacing`: the address the page showed)."""

    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[("issue", gettext_lazy("Make a new address")), ("revoke", gettext_lazy("Turn the feed off"))],
        error_messages={"invalid_choice": gettext_lazy("Choose to make a new address or to turn the feed off.")},
    )
    replacing = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def private_feed_page(request: HttpRequest) -> HttpResponse:
    """A resident makes, replaces or turns off the secret address of their registrations feed."""
    user: Any = request.user
    form = FeedAddressForm(request.POST if request.method == "POST" else None)
    new_address = ""
    if form.is_bound and form.is_valid():
        if form.cleaned_data["action"] == "revoke":
            if services.feed_token_revoke(user=user):
                messages.success(request, _("Your calendar feed is off. Its address no longer works."))
            return redirect("calendars:private-feed")
        try:
            token = services.feed_token_issue(user=user, replacing=form.cleaned_data["replacing"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown once, in this response only: the database keeps the digest, never the token.
            new_address = absolute_url(reverse("calendars:private-feed-ics", args=[token]))
    feed_token = FeedToken.objects.filter(user=user).first()
    context = {
        "form": form,
        "feed_token": feed_token,
        "version": services.feed_token_version(feed_token),
        "new_address": new_address,
        "webcal_address": re.sub(r"^https?://", "webcal://", new_address),
    }
    return render(request, "calendars/private_feed.html", context, status=400 if form.errors else 200)
