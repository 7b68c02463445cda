"""Fixtures for the demo city: a small build, a default-size build, and a content digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from learningcity.accounts.models import Membership, User
from learningcity.catalogue.models import (
    City,
    District,
    Opportunity,
    Organisation,
    PopulationCount,
    Session,
    Topic,
    Venue,
)
from learningcity.demo.generator import DemoSummary, build_demo_city
from learningcity.demo.names import CITY_SLUG, EMAIL_DOMAIN
from learningcity.enrolment.models import Registration

ANCHOR = date(2026, 3, 15)
SMALL = {"size": 600, "residents": 150, "anchor": ANCHOR}


@pytest.fixture
def small_city(db: None) -> DemoSummary:
    """A quick demo city: 600 opportunities, 150 residents."""
    return build_demo_city(**SMALL)  # type: ignore[arg-type]


@pytest.fixture
def default_city(db: None) -> DemoSummary:
    """The demo city at its default size (8,000 opportunities, 2,000 residents)."""
    return build_demo_city(anchor=ANCHOR)


class _RollbackError(Exception):
    """Undoes a build once its digest is taken."""


def digest_of_build(**arguments: Any) -> str:
    """Build the city inside a savepoint, digest its content, then roll it back."""
    digest = ""
    try:
        with transaction.atomic():
            build_demo_city(**arguments)
            digest = content_digest()
            raise _RollbackError
    except _RollbackError:
        return digest


def content_digest() -> str:
    """A SHA-256 of every row the build wrote, relations given by natural keys where ids come from elsewhere."""
    city = City.objects.get(slug=CITY_SLUG)
    opportunities = Opportunity.objects.filter(city=city)
    users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    tables: list[Iterable[Any]] = [
        City.objects.filter(pk=city.pk).values_list(),
        District.objects.filter(city=city).order_by("pk").values_list(),
        PopulationCount.objects.filter(district__city=city).order_by("pk").values_list(),
        Organisation.objects.filter(city=city).order_by("pk").values_list(),
        Venue.objects.filter(city=city).order_by("pk").values_list(),
        opportunities.order_by("pk").values_list(),
        Session.objects.filter(opportunity__city=city).order_by("pk").values_list(),
        opportunities.order_by("pk", "building_blocks__code").values_list("pk", "building_blocks__code"),
        opportunities.order_by("pk", "topics__code").values_list("pk", "topics__code"),
        opportunities.order_by("pk", "audience_labels__code").values_list("pk", "audience_labels__code"),
        opportunities.order_by("pk", "languages__code").values_list("pk", "languages__code"),
        Topic.objects.order_by("code").values_list("code", "name_fr", "name_en", "formacode", "parent__code"),
        users.order_by("pk").values_list(),
        Membership.objects.filter(user__in=users)
        .order_by("user_id")
        .values_list("user_id", "organisation_id", "created_at"),
        Registration.objects.filter(user__in=users)
        .order_by("user_id", "session_id")
        .values_list("user_id", "session_id", "status", "attended", "created_at"),
    ]
    digest = hashlib.sha256()
    for rows in tables:
        for row in rows:
            digest.update(repr(row).encode())
        digest.update(b"|")
    return digest.hexdigest()
