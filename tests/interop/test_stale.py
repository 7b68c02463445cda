"""Stale listings: the coordinator's list, the e-mail asking the provider to confirm, the confirm page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import Membership
from learningcity.catalogue.models import Opportunity, Organisation, Status
from learningcity.interop.curation_models import ConfirmationRequest
from tests.conftest import ROLES
from tests.factories import World, make_opportunity, make_user
from tests.interop.conftest import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def days_ago(days: int) -> Any:
    return timezone.localdate() - timedelta(days=days)


def make_stale(world: World) -> dict[str, Opportunity]:
    """Two stale listings of A (one never verified), one of B, and listings that must not show."""
    return {
        "old": make_opportunity(world.org_a, title_en="Old A", last_verified=days_ago(400)),
        "never": make_opportunity(world.org_a, title_en="Never A", last_verified=None),
        "old_b": make_opportunity(world.org_b, title_en="Old B", last_verified=days_ago(500)),
        "recent": make_opportunity(world.org_a, title_en="Recent A", last_verified=days_ago(30)),
        "old_draft": make_opportunity(
            world.org_a, status=Status.DRAFT, title_en="Draft old A", last_verified=days_ago(800)
        ),
    }  # fmt: skip


def test_it_lists_published_listings_not_confirmed_for_a_year_by_provider(
    world: World, client_for: Callable[[str], Client]
) -> None:
    make_stale(world)
    response = client_for("coordinator").get(reverse("interop:curation-stale"))
    page = response.content.decode()
    assert response.status_code == 200
    for title in ["Old A", "Never A", "Old B"]:
        assert title in page
    for title in ["Recent A", "Draft old A", "Watercolour workshop"]:
        assert title not in page
    assert {"Old A", "Never A"} <= set(listed_under(page, world.org_a))
    assert listed_under(page, world.org_b) == ["Old B"]
    assert "never" in page


def listed_under(page: str, organisation: Organisation) -> list[str]:
    """The listing titles in a provider's section of the stale page."""
    import re

    start = page.index(f'<h2 id="provider-{organisation.pk}">')
    end = page.find("</section>", start)
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', page[start:end])


def test_the_limit_in_months_follows_the_setting(
    world: World, client_for: Callable[[str], Client], settings: Any
) -> None:
    make_stale(world)
    settings.LISTING_STALE_MONTHS = 15
    page = client_for("coordinator").get(reverse("interop:curation-stale")).content.decode()
    assert "Old B" in page
    assert "Old A" not in page, "400 days is less than 15 months"


