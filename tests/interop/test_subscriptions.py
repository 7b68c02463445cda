"""Calendar subscriptions: an .ics address fetched and imported again, only where fetching is allowed."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.urls import reverse

from learningcity.catalogue.models import Opportunity
from learningcity.cli import main
from learningcity.interop import subscriptions
from learningcity.interop.models import JobStatus, Subscription
from tests.factories import World
from tests.interop.conftest import run_worker

pytestmark = pytest.mark.django_db

CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//Subscriptions//FR\r
BEGIN:VEVENT\r
UID:sub-1@test\r
DTSTAMP:20261101T090000Z\r
DTSTART;TZID=Europe/Paris:20261210T180000\r
DTEND;TZID=Europe/Paris:20261210T200000\r
SUMMARY:{title}\r
LOCATION:Médiathèque A venue\r
END:VEVENT\r
END:VCALENDAR\r
"""


class Agenda:
    """A calendar served over HTTP on localhost, whose title the test can change."""

    def __init__(self) -> None:
        self.title = "Heure du conte"
        agenda = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/agenda.ics":
                    self.send_error(404)
                    return
                body = CALENDAR.format(title=agenda.title).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agenda.ics"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def agenda(settings: Any) -> Iterator[Agenda]:
    settings.IMPORT_FETCH_URLS = True
    served = Agenda()
    yield served
    served.server.shutdown()


def test_a_followed_calendar_is_imported_then_kept_up_to_date(world: World, agenda: Agenda) -> None:
    subscription = subscriptions.subscription_create(
        organisation=world.org_a, by=world.users["provider_staff"], url=agenda.url
    )
    first = subscriptions.subscription_refresh(subscription)
    assert first is not None
    assert first.status == JobStatus.DONE
    listing = Opportunity.objects.get(source_records__external_id="sub-1@test")
    assert listing.title_fr == "Heure du conte"
    assert listing.organisation == world.org_a

    again = subscriptions.subscription_refresh(subscription)
    assert again is not None
    assert again.counts["unchanged"] == 1

    agenda.title = "Heure du conte (nouvel horaire)"
    assert CliRunner().invoke(main, ["import-subscriptions"]).exit_code == 0
    listing.refresh_from_db()
    assert listing.title_fr == "Heure du conte (nouvel horaire)"
    assert Opportunity.objects.filter(source_records__external_id="sub-1@test").count() == 1


def test_an_unreachable_address_is_reported_not_raised(world: World, agenda: Agenda) -> None:
    subscription = subscriptions.subscription_create(
        organisation=world.org_a, by=world.users["provider_staff"], url=agenda.url.replace("agenda", "missing")
    )
    assert subscriptions.subscription_refresh(subscription) is None
    subscription.refresh_from_db()
    assert "could not be fetched" in subscription.last_error
    assert subscription.last_checked_at is not None


def test_nothing_is_fetched_unless_the_deployment_allows_it(world: World, settings: Any) -> None:
    settings.IMPORT_FETCH_URLS = False
    with pytest.raises(ValidationError):
        subscriptions.subscription_create(
            organisation=world.org_a, by=world.users["provider_staff"], url="https://example.org/agenda.ics"
        )
    result = CliRunner().invoke(main, ["import-subscriptions"])
    assert result.exit_code == 1
    assert "IMPORT_FETCH_URLS" in result.output
    page = staff_client(world).get(reverse("interop:imports"))
    assert "Follow a calendar" not in page.content.decode()


def staff_client(world: World) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff = world.users["provider_staff"]
    assert staff is not None
    client.force_login(staff)
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_subscribing_on_the_imports_page(settings: Any) -> None:
    from django.utils import translation

    from tests.factories import make_world

    settings.IMPORT_FETCH_URLS = True
    agenda = Agenda()
    try:
        world = make_world()
        client = staff_client(world)
        with translation.override("en"):
            url = reverse("interop:subscribe")
        refused = client.post(url, {"subscription-url": "ftp://x", "subscription-organisation": world.org_a.pk})
        assert refused.status_code == 400
        response = client.post(
            url,
            {
                "subscription-url": agenda.url,
                "subscription-organisation": world.org_a.pk,
                "subscription-target_status": "draft",
            },
        )
        assert response.status_code == 302
        run_worker()
        assert Opportunity.objects.filter(title_fr="Heure du conte", organisation=world.org_a).exists()
        subscription = Subscription.objects.get()
        stop = client.post(reverse("interop:subscription", args=[subscription.pk]), {"action": "stop"})
        assert stop.status_code == 302
        subscription.refresh_from_db()
        assert not subscription.active
    finally:
        agenda.server.shutdown()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("other_resident", 403),
        ("provider_staff", 302),
        ("other_provider_staff", 403),
        ("coordinator", 302),
    ],
)
def test_who_may_act_on_a_subscription(world: World, client_for: Any, settings: Any, role: str, status: int) -> None:
    settings.IMPORT_FETCH_URLS = True
    subscription = Subscription.objects.create(
        city=world.city, organisation=world.org_a, url="https://example.org/agenda.ics"
    )
    response = client_for(role).post(reverse("interop:subscription", args=[subscription.pk]), {"action": "stop"})
    assert response.status_code == status
    subscription.refresh_from_db()
    assert subscription.active == (status != 302 or role == "anonymous")
