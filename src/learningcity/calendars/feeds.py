"""Each feed as a calendar: its name and address, and its events in the feed's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar

from learningcity.calendars import ical
from learningcity.calendars.content import EventContent, absolute_url, session_content, uid_domain
from learningcity.calendars.selectors import Window
from learningcity.catalogue.models import District, Opportunity, Organisation, Session
from learningcity.enrolment.models import Registration, RegistrationStatus


def sessions_calendar(feed: ical.FeedInfo, sessions: Sequence[Session], *, window: Window, language: str) -> Calendar:
    """A public feed: one event per session."""
    contents = [session_content(session, language=language) for session in sessions]
    first, last = ical.date_span(contents, start=window.start, end=window.end)
    return ical.calendar(feed, contents, first=first, last=last)


def registrations_calendar(
    feed: ical.FeedInfo, registrations: Sequence[Registration], *, window: Window, language: str
) -> Calendar:
    """A resident's own feed: one event per registration, a place not yet confirmed marked as tentative."""
    pairs = [(registration, registration_content(registration, language=language)) for registration in registrations]
    first, last = ical.date_span([content for _registration, content in pairs], start=window.start, end=window.end)
    statuses = [registration_status(registration) for registration, _content in pairs]
    return ical.calendar(feed, [content for _registration, content in pairs], first=first, last=last, statuses=statuses)


def registration_content(registration: Registration, *, language: str) -> EventContent:
    """The session's event as the resident's: for whom, in what standing, cancelled along with the session."""
    content = session_content(registration.session, language=language)
    with translation.override(language):
        summary = content.summary
        participant = _participant(registration)
        if participant:
            summary = _("%(title)s (%(participant)s)") % {"title": summary, "participant": participant}
        if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED):
            summary = _("%(status)s: %(title)s") % {"status": registration.get_status_display(), "title": summary}
    return replace(
        content,
        uid=f"registration-{registration.pk}@{uid_domain()}",
        summary=summary,
        cancelled=content.cancelled or registration.status == RegistrationStatus.CANCELLED,
        last_modified=max(content.last_modified, registration.updated_at),
    )


def _participant(registration: Registration) -> str:
    """Who the place is for, when it is not the account holder: a family member, or a group and its size."""
    if registration.family_member_id and registration.family_member is not None:
        return str(registration.family_member.name)
    if registration.group_name:
        places = ngettext("%(group)s, %(places)d place", "%(group)s, %(places)d places", registration.places)
        return places % {"group": registration.group_name, "places": registration.places}
    return ""


def registration_status(registration: Registration) -> ical.EventStatus:
    """A confirmed place is a plain event; a place offered or waited for is tentative."""
    return ical.EventStatus(
        tentative=registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED)
    )


def _feed(key: str, name: str, description: str, url: str, time_zone: str, *, language: str) -> ical.FeedInfo:
    return ical.FeedInfo(key=f"{key}-{language}", name=name, description=description, url=url, time_zone=time_zone)


def opportunity_feed(opportunity: Opportunity, *, language: str) -> ical.FeedInfo:
    """The feed of one opportunity's dates."""
    with translation.override(language):
        return _feed(
            f"opportunity-{opportunity.pk}",
            opportunity.title,
            _("Dates of “%(title)s” (%(organisation)s).")
            % {"title": opportunity.title, "organisation": opportunity.organisation.name},
            absolute_url(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug])),
            opportunity.city.time_zone,
            language=language,
        )


def organisation_feed(organisation: Organisation, *, language: str) -> ical.FeedInfo:
    """The feed of everything one provider offers."""
    with translation.override(language):
        return _feed(
            f"organisation-{organisation.pk}",
            organisation.name,
            _("Dates of the learning opportunities of %(name)s.") % {"name": organisation.name},
            absolute_url(reverse("catalogue:organisation", args=[organisation.pk])),
            organisation.city.time_zone,
            language=language,
        )


def district_feed(district: District, *, language: str) -> ical.FeedInfo:
    """The feed of what happens in one district of a city."""
    with translation.override(language):
        name = _("Learning in %(district)s, %(city)s") % {"district": district.name, "city": district.city.name}
        listing = reverse("catalogue:opportunity-list") + "?" + urlencode({"district": district.code})
        return _feed(
            f"district-{district.pk}",
            name,
            _("Dates of the learning opportunities held in %(district)s.") % {"district": district.name},
            absolute_url(listing),
            district.city.time_zone,
            language=language,
        )


def festival_feed(festival: Any, *, language: str) -> ical.FeedInfo:
    """The feed of a learning festival's programme."""
    with translation.override(language):
        name = str(festival.name)
        try:
            url = absolute_url(reverse("festival:programme", args=[festival.slug]))
        except NoReverseMatch:
            url = absolute_url(reverse("home"))
        return _feed(
            f"festival-{festival.pk}",
            name,
            _("The programme of %(name)s.") % {"name": name},
            url,
            festival.city.time_zone,
            language=language,
        )


def private_feed(user: Any, *, language: str) -> ical.FeedInfo:
    """The feed of a resident's own registrations."""
    with translation.override(language):
        return _feed(
            f"registrations-{user.pk}",
            _("My learning registrations"),
            _("The sessions I registered for, including waiting-list places."),
            absolute_url(reverse("calendars:private-feed")),
            settings.TIME_ZONE,
            language=language,
        )


def session_calendar(session: Session, *, language: str) -> Calendar:
    """A calendar file holding one session (the "Add to calendar" download)."""
    content = session_content(session, language=language)
    feed = replace(opportunity_feed(session.opportunity, language=language), key=f"session-{session.pk}-{language}")
    first, last = ical.date_span([content], start=content.start, end=content.end)
    return ical.calendar(feed, [content], first=first, last=last)
