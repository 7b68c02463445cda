"""Every privacy page across the six roles (GET), and its French address."""

from __future__ import annotations

import pytest

from tests.conftest import ROLES
from tests.factories import World

PAGES = {
    "/en/privacy/": dict.fromkeys(ROLES, 200),
    "/en/privacy/my-data/": {**dict.fromkeys(ROLES, 200), "anonymous": 302},
    "/en/privacy/my-data/export.json": {**dict.fromkeys(ROLES, 200), "anonymous": 302},
    "/en/privacy/my-data/erase/": {**dict.fromkeys(ROLES, 200), "anonymous": 302},
    "/en/privacy/my-data/consent/": {**dict.fromkeys(ROLES, 405), "anonymous": 302},
    "/en/privacy/access-log/": {**dict.fromkeys(ROLES, 403), "anonymous": 302, "coordinator": 200},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_gets_what_it_should(world: World, client_for, path: str) -> None:  # type: ignore[no-untyped-def]
    got = {role: client_for(role).get(path).status_code for role in ROLES}
    assert got == PAGES[path]


def test_anonymous_visitors_are_sent_to_log_in(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for("anonymous").get("/en/privacy/my-data/")["Location"].startswith("/en/accounts/login/")


def test_posting_consent_or_erasure_needs_an_account(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    anonymous = client_for("anonymous")
    assert anonymous.post("/en/privacy/my-data/consent/").status_code == 302
    assert anonymous.post("/en/privacy/my-data/erase/", {"password": "x", "confirm": "on"}).status_code == 302


def test_pages_exist_in_french(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for("resident").get("/fr/privacy/my-data/").status_code == 200
    assert client_for("coordinator").get("/fr/privacy/access-log/").status_code == 200


def test_a_coordinator_sees_only_their_citys_log(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    from learningcity.privacy.models import StaffAccess
    from tests.factories import make_city

    other = make_city("elsewhere")
    staff = world.users["provider_staff"]
    assert staff is not None
    StaffAccess.objects.create(staff=staff, city=other, what="roster", path="/elsewhere")
    StaffAccess.objects.create(staff=staff, city=None, what="admin_person", path="/admin-x")
    page = client_for("coordinator").get("/en/privacy/access-log/").content.decode()
    assert "/elsewhere" not in page
    assert "/admin-x" not in page
