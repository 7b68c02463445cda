"""The demo's named personas: coordinator, two providers' staff, two residents and an admin.

They are the only accounts with a usable password. The six share `DEMO_PASSWORD`, hashed once per
build with a salt drawn from the seeded generator, so two builds store the same hash.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from learningcity.accounts.models import Membership, User
from learningcity.accounts.services import coordinators_group
from learningcity.catalogue.models import City
from learningcity.demo.bulk import TableWriter, next_id
from learningcity.demo.names import EMAIL_DOMAIN, ORGANISATION_A, ORGANISATION_B
from learningcity.demo.timeslots import Clock

DEMO_PASSWORD = "learn-together-2026"  # noqa: S105 (the demo's published password)


@dataclass(frozen=True)
class Persona:
    """A demo login: its role label, e-mail and who they are."""

    role: str
    email: str
    display_name: str
    sex: str
    year_of_birth: int | None
    district: str
    language: str = "fr"
    organisation: str = ""
    is_staff: bool = False
    is_superuser: bool = False


PERSONAS: list[Persona] = [
    Persona("coordinator", f"coordinator@{EMAIL_DOMAIN}", "Claire Moreau", "F", 1978, "Centre-Ville", is_staff=True),
    Persona(
        f"{ORGANISATION_A[0]} staff",
        f"provider@{EMAIL_DOMAIN}",
        "Julien Petit",
        "M",
        1985,
        "Les Rives",
        organisation=ORGANISATION_A[0],
    ),
    Persona(
        f"{ORGANISATION_B[0]} staff",
        f"provider2@{EMAIL_DOMAIN}",
        "Aïcha Benali",
        "F",
        1991,
        "La Gare",
        organisation=ORGANISATION_B[0],
    ),
    Persona("resident", f"resident@{EMAIL_DOMAIN}", "Camille Durand", "F", 1990, "Les Rives"),
    Persona(
        "another resident",
        f"resident2@{EMAIL_DOMAIN}",
        "Andriy Kovalenko",
        "M",
        1979,
        "La Croix-Blanche",
        language="en",
    ),
    Persona("admin", f"admin@{EMAIL_DOMAIN}", "Admin Villeneuve", "", None, "", is_staff=True, is_superuser=True),
]

DEMO_LOGINS: list[tuple[str, str]] = [(persona.role, persona.email) for persona in PERSONAS]


def create_personas(
    *, rng: random.Random, clock: Clock, city: City, district_ids: dict[str, int], organisation_ids: dict[str, int]
) -> dict[str, User]:
    """Create the six demo accounts with their roles; returns them by e-mail."""
    password = make_password(DEMO_PASSWORD, salt="".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=22)))
    first_id = next_id(User)
    users = {}
    for number, persona in enumerate(PERSONAS):
        first_name, _, last_name = persona.display_name.partition(" ")
        user = User(
            id=first_id + number,
            email=persona.email,
            password=password,
            display_name=persona.display_name,
            first_name=first_name,
            last_name=last_name,
            sex=persona.sex,
            year_of_birth=persona.year_of_birth,
            district_id=district_ids.get(persona.district),
            preferred_language=persona.language,
            is_staff=persona.is_staff,
            is_superuser=persona.is_superuser,
            date_joined=clock.local(-400, 600),
            email_verified_at=clock.local(-400, 610),  # demo logins can register at once
        )
        user.save(force_insert=True)
        users[persona.email] = user
    _grant_roles(users, city, clock, organisation_ids)
    return users


def _grant_roles(users: dict[str, User], city: City, clock: Clock, organisation_ids: dict[str, int]) -> None:
    coordinator = users[PERSONAS[0].email]
    coordinator.coordinated_cities.add(city)
    coordinator.groups.add(coordinators_group())
    rows: list[tuple[Any, ...]] = [
        (users[persona.email].pk, organisation_ids[persona.organisation], clock.moment(-380, 600))
        for persona in PERSONAS
        if persona.organisation
    ]
    TableWriter(Membership, ("user_id", "organisation_id", "created_at")).write(rows)
