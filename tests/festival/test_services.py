"""The festival's rules: who opens it and decides, what may be submitted and when, all-or-nothing writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from learningcity.catalogue.models import BuildingBlock, Language, Opportunity, Status
from learningcity.festival import services
from learningcity.festival.models import Festival, Submission, SubmissionStatus
from tests.factories import World, make_opportunity, make_organisation
from tests.festival.conftest import at, event, make_festival, other_coordinator, submitted, today


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are checked in English (the default language is French)."""
    with translation.override("en"):
        yield


def festival_fields(**changes: Any) -> dict[str, Any]:
    day = today()
    fields: dict[str, Any] = {
        "name_fr": "Fête du savoir", "name_en": "Learning fair", "theme_fr": "", "theme_en": "",
        "starts_on": day + timedelta(days=30), "ends_on": day + timedelta(days=36),
        "call_opens_on": day, "call_closes_on": day + timedelta(days=20),
    }  # fmt: skip
    fields.update(changes)
    return fields


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_it_opens_a_festival_with_an_address_from_its_name_and_year(world: World) -> None:
    festival = services.festival_create(city=world.city, by=world.users["coordinator"], fields=festival_fields())
    assert festival.slug == f"learning-fair-{festival.starts_on.year}"
    again = services.festival_create(city=world.city, by=world.users["coordinator"], fields=festival_fields())
    assert again.slug == f"learning-fair-{festival.starts_on.year}-2", "addresses never collide"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ends_on": today() + timedelta(days=29)}, "ends_on", "on or after the first day"),
        ({"call_closes_on": today() - timedelta(days=1)}, "call_closes_on", "on or after the day it opens"),
        ({"call_closes_on": today() + timedelta(days=40)}, "call_closes_on", "by the festival's last day"),
        ({"name_en": ""}, "name_en", "cannot be blank"),
    ],
    ids=["dates out of order", "call closes before it opens", "call closes after the festival", "no English name"],
)
def test_it_explains_impossible_festivals_field_by_field(world: World, changes: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.festival_create(city=world.city, by=world.users["coordinator"], fields=festival_fields(**changes))
    assert words in " ".join(field_errors(error)[field])
    assert not Festival.objects.exists()


def test_the_database_refuses_impossible_dates_whatever_writes_them(world: World) -> None:
    festival = make_festival(world)
    for changes in ({"ends_on": festival.starts_on - timedelta(days=1)},
                    {"call_closes_on": festival.ends_on + timedelta(days=1)},
                    {"call_closes_on": festival.call_opens_on - timedelta(days=1)}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Festival.objects.filter(pk=festival.pk).update(**changes)


@pytest.mark.parametrize("role", ["resident", "provider_staff", "other_coordinator"])
def test_only_the_citys_coordinators_open_or_change_its_festival(world: World, role: str) -> None:
    user = other_coordinator() if role == "other_coordinator" else world.users[role]
    with pytest.raises(PermissionDenied):
        services.festival_create(city=world.city, by=user, fields=festival_fields())
    festival = make_festival(world)
    with pytest.raises(PermissionDenied):
        services.festival_update(festival=festival, by=user, fields={"name_en": "Mine now"})
    festival.refresh_from_db()
    assert festival.name_en == "Learning fair"


def test_it_takes_a_providers_published_listing_into_the_call(world: World, festival: Festival) -> None:
    submission = services.submission_create(
        festival=festival, opportunity_id=world.published.pk, by=world.users["provider_staff"], note=" Salle B "
    )
    assert submission.status == SubmissionStatus.PENDING
    assert submission.note == "Salle B"
    assert submission.submitted_by == world.users["provider_staff"]


def test_a_submitted_draft_goes_to_the_review_queue_and_is_published_when_accepted(
    world: World, festival: Festival
) -> None:
    submission = services.submission_create(
        festival=festival, opportunity_id=world.draft.pk, by=world.users["provider_staff"]
    )
    world.draft.refresh_from_db()
    assert world.draft.status == Status.PENDING
    services.submission_accept(submission=submission, by=world.users["coordinator"], message="Bienvenue !")
    world.draft.refresh_from_db()
    assert world.draft.status == Status.PUBLISHED
    submission.refresh_from_db()
    assert (submission.status, submission.message) == (SubmissionStatus.ACCEPTED, "Bienvenue !")
    assert submission.decided_by == world.users["coordinator"]


def submit_error(world: World, festival: Festival, opportunity_id: int | None, role: str = "provider_staff") -> str:
    with pytest.raises(ValidationError) as error:
        services.submission_create(festival=festival, opportunity_id=opportunity_id, by=world.users[role])
    if hasattr(error.value, "error_dict"):
        return " ".join(error.value.message_dict["opportunity"])
    return " ".join(error.value.messages)


def test_it_refuses_another_organisations_listing_on_the_opportunity_field(world: World, festival: Festival) -> None:
    assert "belongs to another organisation" in submit_error(world, festival, world.other_draft.pk)
    assert "Choose one of your organisation" in submit_error(world, festival, 999_999)
    assert not Submission.objects.exists()


def test_it_refuses_a_listing_with_no_session_during_the_festival(world: World, festival: Festival) -> None:
    late = event(world.org_a, at(festival, 10, 14), title_en="Too late")
    message = submit_error(world, festival, late.pk)
    assert "None of the sessions of “Too late” takes place between" in message
    assert "the festival's dates" in message


def test_it_refuses_an_archived_or_already_submitted_listing(world: World, festival: Festival) -> None:
    world.draft.status = Status.ARCHIVED
    world.draft.save()
    assert "archived" in submit_error(world, festival, world.draft.pk)
    submitted(festival, world.published)
    assert "already submitted" in submit_error(world, festival, world.published.pk)


@pytest.mark.parametrize(("call", "words"), [((-10, -1), "closed on"), ((1, 5), "opens on")])
def test_it_refuses_submissions_outside_the_call(world: World, call: tuple[int, int], words: str) -> None:
    festival = make_festival(world, call=call)
    assert words in submit_error(world, festival, world.published.pk)
    assert not Submission.objects.exists()


def test_staff_of_an_unverified_organisation_cannot_submit(world: World, festival: Festival) -> None:
    world.org_a.verified = False
    world.org_a.save()
    with pytest.raises(PermissionDenied):
        services.submission_create(
            festival=festival, opportunity_id=world.published.pk, by=world.users["provider_staff"]
        )


def new_event(world: World, festival: Festival, **changes: Any) -> Submission:
    fields: dict[str, Any] = {
        "title_fr": "Fabrique de cerfs-volants", "title_en": "Kite workshop", "kind": "festival_event",
        "age_min": 6, "age_max": 120, "is_free": True, "mode": "on_site", "venue": world.org_a.venues.first(),
    }  # fmt: skip
    start = changes.pop("start", at(festival, 2, 14))
    fields.update(changes)
    relations = {
        "building_blocks": list(BuildingBlock.objects.filter(code="families-communities")),
        "languages": list(Language.objects.filter(code="fr")), "topics": [], "audience_labels": [],
    }  # fmt: skip
    return services.submission_create_new(
        festival=festival, organisation=world.org_a, by=world.users["provider_staff"], fields=fields,
        relations=relations, start=start, end=start + timedelta(hours=2),
    )  # fmt: skip


def test_it_creates_schedules_and_submits_a_new_event_in_one_go(world: World, festival: Festival) -> None:
    submission = new_event(world, festival)
    opportunity = submission.opportunity
    assert (opportunity.title_en, opportunity.status) == ("Kite workshop", Status.PENDING)
    assert [session.start for session in opportunity.sessions.all()] == [at(festival, 2, 14)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"start": "after the festival"}, "start"), ({"mode": "online"}, "online_url")],
    ids=["outside the festival", "online without a link"],
)
def test_a_new_event_is_saved_entirely_or_not_at_all(
    world: World, festival: Festival, changes: Any, field: str
) -> None:
    if "start" in changes:
        changes = {"start": at(festival, 12, 14)}
    before = Opportunity.objects.count()
    with pytest.raises(ValidationError) as error:
        new_event(world, festival, **changes)
    assert field in error.value.message_dict
    assert Opportunity.objects.count() == before
    assert not Submission.objects.exists()