def test_asking_records_the_request_and_queues_the_e_mail(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    listings = make_stale(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("coordinator").post(
            reverse("interop:curation-stale-ask"), {"opportunity": listings["old"].pk}, follow=True
        )
    assert "Asked Médiathèque A to confirm 1 listing." in response.content.decode()
    [request] = ConfirmationRequest.objects.all()
    assert (request.opportunity, request.requested_by, request.confirmed_at) == (
        listings["old"], world.users["coordinator"], None,
    )  # fmt: skip
    assert DBTaskResult.objects.count() == 1
    page = client_for("coordinator").get(reverse("interop:curation-stale")).content.decode()
    assert "not yet" in page, "the other listings were not asked"


def test_a_provider_without_staff_cannot_be_asked(world: World, client_for: Callable[[str], Client]) -> None:
    lonely = Organisation.objects.create(city=world.city, name="Club C", sector="informal", type="association")
    listing = make_opportunity(lonely, title_en="Chess club", venue=world.org_a.venues.first(), last_verified=None)
    client = client_for("coordinator")
    assert "has no staff account" in client.get(reverse("interop:curation-stale")).content.decode()
    response = client.post(reverse("interop:curation-stale-ask"), {"opportunity": listing.pk}, follow=True)
    assert "Club C has no staff account on the platform" in response.content.decode()
    assert not ConfirmationRequest.objects.exists()


def test_asking_for_nothing_says_so(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").post(reverse("interop:curation-stale-ask"), {"opportunity": "x"}, follow=True)
    assert "Choose at least one listing to confirm." in response.content.decode()


def test_the_confirm_page_confirms_in_one_click(world: World, client_for: Callable[[str], Client]) -> None:
    listing = make_stale(world)["old"]
    ConfirmationRequest.objects.create(opportunity=listing, requested_by=world.users["coordinator"])
    client = client_for("provider_staff")
    url = reverse("interop:curation-confirm", args=[listing.pk])
    page = client.get(url).content.decode()
    assert "The city's coordinators asked you to check this listing." in page
    assert reverse("catalogue:opportunity-edit", args=[listing.pk]) in page
    response = client.post(url, follow=True)
    assert "is confirmed as accurate today" in response.content.decode()
    listing.refresh_from_db()
    assert listing.last_verified == timezone.localdate()
    [request] = ConfirmationRequest.objects.all()
    assert request.confirmed_at is not None
    assert request.confirmed_by == world.users["provider_staff"]
    assert "Old A" not in client_for("coordinator").get(reverse("interop:curation-stale")).content.decode()


PAGES: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("stale listings", lambda w: reverse("interop:curation-stale"), [302, 403, 403, 403, 403, 200]),
    ("confirm a listing of A", lambda w: reverse("interop:curation-confirm", args=[w.published.pk]),
     [302, 403, 403, 200, 403, 403]),
    ("confirm a missing listing", lambda w: reverse("interop:curation-confirm", args=[999999]),
     [302, 404, 404, 404, 404, 404]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[row[0] for row in PAGES])
def test_it_gives_each_persona_the_right_access_to_pages(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str], expected: list[int]
) -> None:
    # One world for the six personas: reading a page changes nothing (and keeps the suite fast).
    got = [client_for(role).get(url(world)).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


ACTIONS: list[tuple[str, str, Callable[[World], str], Callable[[World], dict[str, Any]], list[int]]] = [
    ("ask for one listing", "asked", lambda w: reverse("interop:curation-stale-ask"),
     lambda w: {"opportunity": w.published.pk}, [302, 403, 403, 403, 403, 302]),
    ("ask a provider", "asked", lambda w: reverse("interop:curation-stale-ask"),
     lambda w: {"organisation": w.org_a.pk}, [302, 403, 403, 403, 403, 302]),
    ("confirm", "confirmed", lambda w: reverse("interop:curation-confirm", args=[w.published.pk]),
     lambda w: {}, [302, 403, 403, 302, 403, 403]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "effect", "url", "data", "expected"), ACTIONS, ids=[row[0] for row in ACTIONS])
def test_it_lets_only_the_right_persona_act(
    world: World, client_for: Callable[[str], Client], name: str, effect: str, url: Callable[[World], str],
    data: Callable[[World], dict[str, Any]], expected: list[int],
) -> None:  # fmt: skip
    # The personas act in turn on one world, the one allowed last; each refusal must leave it unchanged.
    Opportunity.objects.filter(pk=world.published.pk).update(last_verified=days_ago(400))
    turns = sorted(zip(ROLES, expected, strict=True), key=lambda turn: turn[1] == 302 and turn[0] != "anonymous")
    for role, status in turns:
        response = client_for(role).post(url(world), data(world))
        assert response.status_code == status, f"{name} as {role}"
        allowed = status == 302 and role != "anonymous"
        world.published.refresh_from_db()
        done = (
            ConfirmationRequest.objects.exists()
            if effect == "asked"
            else world.published.last_verified == timezone.localdate()
        )
        assert done == allowed, f"{name} as {role}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestTheEmail:
    """Through the real task worker and a real SMTP server (the worker needs committed data)."""

    def test_each_staff_member_gets_one_e_mail_in_their_language_with_the_links(
        self, world: World, client_for: Callable[[str], Client], smtp_sink: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:  # fmt: skip
        listings = make_stale(world)
        staff = world.users["provider_staff"]
        assert staff is not None
        staff.preferred_language = "en"
        staff.save()
        colleague = make_user("colleague@a.test", display_name="Frank", preferred_language="fr")
        Membership.objects.create(user=colleague, organisation=world.org_a)
        with django_capture_on_commit_callbacks(execute=True):
            client_for("coordinator").post(reverse("interop:curation-stale-ask"), {"organisation": world.org_a.pk})
        assert ConfirmationRequest.objects.count() == 2
        assert smtp_sink.messages == [], "the e-mail is queued, not sent in the request"
        run_worker()
        messages = {message["To"]: message for message in smtp_sink.messages}
        assert set(messages) == {"staff@a.test", "colleague@a.test"}
        english, french = messages["staff@a.test"], messages["colleague@a.test"]
        # (Python's e-mail package folds a long encoded subject onto a second line; strip the fold's space.)
        assert english["Subject"].strip() == "Médiathèque A: are these 2 listings still accurate?"
        body = english.get_content()
        assert "Hello Carol," in body
        for key in ["old", "never"]:
            assert f"/en/provider/opportunities/{listings[key].pk}/confirm/" in body
        assert "Old A" in body
        assert "never confirmed" in body
        assert "Old B" not in body
        assert f"/fr/provider/opportunities/{listings['old'].pk}/confirm/" in french.get_content()
