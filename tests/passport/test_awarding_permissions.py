"""The permission matrix of awarding: every page and action, for every persona."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from learningcity.passport.models import Achievement, Award, AwardRequest
from tests.conftest import ROLES
from tests.factories import World
from tests.passport.test_awarding_helpers import PNG, give, make_achievement, media, person, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@dataclass
class Setting:
    world: World
    achievement: Achievement  # provider A's, with an open claim code and an image
    city_achievement: Achievement  # the city's own
    award: Award  # of `achievement`, held by other_resident
    request: AwardRequest  # other_resident asks for the city's achievement, with a file


@pytest.fixture
def setting(world: World) -> Setting:
    achievement = make_achievement(world, claim_code="OPENCODE42", claim_open_until=timezone.now() + timedelta(days=1))
    achievement.image.save("badge.png", ContentFile(PNG))
    city_achievement = make_achievement(world, organisation=None, name_en="Volunteer", name_fr="Bénévole")
    request = AwardRequest.objects.create(
        achievement=achievement, user=person(world, "other_resident"), message="I came"
    )
    request.evidence_file.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"))
    return Setting(world, achievement, city_achievement, give(world, achievement), request)


MANAGERS_OF_A = [302, 403, 403, 200, 403, 403]
ISSUERS = [302, 403, 403, 200, 200, 200]
EVERYONE = [200] * 6
LOGGED_IN = [302, 200, 200, 200, 200, 200]
COORDINATORS = [302, 403, 403, 403, 403, 200]
BACK_TO_UPLOAD = [302, 403, 403, 302, 403, 403]  # a preview that is not in the session: upload again
PAGE_MATRIX: list[tuple[str, Callable[[Setting], str], list[int]]] = [
    ("workspace", lambda s: url("passport:issuer"), ISSUERS),
    ("keys", lambda s: url("passport:issuer-keys"), ISSUERS),
    ("new achievement", lambda s: url("passport:achievement-add"), ISSUERS),
    ("manage", lambda s: url("passport:achievement-manage", s.achievement.uuid), MANAGERS_OF_A),
    ("edit", lambda s: url("passport:achievement-edit", s.achievement.uuid), MANAGERS_OF_A),
    ("printable QR", lambda s: url("passport:achievement-qr", s.achievement.uuid), MANAGERS_OF_A),
    ("award by hand", lambda s: url("passport:award-hand", s.achievement.uuid), MANAGERS_OF_A),
    ("award from roster", lambda s: url("passport:award-roster", s.achievement.uuid), MANAGERS_OF_A),
    ("award from CSV", lambda s: url("passport:award-csv", s.achievement.uuid), MANAGERS_OF_A),
    ("CSV preview gone", lambda s: url("passport:award-csv-preview", s.achievement.uuid, "x"), BACK_TO_UPLOAD),
    ("revoke", lambda s: url("passport:award-revoke", s.award.uuid), MANAGERS_OF_A),
    ("request review", lambda s: url("passport:request-review", s.request.pk), MANAGERS_OF_A),
    ("request evidence", lambda s: url("passport:request-evidence", s.request.pk), [302, 404, 200, 200, 404, 404]),
    ("city's achievement", lambda s: url("passport:achievement-manage", s.city_achievement.uuid), COORDINATORS),
    ("public page", lambda s: url("passport:achievement", s.achievement.uuid), EVERYONE),
    ("public page (fr)", lambda s: url("passport:achievement", s.achievement.uuid, language="fr"), EVERYONE),
    ("image", lambda s: url("passport:achievement-image", s.achievement.uuid), EVERYONE),
    ("ask for it", lambda s: url("passport:achievement-request", s.achievement.uuid), LOGGED_IN),
    ("endorse", lambda s: url("passport:achievement-endorse", s.achievement.uuid), [302, 403, 403, 403, 200, 403]),
    ("claim", lambda s: url("passport:claim"), LOGGED_IN),
    ("claim code", lambda s: url("passport:claim-code", "OPENCODE42"), LOGGED_IN),
]  # fmt: skip


# One test per page, every persona in turn (building the setting once per page keeps the suite fast).
@pytest.mark.parametrize(("name", "address", "expected"), PAGE_MATRIX, ids=[row[0] for row in PAGE_MATRIX])
def test_it_gives_each_persona_the_right_access_to_pages(
    setting: Setting, client_for: Callable[[str], Client], name: str, address: Callable[[Setting], str],
    expected: list[int],
) -> None:  # fmt: skip
    got = [client_for(role).get(address(setting)).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


EDIT = {
    "name_en": "Changed", "criteria_en": "Do it", "achievement_type": "Badge", "level": "discovery", "active": "on",
    "skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0",
}  # fmt: skip


def _rotate_a(s: Setting) -> dict[str, Any]:
    return {"issuer": f"o{s.world.org_a.pk}", "confirm": "on"}


# POST actions: success redirects (302); anonymous people are sent to log in (302), others refused (403).
ACTION_MATRIX: list[tuple[str, Callable[[Setting], str], Callable[[Setting], dict[str, Any]], list[int]]] = [
    ("award by hand", lambda s: url("passport:award-hand", s.achievement.uuid),
     lambda s: {"email": "alice@resident.test"}, [302, 403, 403, 302, 403, 403]),
    ("revoke", lambda s: url("passport:award-revoke", s.award.uuid),
     lambda s: {"reason": "Given by mistake"}, [302, 403, 403, 302, 403, 403]),
    ("rotate provider A's key", lambda s: url("passport:issuer-keys"), _rotate_a, [302, 403, 403, 302, 403, 403]),
    ("decline a request", lambda s: url("passport:request-review", s.request.pk),
     lambda s: {"decision": "decline", "note": "Not enough"}, [302, 403, 403, 302, 403, 403]),
    ("edit", lambda s: url("passport:achievement-edit", s.achievement.uuid),
     lambda s: EDIT, [302, 403, 403, 302, 403, 403]),
    ("endorse", lambda s: url("passport:achievement-endorse", s.achievement.uuid),
     lambda s: {"organisation": s.world.org_b.pk, "comment": "Good"}, [302, 403, 403, 403, 302, 403]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "address", "data", "expected"), ACTION_MATRIX, ids=[row[0] for row in ACTION_MATRIX])
def test_it_lets_only_the_right_persona_act(
    setting: Setting, client_for: Callable[[str], Client], name: str, address: Callable[[Setting], str],
    data: Callable[[Setting], dict[str, Any]], expected: list[int],
) -> None:  # fmt: skip
    got = [client_for(role).post(address(setting), data(setting)).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


def test_anonymous_people_are_sent_to_log_in_with_the_way_back(setting: Setting, client: Client) -> None:
    response = client.get(url("passport:claim-code", "OPENCODE42"))
    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert "OPENCODE42" in response["Location"]


def test_a_resident_is_told_why_the_workspace_is_closed(setting: Setting, client_for: Callable[[str], Client]) -> None:
    response = client_for("resident").get(url("passport:issuer"))
    assert response.status_code == 403
    assert "staff of a provider organisation" in response.content.decode()
