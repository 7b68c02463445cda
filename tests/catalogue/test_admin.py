"""Coordinators curate their own city's catalogue in the admin, and no other city's."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.factories import World, make_city, make_organisation


def test_it_shows_a_coordinator_only_their_city(world: World, client_for: Callable[[str], Client]) -> None:
    elsewhere = make_organisation(make_city("elsewhere"), "Bibliothèque d'ailleurs")
    client = client_for("coordinator")
    listing = client.get("/en/admin/catalogue/organisation/").content.decode()
    assert "Médiathèque A" in listing
    assert "Bibliothèque d&#x27;ailleurs" not in listing
    assert client.get(f"/en/admin/catalogue/organisation/{elsewhere.pk}/change/").status_code == 302
    assert client.get(f"/en/admin/catalogue/organisation/{world.org_a.pk}/change/").status_code == 200


def test_it_lets_a_coordinator_verify_a_provider(world: World, client_for: Callable[[str], Client]) -> None:
    world.org_a.verified = False
    world.org_a.save()
    page = client_for("coordinator").get(f"/en/admin/catalogue/organisation/{world.org_a.pk}/change/")
    assert 'name="verified"' in page.content.decode()
