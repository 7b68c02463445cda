"""The festival's programme as a feed (the festival app is built beside this one: skipped without it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import Session, Status
from tests.calendars.helpers import PARIS, parse
from tests.factories import World, make_opportunity

festival_models = pytest.importorskip("learningcity.festival.models", reason="the festival app is not there yet")


def make_festival(world: World, *, starts_in: int) -> object:
    first = timezone.localdate() + timedelta(days=starts_in)
    return festival_models.Festival.objects.create(
        city=world.city, slug="learning-fair", name_fr="Fête du savoir", name_en="Learning fair",
        starts_on=first, ends_on=first + timedelta(days=6), call_opens_on=first - timedelta(days=30),
        call_closes_on=first - timedelta(days=5),
    )  # fmt: skip


def event_on(world: World, festival: object, title: str, *, day: int, decision: str, status: str = Status.PUBLISHED):  # type: ignore[no-untyped-def]
    opportunity = make_opportunity(world.org_a, title_en=title, title_fr=title, status=status)
    opportunity.sessions.all().delete()
    local = festival.starts_on + timedelta(days=day)  # type: ignore[attr-defined]
    start = datetime(local.year, local.month, local.day, 18, tzinfo=PARIS)
    Session.objects.create(opportunity=opportunity, start=start, end=start + timedelta(hours=2))
    festival_models.Submission.objects.create(
        festival=festival, opportunity=opportunity, status=decision,
        decided_at=None if decision == festival_models.SubmissionStatus.PENDING else timezone.now(),
    )  # fmt: skip
    return opportunity


@pytest.mark.parametrize("starts_in", [10, -60], ids=["coming", "long over"])
def test_it_lists_the_accepted_published_events_of_the_festival(world: World, client: Client, starts_in: int) -> None:
    festival = make_festival(world, starts_in=starts_in)
    accepted = festival_models.SubmissionStatus.ACCEPTED
    event_on(world, festival, "Robotics", day=0, decision=accepted)
    event_on(world, festival, "Climate talk", day=2, decision=accepted)
    event_on(world, festival, "Archived talk", day=3, decision=accepted, status=Status.ARCHIVED)
    event_on(world, festival, "Declined", day=1, decision=festival_models.SubmissionStatus.DECLINED)
    event_on(world, festival, "Waiting", day=1, decision=festival_models.SubmissionStatus.PENDING)

    with translation.override("fr"):
        response = client.get(reverse("calendars:festival", args=["learning-fair"]))

    calendar = parse(response)
    assert [str(event["SUMMARY"]) for event in calendar.events] == ["Robotics", "Climate talk"]
    assert calendar.calendar_name == "Fête du savoir"
    assert str(calendar["URL"]) == "http://127.0.0.1:8000/fr/festival/learning-fair/", "the programme's page"
    assert response["Content-Disposition"] == 'attachment; filename="festival-learning-fair.ics"'


def test_it_names_the_festival_feed_in_english_under_en(world: World, client: Client) -> None:
    make_festival(world, starts_in=10)

    calendar = parse(client.get("/en/calendars/festivals/learning-fair.ics"))

    assert calendar.calendar_name == "Learning fair"
    assert calendar.events == []
