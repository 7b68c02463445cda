"""The permission matrix of the calendars: every feed and page, for every persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.calendars.services import feed_token_issue
from tests.conftest import ROLES
from tests.factories import World


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def resident_feed(world: World) -> str:
    return en("calendars:private-feed-ics", feed_token_issue(user=world.users["resident"], replacing=""))


# What each persona gets: 200 (allowed), 302 (sent to log in), 404 (hidden or unknown).
# Columns follow ROLES: anonymous, resident, other_resident, provider_staff, other_provider_staff, coordinator.
# Public feeds show published listings to anyone, and nothing else to anyone: a calendar application carries
# no login, so a feed is the same whoever asks. The private feed opens with its token, whoever holds it.
MATRIX: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("published opportunity feed", lambda w: en("calendars:opportunity", w.published.pk), [200] * 6),
    ("draft opportunity feed", lambda w: en("calendars:opportunity", w.draft.pk), [404] * 6),
    ("pending opportunity feed", lambda w: en("calendars:opportunity", w.pending.pk), [404] * 6),
    ("published session file", lambda w: en("calendars:session", w.published.sessions.get().pk), [200] * 6),
    ("draft session file", lambda w: en("calendars:session", w.draft.sessions.get().pk), [404] * 6),
    ("organisation feed", lambda w: en("calendars:organisation", w.org_a.pk), [200] * 6),
    ("district feed", lambda w: en("calendars:district", w.city.slug, "01"), [200] * 6),
    ("private feed with its token", resident_feed, [200] * 6),
    ("private feed with a wrong token", lambda w: en("calendars:private-feed-ics", "x" * 43), [404] * 6),
    ("private feed page", lambda w: en("calendars:private-feed"), [302, 200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize(("name", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_gives_each_persona_the_right_access(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str],
    expected: list[int], role_index: int,
) -> None:  # fmt: skip
    response = client_for(ROLES[role_index]).get(url(world))
    assert response.status_code == expected[role_index], f"{name} as {ROLES[role_index]}"


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_each_person_manage_only_their_own_address(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    resident_token = feed_token_issue(user=world.users["resident"], replacing="")

    response = client_for(role).post(en("calendars:private-feed"), {"action": "revoke"})

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(en("accounts:login"))
    else:
        assert response.status_code == 302
        assert response["Location"] == en("calendars:private-feed")
    still_open = Client().get(en("calendars:private-feed-ics", resident_token)).status_code == 200
    assert still_open == (role != "resident"), "only the resident can turn their own feed off"
