"""The public key figures and their open data: for everyone, with small counts suppressed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import ROLES
from tests.factories import World


@pytest.mark.parametrize("url", ["/en/key-figures/", "/en/key-figures.csv", "/en/key-figures.json"])
@pytest.mark.parametrize("role", ROLES)
def test_it_publishes_key_figures_to_everyone(
    world: World, client_for: Callable[[str], Client], url: str, role: str
) -> None:
    assert client_for(role).get(url).status_code == 200


def test_it_shows_figures_in_the_readers_language(world: World, client: Client) -> None:
    assert "Free offers" in client.get("/en/key-figures/").content.decode()
    assert "Offres gratuites" in client.get("/fr/key-figures/").content.decode()


def test_it_never_publishes_a_count_under_ten(world: World, client: Client) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/en/key-figures.csv").content.decode())))
    assert rows, "the open data has rows"
    suppressed = [row for row in rows if row["suppressed"]]
    assert all(row["value"] == "" for row in suppressed)
    assert client.get("/en/key-figures.xml").status_code == 404
    assert client.get("/en/key-figures/", {"year": "abc"}).status_code == 200
