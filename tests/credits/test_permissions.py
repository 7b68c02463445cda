"""The permission matrix: every learning-credit page and action, for every persona."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from learningcity.accounts.services import coordinator_appoint
from learningcity.credits import services
from learningcity.credits.models import Account, JobSeekerDeclaration, Scheme
from tests.conftest import ROLES
from tests.credits.conftest import grant_now, make_scheme, resident_of
from tests.factories import World, make_city, make_user


@dataclass
class Setting:
    """The world, with a scheme granted to one resident and a job-seeker declaration waiting."""

    world: World
    scheme: Scheme
    account: Account
    declaration: JobSeekerDeclaration


@pytest.fixture
def setting(world: World) -> Setting:
    scheme = make_scheme(world)
    resident = resident_of(world.city, "carla@resident.test")
    grant_now(world, scheme)
    declaration = services.job_seeker_declare(user=resident, city=world.city, evidence_kind="registration",
                                              evidence_reference="123")  # fmt: skip
    return Setting(world, scheme, Account.objects.get(user=resident), declaration)


COORDINATORS_ONLY = [302, 403, 403, 403, 403, 200]
PAGE_MATRIX: list[tuple[str, Callable[[Setting], str], list[int]]] = [
    ("my credit", lambda s: reverse("credits:mine"), [302, 200, 200, 200, 200, 200]),
    ("job-seeker declaration", lambda s: reverse("credits:job-seeker"), [302, 200, 200, 200, 200, 200]),
    ("coordinate", lambda s: reverse("credits:coordinate"), COORDINATORS_ONLY),
    ("new scheme", lambda s: reverse("credits:scheme-add"), COORDINATORS_ONLY),
    ("scheme", lambda s: reverse("credits:scheme", args=[s.scheme.pk]), COORDINATORS_ONLY),
    ("edit scheme", lambda s: reverse("credits:scheme-edit", args=[s.scheme.pk]), COORDINATORS_ONLY),
    ("identity checks", lambda s: reverse("credits:identity"), COORDINATORS_ONLY),
    ("job-seeker queue", lambda s: reverse("credits:job-seekers"), COORDINATORS_ONLY),
    ("job-seeker decision", lambda s: reverse("credits:job-seeker-decide", args=[s.declaration.pk]), COORDINATORS_ONLY),
    ("account", lambda s: reverse("credits:account", args=[s.account.pk]), COORDINATORS_ONLY),
    ("ledger", lambda s: reverse("credits:ledger"), COORDINATORS_ONLY),
    ("ledger CSV", lambda s: reverse("credits:ledger") + "?download=csv", COORDINATORS_ONLY),
]


# One test per page, every persona in turn (building the world once per page keeps the suite fast).
@pytest.mark.parametrize(("name", "url", "expected"), PAGE_MATRIX, ids=[row[0] for row in PAGE_MATRIX])
def test_it_gives_each_persona_the_right_access_to_pages(
    setting: Setting, client_for: Callable[[str], Client], name: str, url: Callable[[Setting], str],
    expected: list[int],
) -> None:  # fmt: skip
    got = [client_for(role).get(url(setting), HTTP_ACCEPT_LANGUAGE="en").status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


# POST actions: a coordinator's success redirects (302); others are sent to log in (302) or refused (403).
ACTION_MATRIX: list[tuple[str, Callable[[Setting], str], dict[str, str], list[int]]] = [
    ("grant", lambda s: reverse("credits:scheme-grant", args=[s.scheme.pk]), {}, [302, 403, 403, 403, 403, 302]),
    (
        "identity check",
        lambda s: reverse("credits:identity"),
        {"email": "carla@resident.test", "document_kind": "passport", "seen": "on"},
        [302, 403, 403, 403, 403, 302],
    ),
    (
        "correction",
        lambda s: reverse("credits:account", args=[s.account.pk]),
        {"amount": "-5.00", "note": "Double grant"},
        [302, 403, 403, 403, 403, 302],
    ),
    (
        "job-seeker decision",
        lambda s: reverse("credits:job-seeker-decide", args=[s.declaration.pk]),
        {"decision": "reject", "note": "Proof out of date"},
        [302, 403, 403, 403, 403, 302],
    ),
    (
        "new scheme",
        lambda s: reverse("credits:scheme-add"),
        {"name_fr": "Pass", "amount": "10", "budget": "100", "valid_from": "2030-01-01", "valid_until": "2030-12-31"},
        [302, 403, 403, 403, 403, 302],
    ),
    (
        "declare job seeker",
        lambda s: reverse("credits:job-seeker"),
        {"evidence_kind": "registration", "evidence_reference": "42", "honest": "on"},
        [302, 302, 302, 302, 302, 302],
    ),
]


# Personas in ROLES order: the coordinator, whose action succeeds, comes last.
@pytest.mark.parametrize(("name", "url", "data", "expected"), ACTION_MATRIX, ids=[row[0] for row in ACTION_MATRIX])
def test_it_lets_each_persona_do_only_what_they_may(
    setting: Setting, client_for: Callable[[str], Client], name: str, url: Callable[[Setting], str],
    data: dict[str, str], expected: list[int],
) -> None:  # fmt: skip
    responses = {role: client_for(role).post(url(setting), data, HTTP_ACCEPT_LANGUAGE="en") for role in ROLES}
    got = {role: response.status_code for role, response in responses.items()}
    assert got == dict(zip(ROLES, expected, strict=True)), name
    assert "/login/" in responses["anonymous"]["Location"]


def test_it_refuses_the_coordinator_of_another_city(setting: Setting, client: Client) -> None:
    stranger = coordinator_appoint(user=make_user("coordinator@elsewhere.test"), city=make_city("autreville"))
    client.force_login(stranger)
    assert client.get(reverse("credits:ledger")).status_code == 403
    assert client.get(reverse("credits:account", args=[setting.account.pk])).status_code == 403


def test_it_hides_schemes_of_other_cities_from_coordinators(setting: Setting, client: Client) -> None:
    other_city = make_city("autreville")
    other = services.scheme_create(
        city=other_city, by=coordinator_appoint(user=make_user("c@elsewhere.test"), city=other_city),
        fields={"name_fr": "Autre", "amount": 5, "budget": 50, "valid_from": "2030-01-01",
                "valid_until": "2030-02-01"}, districts=[],
    )  # fmt: skip
    client.force_login(setting.world.users["coordinator"])  # type: ignore[arg-type]
    assert client.get(reverse("credits:scheme", args=[other.pk])).status_code == 404
    assert client.post(reverse("credits:scheme-grant", args=[other.pk])).status_code == 404
