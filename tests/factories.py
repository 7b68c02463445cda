"""Small builders for test data: a city with two providers and the six personas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from learningcity.accounts.models import Membership, User
from learningcity.accounts.services import coordinator_appoint
from learningcity.catalogue.models import (
    BuildingBlock,
    City,
    District,
    Language,
    Opportunity,
    Organisation,
    PopulationCount,
    Session,
    Status,
    Venue,
)
from learningcity.catalogue.reference import load_reference_data

PASSWORD = "correct-horse-battery-staple"


def make_city(slug: str = "testville") -> City:
    """A city with two districts (and the shared vocabularies, which a flushed test database lacks)."""
    load_reference_data()
    city = City.objects.create(name=slug.title(), slug=slug, latitude=47.39, longitude=0.69)
    for code, name in [("01", "Centre"), ("02", "Les Rives")]:
        district = District.objects.create(city=city, code=code, name=name)
        PopulationCount.objects.create(district=district, age_min=0, age_max=120, sex="F", count=5000, year=2025)
    return city


def make_organisation(city: City, name: str) -> Organisation:
    """A verified provider with one venue."""
    organisation = Organisation.objects.create(city=city, name=name, sector="non_formal", type="library", verified=True)
    Venue.objects.create(
        city=city,
        organisation=organisation,
        name=f"{name} venue",
        address="1 rue de la Paix",
        latitude=47.39,
        longitude=0.69,
        district=city.districts.first(),
        step_free_access=True,
    )
    return organisation


def make_opportunity(organisation: Organisation, *, status: str = Status.PUBLISHED, **fields: Any) -> Opportunity:
    """An on-site opportunity at the organisation's venue, with one upcoming session."""
    values: dict[str, Any] = {
        "title_fr": "Atelier d'aquarelle", "title_en": "Watercolour workshop",
        "description_fr": "On apprend les bases de l'aquarelle.", "description_en": "Learn watercolour basics.",
        "kind": "workshop", "age_min": 8, "age_max": 120, "venue": organisation.venues.first(),
        "last_verified": timezone.localdate(),
    }  # fmt: skip
    values.update(fields)
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        city_id=organisation.city_id, organisation=organisation, status=status,
        published_at=now if status == Status.PUBLISHED else None, **values,
    )  # fmt: skip
    opportunity.building_blocks.set([BuildingBlock.objects.get(code="culture-of-learning")])
    opportunity.languages.set([Language.objects.get(code="fr")])
    start = now + timedelta(days=3)
    Session.objects.create(opportunity=opportunity, start=start, end=start + timedelta(hours=2))
    return opportunity


def make_user(email: str, **fields: Any) -> User:
    """A user with the shared test password."""
    return User.objects.create_user(email=email, password=PASSWORD, **fields)


@dataclass
class World:
    """A city, two providers and the six personas of the permission matrix."""

    city: City
    org_a: Organisation
    org_b: Organisation
    users: dict[str, User | None]
    published: Opportunity
    draft: Opportunity
    pending: Opportunity
    other_draft: Opportunity


def make_world() -> World:
    """Personas: anonymous, resident, another resident, provider staff, staff of another provider, coordinator."""
    city = make_city()
    org_a = make_organisation(city, "Médiathèque A")
    org_b = make_organisation(city, "Musée B")
    staff = make_user("staff@a.test", display_name="Carol")
    Membership.objects.create(user=staff, organisation=org_a)
    other_staff = make_user("staff@b.test", display_name="Dave")
    Membership.objects.create(user=other_staff, organisation=org_b)
    coordinator = coordinator_appoint(user=make_user("coordinator@city.test", display_name="Erin"), city=city)
    users: dict[str, User | None] = {
        "anonymous": None,
        "resident": make_user("alice@resident.test", display_name="Alice"),
        "other_resident": make_user("bob@resident.test", display_name="Bob"),
        "provider_staff": staff,
        "other_provider_staff": other_staff,
        "coordinator": coordinator,
    }
    return World(
        city=city, org_a=org_a, org_b=org_b, users=users,
        published=make_opportunity(org_a),
        draft=make_opportunity(org_a, status=Status.DRAFT, title_fr="Brouillon A", title_en="Draft A"),
        pending=make_opportunity(org_a, status=Status.PENDING, title_fr="En attente A", title_en="Pending A"),
        other_draft=make_opportunity(org_b, status=Status.DRAFT, title_fr="Brouillon B", title_en="Draft B"),
    )  # fmt: skip
