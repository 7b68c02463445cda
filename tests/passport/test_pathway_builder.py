"""Pathway rules: progress with AND / OR / n of m, the completion award, the builder's checks, publishing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.passport import pathway_builder as builder
from learningcity.passport import pathways, services
from learningcity.passport.models import (
    Achievement,
    AwardMethod,
    EntryKind,
    LearningEntry,
    Pathway,
    StepKind,
    StepRule,
)
from learningcity.passport.pathway_builder import PathwayDetails, StepDetails
from tests.factories import World, make_opportunity
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Any:
    """The builder's messages are checked in English (the site's default language is French)."""
    with translation.override("en"):
        yield


def achievements(world: World, *names: str, **fields: Any) -> list[Achievement]:
    return [make_achievement(world, name_en=name, name_fr=name, **fields) for name in names]


def draft(world: World, by: str = "provider_staff", **fields: Any) -> Pathway:
    organisation = world.org_a if by == "provider_staff" else None
    details = PathwayDetails(**{"name_fr": "Aide numérique", "name_en": "Digital helper", **fields})
    return builder.pathway_create(city=world.city, organisation=organisation, by=world.users[by], details=details)


def add(world: World, pathway: Pathway, by: str = "provider_staff", **fields: Any) -> Any:
    return builder.step_add(pathway=pathway, by=world.users[by], step=StepDetails(**fields))


def give(world: World, achievement: Achievement, role: str = "resident") -> Any:
    return services.award(achievement, services.Holder(user=world.users[role]), by=None, method=AwardMethod.HAND)


def percent(world: World, pathway: Pathway, role: str = "resident") -> tuple[int, bool]:
    user = world.users[role]
    assert user is not None
    found = pathways.progress(pathway, pathways.holdings(user.pk))
    return found.percent, found.complete


def test_all_of_any_of_and_n_of_m_count_as_they_say(world: World) -> None:
    one, two, three, four = achievements(world, "One", "Two", "Three", "Four")
    pathway = draft(world, rule=StepRule.N_OF_M, required_count=2)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one)
    either = add(world, pathway, kind=StepKind.GROUP, rule=StepRule.ANY, title_en="Either")
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=two, parent=either)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=three, parent=either)
    both = add(world, pathway, kind=StepKind.GROUP, rule=StepRule.ALL, title_en="Both")
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=four, parent=both)
    add(world, pathway, kind=StepKind.OPPORTUNITY, opportunity=world.published, parent=both)
    assert percent(world, pathway) == (0, False)
    give(world, three)  # one of "either": the group is done
    assert percent(world, pathway) == (50, False)
    give(world, four)  # half of "both": not done
    assert percent(world, pathway) == (50, False)
    give(world, one)  # 2 of the 3 top steps
    assert percent(world, pathway) == (100, True)


def test_the_completion_award_reaches_the_record_when_the_last_step_is_awarded(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    one, two, done = achievements(world, "One", "Two", "Done")
    pathway = draft(world, completion_achievement=done)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=two)
    builder.pathway_publish(pathway=pathway, by=world.users["provider_staff"])
    resident = world.users["resident"]
    with django_capture_on_commit_callbacks(execute=True):
        give(world, one)
    assert not done.awards.exists()
    with django_capture_on_commit_callbacks(execute=True):
        give(world, two)
    award = done.awards.get(recipient=resident)
    assert award.method == AwardMethod.PATHWAY
    entry = LearningEntry.objects.get(user=resident, award=award)
    assert (entry.kind, entry.title) == (EntryKind.AWARD, "Done")


def test_publishing_credits_those_who_completed_it_before_it_existed(world: World) -> None:
    one, two, done = achievements(world, "One", "Two", "Done")
    give(world, one)
    give(world, two)
    give(world, one, "other_resident")
    pathway = draft(world, completion_achievement=done)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=two)
    assert builder.pathway_publish(pathway=pathway, by=world.users["provider_staff"]) == 1
    assert [award.recipient for award in done.awards.all()] == [world.users["resident"]]


def test_publishing_credits_those_who_attended_its_listings(world: World) -> None:
    (done,) = achievements(world, "Done")
    session = Session.objects.filter(opportunity=world.published).get()
    attendee = world.users["other_resident"]
    assert attendee is not None
    Registration.objects.create(user=attendee, session=session, attended=True)
    pathway = draft(world, completion_achievement=done)
    add(world, pathway, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    assert builder.pathway_publish(pathway=pathway, by=world.users["provider_staff"]) == 1
    assert done.awards.get().recipient == world.users["other_resident"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name_fr": "", "name_en": " "}, "name_fr"),
        ({"rule": StepRule.N_OF_M, "required_count": None}, "required_count"),
        ({"rule": "most"}, "rule"),
    ],
)
def test_the_details_are_checked_field_by_field(world: World, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        draft(world, **fields)
    assert field in caught.value.message_dict
    assert not Pathway.objects.exists()


def test_the_completion_achievement_is_the_issuers_own_and_not_a_step(world: World) -> None:
    other = make_achievement(world, organisation=world.org_b, name_en="B's")
    with pytest.raises(ValidationError) as caught:
        draft(world, completion_achievement=other)
    assert "completion_achievement" in caught.value.message_dict
    (mine,) = achievements(world, "Mine")
    pathway = draft(world)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=mine)
    with pytest.raises(ValidationError, match="cannot also be one of its steps"):
        builder.pathway_update(
            pathway=pathway,
            by=world.users["provider_staff"],
            details=PathwayDetails(name_fr="x", name_en="", completion_achievement=mine),
        )


def test_no_step_twice_and_groups_nest_once(world: World) -> None:
    (one,) = achievements(world, "One")
    pathway = draft(world)
    group = add(world, pathway, kind=StepKind.GROUP, rule=StepRule.ALL)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one, parent=group)
    add(world, pathway, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    for fields, field in [
        ({"kind": StepKind.ACHIEVEMENT, "achievement": one}, "achievement"),
        ({"kind": StepKind.OPPORTUNITY, "opportunity": world.published}, "opportunity"),
        ({"kind": StepKind.GROUP, "parent": group}, "parent"),
        ({"kind": StepKind.OPPORTUNITY, "opportunity": world.draft}, "opportunity"),
    ]:
        with pytest.raises(ValidationError) as caught:
            add(world, pathway, **fields)
        assert field in caught.value.message_dict, fields
    assert pathway.steps.count() == 3


def test_it_will_not_publish_an_empty_pathway_an_empty_group_or_more_than_there_is(world: World) -> None:
    staff = world.users["provider_staff"]
    one, two = achievements(world, "One", "Two")
    pathway = draft(world, rule=StepRule.N_OF_M, required_count=2)
    with pytest.raises(ValidationError, match="Add at least one step"):
        builder.pathway_publish(pathway=pathway, by=staff)
    group = add(world, pathway, kind=StepKind.GROUP, rule=StepRule.N_OF_M, required_count=3, title_en="Practice")
    assert builder.problems(pathway) == [
        "The pathway asks for 2 steps but has only 1.",
        "The group “Practice” has no steps.",
    ]
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one, parent=group)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=two)
    assert builder.problems(pathway) == ["The group “Practice” asks for 3 steps but has only 1."]
    with pytest.raises(ValidationError):
        builder.pathway_publish(pathway=pathway, by=staff)
    assert not Pathway.objects.get(pk=pathway.pk).published


def test_steps_move_within_their_level_and_lock_once_published(world: World) -> None:
    one, two, three = achievements(world, "One", "Two", "Three")
    pathway = draft(world)
    first, second, third = (add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=a) for a in (one, two, three))
    staff = world.users["provider_staff"]
    builder.step_move(step=third, by=staff, direction="up")
    builder.step_move(step=first, by=staff, direction="up")  # already first: stays
    assert list(pathway.steps.order_by("position").values_list("achievement__name_en", flat=True)) == [
        "One",
        "Three",
        "Two",
    ]
    builder.step_remove(step=second, by=staff)
    builder.pathway_publish(pathway=pathway, by=staff)
    with pytest.raises(ValidationError, match="Withdraw the pathway"):
        builder.step_remove(step=first, by=staff)
    builder.pathway_withdraw(pathway=pathway, by=staff)
    builder.step_remove(step=first, by=staff)
    assert pathway.steps.count() == 1


def test_only_the_issuers_people_build(world: World) -> None:
    pathway = draft(world)
    city_pathway = draft(world, by="coordinator")
    for role in ("resident", "other_provider_staff", "coordinator"):
        assert not builder.can_manage_pathway(world.users[role], pathway), role
        with pytest.raises(PermissionDenied):
            add(world, pathway, by=role, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    assert not builder.can_manage_pathway(world.users["provider_staff"], city_pathway)
    with pytest.raises(PermissionDenied):
        builder.pathway_create(
            city=world.city, organisation=world.org_b, by=world.users["provider_staff"], details=PathwayDetails("a", "")
        )
    assert builder.issuers_for(world.users["coordinator"], world.city) == [None]
    assert builder.issuers_for(world.users["provider_staff"], world.city) == [world.org_a]


def test_an_attended_listing_counts_as_a_step(world: World) -> None:
    pathway = draft(world)
    add(world, pathway, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    other = make_opportunity(world.org_a, title_en="Pottery", title_fr="Poterie")
    add(world, pathway, kind=StepKind.OPPORTUNITY, opportunity=other)
    session = Session.objects.filter(opportunity=world.published).get()
    resident = world.users["resident"]
    assert resident is not None
    Registration.objects.create(user=resident, session=session, attended=True)
    assert percent(world, pathway) == (50, False)


def test_a_published_pathways_details_stay_consistent_and_new_completions_are_credited(world: World) -> None:
    one, two, done = achievements(world, "One", "Two", "Done")
    staff = world.users["provider_staff"]
    pathway = draft(world)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=one)
    add(world, pathway, kind=StepKind.ACHIEVEMENT, achievement=two)
    builder.pathway_publish(pathway=pathway, by=staff)
    give(world, one)
    too_many = PathwayDetails(name_fr="Aide", name_en="", rule=StepRule.N_OF_M, required_count=3)
    with pytest.raises(ValidationError, match="asks for 3 steps but has only 2"):
        builder.pathway_update(pathway=pathway, by=staff, details=too_many)
    either = PathwayDetails(name_fr="Aide", name_en="", rule=StepRule.ANY, completion_achievement=done)
    assert builder.pathway_update(pathway=pathway, by=staff, details=either) == 1
    assert done.awards.get().recipient == world.users["resident"]
