"""Integrity rules the database itself enforces."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learningcity.catalogue.models import Opportunity, Session, siret_checksum_valid
from tests.factories import World


def create(world: World, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {
        "city": world.city, "organisation": world.org_a, "title_fr": "Cours", "kind": "course",
        "venue": world.org_a.venues.first(),
    }  # fmt: skip
    values.update(fields)
    return Opportunity.objects.create(**values)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"age_min": 30, "age_max": 10}, "opportunity_ages_ordered"),
        ({"age_max": 130}, "opportunity_age_max_plausible"),
        ({"is_free": False, "price": "-1"}, "opportunity_price_non_negative"),
        ({"is_free": True, "price": "10"}, "opportunity_free_has_no_price"),
        ({"mode": "online", "venue": None, "online_url": ""}, "opportunity_online_has_link"),
        ({"mode": "on_site", "venue": None}, "opportunity_on_site_has_venue"),
        ({"title_fr": "", "title_en": ""}, "opportunity_has_a_title"),
    ],
)
def test_it_refuses_impossible_opportunities_in_the_database(
    world: World, fields: dict[str, Any], constraint: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create(world, **fields)


def test_it_refuses_a_session_ending_before_it_starts(world: World) -> None:
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(opportunity=world.published, start=start, end=start - timedelta(minutes=1))


def test_it_explains_invalid_fields_before_the_database_does(world: World) -> None:
    opportunity = Opportunity(
        city=world.city, organisation=world.org_a, kind="course", age_min=30, age_max=10, mode="online", is_free=False
    )
    with pytest.raises(ValidationError) as caught:
        opportunity.full_clean()
    assert set(caught.value.message_dict) >= {"age_max", "title_fr", "price", "online_url"}


@pytest.mark.parametrize(("siret", "valid"), [("73282932000074", True), ("73282932000075", False)])
def test_it_checks_siret_numbers(siret: str, valid: bool) -> None:
    assert siret_checksum_valid(siret) is valid


def test_it_shows_content_in_the_active_language_with_fallback(world: World) -> None:
    from django.utils import translation

    opportunity = create(world, title_fr="Seulement en français", title_en="")
    with translation.override("en"):
        assert opportunity.title == "Seulement en français"
        assert world.published.title == "Watercolour workshop"
    with translation.override("fr"):
        assert world.published.title == "Atelier d'aquarelle"