def test_a_new_event_after_the_call_closed_leaves_nothing_behind(world: World) -> None:
    festival = make_festival(world, call=(-10, -1))
    before = Opportunity.objects.count()
    with pytest.raises(ValidationError, match="closed on"):
        new_event(world, festival)
    assert Opportunity.objects.count() == before


def test_declining_needs_a_message_and_each_submission_is_decided_once(world: World, festival: Festival) -> None:
    submission = submitted(festival, world.published)
    with pytest.raises(ValidationError) as error:
        services.submission_decline(submission=submission, by=world.users["coordinator"], message="  ")
    assert "Tell the provider why" in " ".join(error.value.message_dict["message"])
    services.submission_decline(submission=submission, by=world.users["coordinator"], message="Complet.")
    with pytest.raises(ValidationError, match="already made"):
        services.submission_accept(submission=submission, by=world.users["coordinator"])
    submission.refresh_from_db()
    assert (submission.status, submission.message) == (SubmissionStatus.DECLINED, "Complet.")
    assert submission.decided_at is not None
    assert submission.decided_at <= timezone.now()


@pytest.mark.parametrize("role", ["provider_staff", "other_provider_staff", "resident", "other_coordinator"])
def test_only_the_citys_coordinators_decide(world: World, festival: Festival, role: str) -> None:
    submission = submitted(festival, world.published)
    user = other_coordinator() if role == "other_coordinator" else world.users[role]
    with pytest.raises(PermissionDenied):
        services.submission_accept(submission=submission, by=user)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_a_listing_sent_back_to_draft_cannot_be_accepted(world: World, festival: Festival) -> None:
    submission = submitted(festival, world.draft)
    with pytest.raises(ValidationError, match="went back to draft"):
        services.submission_accept(submission=submission, by=world.users["coordinator"])


def test_a_provider_of_another_city_cannot_submit(world: World, festival: Festival) -> None:
    from learningcity.accounts.models import Membership
    from tests.factories import make_city

    staff = world.users["provider_staff"]
    assert staff is not None
    elsewhere = make_organisation(make_city("elsewhere"), "Ailleurs")
    Membership.objects.create(user=staff, organisation=elsewhere)
    theirs = make_opportunity(elsewhere)
    with pytest.raises(PermissionDenied):
        services.submission_create(festival=festival, opportunity_id=theirs.pk, by=staff)
