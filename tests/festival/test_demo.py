"""The demo city holds this year's learning festival, with events accepted from demo providers."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from learningcity.demo.generator import DemoSummary
from learningcity.demo.names import CITY_SLUG, EMAIL_DOMAIN, ORGANISATION_A
from learningcity.festival import selectors
from learningcity.festival.models import Festival, SubmissionStatus
from tests.demo.conftest import ANCHOR, small_city  # noqa: F401 (the fixture)


def test_the_demo_city_has_this_years_festival_with_a_programme(small_city: DemoSummary, client: Client) -> None:  # noqa: F811
    festival = Festival.objects.get(city__slug=CITY_SLUG)
    assert festival.starts_on == ANCHOR + timedelta(days=21)
    assert festival.starts_on.year == ANCHOR.year
    assert festival.call_opens_on < ANCHOR < festival.call_closes_on, "providers can still submit"
    statuses = list(festival.submissions.values_list("status", flat=True))
    assert statuses.count(SubmissionStatus.ACCEPTED) >= 10
    assert SubmissionStatus.PENDING in statuses
    assert SubmissionStatus.DECLINED in statuses
    sessions = selectors.programme_sessions(festival)
    assert sessions.exists()
    districts = set(sessions.values_list("opportunity__venue__district_id", flat=True))
    assert len(districts) >= 3, "spread over districts"
    waiting = festival.submissions.filter(status=SubmissionStatus.PENDING)
    assert waiting.filter(opportunity__organisation__name=ORGANISATION_A[0]).exists(), "the demo provider waits"
    # One build is slow enough: the pages are checked on it too.
    assert client.get(reverse("festival:programme", args=[festival.slug])).status_code == 200
    client.login(email=f"coordinator@{EMAIL_DOMAIN}", password="learn-together-2026")
    assert client.get(reverse("festival:manage", args=[festival.slug])).status_code == 200
