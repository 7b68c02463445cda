"""Listing workflow and schedules."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from learningcity.catalogue import services
from learningcity.catalogue.models import BuildingBlock, Language, Opportunity, Status
from tests.factories import World

PARIS = ZoneInfo("Europe/Paris")


def fields(world: World) -> dict[str, object]:
    return {
        "title_fr": "Club de lecture", "title_en": "Reading club", "kind": "club", "age_min": 12, "age_max": 120,
        "venue": world.org_a.venues.first(), "mode": "on_site", "is_free": True,
    }  # fmt: skip


def relations() -> dict[str, object]:
    return {
        "building_blocks": list(BuildingBlock.objects.filter(code="culture-of-learning")),
        "languages": list(Language.objects.filter(code="fr")),
    }


def test_it_takes_a_listing_from_draft_to_published(world: World) -> None:
    staff, coordinator = world.users["provider_staff"], world.users["coordinator"]
    opportunity = services.opportunity_create(
        organisation=world.org_a, by=staff, fields=fields(world), relations=relations()
    )
    assert opportunity.status == Status.DRAFT
    services.session_schedule(
        opportunity=opportunity,
        by=staff,
        first_start=datetime(2030, 1, 7, 18, tzinfo=PARIS),
        first_end=datetime(2030, 1, 7, 20, tzinfo=PARIS),
    )
    services.opportunity_submit(opportunity=opportunity, by=staff)
    services.opportunity_publish(opportunity=opportunity, by=coordinator)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.PUBLISHED
    assert opportunity.published_at is not None


def test_it_refuses_to_submit_without_sessions(world: World) -> None:
    staff = world.users["provider_staff"]
    opportunity = services.opportunity_create(
        organisation=world.org_a, by=staff, fields=fields(world), relations=relations()
    )
    with translation.override("en"), pytest.raises(ValidationError, match="session"):
        services.opportunity_submit(opportunity=opportunity, by=staff)


def test_it_refuses_staff_of_another_provider(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            organisation=world.org_a,
            by=world.users["other_provider_staff"],
            fields=fields(world),
            relations=relations(),
        )
    assert not Opportunity.objects.filter(title_fr="Club de lecture").exists()


def test_it_does_not_let_providers_publish_their_own_listing(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.opportunity_publish(opportunity=world.pending, by=world.users["provider_staff"])


def test_it_needs_a_note_to_send_a_listing_back(world: World) -> None:
    with pytest.raises(ValidationError):
        services.opportunity_return(opportunity=world.pending, by=world.users["coordinator"], note="  ")
    services.opportunity_return(opportunity=world.pending, by=world.users["coordinator"], note="Ajoutez le prix.")
    world.pending.refresh_from_db()
    assert (world.pending.status, world.pending.review_note) == (Status.DRAFT, "Ajoutez le prix.")


def test_it_keeps_local_time_across_daylight_saving(world: World) -> None:
    sessions = services.session_schedule(
        opportunity=world.draft, by=world.users["provider_staff"],
        first_start=datetime(2030, 3, 20, 18, tzinfo=PARIS), first_end=datetime(2030, 3, 20, 20, tzinfo=PARIS),
        recurrence_rule="FREQ=WEEKLY;COUNT=3",
    )  # fmt: skip
    local_hours = [session.start.astimezone(PARIS).hour for session in sessions]
    utc_hours = [session.start.astimezone(ZoneInfo("UTC")).hour for session in sessions]
    assert local_hours == [18, 18, 18]
    assert utc_hours == [17, 17, 16], "France moves to summer time on 31 March 2030"
    assert len({session.series_key for session in sessions}) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [("FREQ=WEEKLY", "COUNT or UNTIL"), ("FREQ=SOMETIMES;COUNT=2", "not valid"), ("FREQ=DAILY;COUNT=5000", "at most")],
)
def test_it_rejects_bad_recurrence_rules_and_writes_nothing(world: World, rule: str, message: str) -> None:
    before = world.draft.sessions.count()
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        services.session_schedule(
            opportunity=world.draft,
            by=world.users["provider_staff"],
            first_start=datetime(2030, 1, 7, 18, tzinfo=PARIS),
            first_end=datetime(2030, 1, 7, 20, tzinfo=PARIS),
            recurrence_rule=rule,
        )
    assert world.draft.sessions.count() == before
