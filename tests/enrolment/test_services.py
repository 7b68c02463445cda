"""Registering, the waitlist, promotion with a deadline, cancellations, families, groups, windows, attendance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learningcity.accounts.models import Membership, User
from learningcity.accounts.services import family_member_add
from learningcity.catalogue.models import Session, Status
from learningcity.enrolment import selectors, services
from learningcity.enrolment.models import CancellationReason, Registration, RegistrationWindow
from learningcity.enrolment.services import RegistrationError
from learningcity.search.models import SearchEntry
from tests.enrolment.conftest import bookable, resident, series, verified
from tests.factories import World, make_organisation, make_user


def register(session: Session, user: Any, **options: Any) -> services.Booking:
    return services.registration_create(session=session, by=user, **options)


def test_it_confirms_while_places_last_then_waitlists_in_arrival_order(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    first = register(session, alice)
    second = register(session, bob)
    third = register(session, resident("carla@resident.test"))
    assert (first.status, second.status, third.status) == ("confirmed", "waitlisted", "waitlisted")
    assert [selectors.waitlist_position(b.first) for b in (second, third)] == [1, 2]


def test_it_gives_one_registration_to_someone_who_registers_twice(world: World, alice: User) -> None:
    session = bookable(world)
    first = register(session, alice)
    again = register(session, alice)
    assert again.created is False
    assert again.first.pk == first.first.pk
    assert Registration.objects.filter(session=session).count() == 1


def test_the_database_refuses_a_second_active_registration(world: World, alice: User) -> None:
    session = bookable(world)
    register(session, alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(user=alice, session=session)


def test_a_session_capacity_overrides_the_opportunity_and_none_means_no_limit(world: World) -> None:
    session = bookable(world, capacity=1)
    session.capacity = 3
    session.save()
    people = [resident(f"p{n}@resident.test") for n in range(4)]
    statuses = [register(session, person).status for person in people]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    unlimited = bookable(world, capacity=None)
    assert all(register(unlimited, person).status == "confirmed" for person in people)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"registration_required": False}, "no_registration"),
        ({"status": Status.DRAFT}, "not_published"),
    ],
)
def test_it_refuses_what_is_not_open_to_registration(
    world: World, alice: User, change: dict[str, Any], code: str
) -> None:
    session = bookable(world)
    type(session.opportunity).objects.filter(pk=session.opportunity_id).update(**change)
    session.refresh_from_db()
    with pytest.raises(RegistrationError) as refusal:
        register(session, alice)
    assert refusal.value.code == code
    assert not Registration.objects.exists()


def test_it_refuses_a_session_that_has_started(world: World, alice: User) -> None:
    session = bookable(world)
    with pytest.raises(RegistrationError, match="started"):
        register(session, alice, now=session.start + timedelta(minutes=1))


def test_it_keeps_to_the_registration_window(world: World, alice: User) -> None:
    session = bookable(world, days=10)
    now = timezone.now()
    window = RegistrationWindow.objects.create(opportunity=session.opportunity, opens_at=now + timedelta(days=1))
    with pytest.raises(RegistrationError) as early:
        register(session, alice)
    assert early.value.code == "not_open_yet"
    assert "opens on" in early.value.message
    window.opens_at, window.closes_at = now - timedelta(days=2), now - timedelta(days=1)
    window.save()
    with pytest.raises(RegistrationError) as late:
        register(session, alice)
    assert late.value.code == "closed"
    window.closes_at = now + timedelta(days=1)
    window.save()
    assert register(session, alice).status == "confirmed"


def test_it_needs_a_verified_email_address(world: World) -> None:
    session = bookable(world)
    with pytest.raises(services.EmailNotVerifiedError):
        register(session, world.users["resident"])
    assert not Registration.objects.exists()


def test_it_books_a_whole_series_as_one_booking(world: World, alice: User, bob: User) -> None:
    sessions = series(world, count=3, capacity=1)
    booking = register(sessions[1], alice)  # any session of the series books all of them
    assert booking.status == "confirmed"
    assert [row.session_id for row in booking.registrations] == [s.pk for s in sessions]
    assert len({row.booking_key for row in booking.registrations}) == 1
    waiting = register(sessions[0], bob)
    assert waiting.status == "waitlisted"
    assert len(waiting.registrations) == 3
    services.registration_cancel(registration=booking.registrations[2], by=alice)
    assert set(Registration.objects.filter(user=alice).values_list("status", flat=True)) == {"cancelled"}
    assert set(Registration.objects.filter(user=bob).values_list("status", flat=True)) == {"offered"}


def test_a_series_booking_waits_when_one_of_its_sessions_is_full(world: World, alice: User, bob: User) -> None:
    sessions = series(world, count=2, capacity=2)
    sessions[1].capacity = 1
    sessions[1].save()
    register(sessions[0], alice)
    assert register(sessions[0], bob).status == "waitlisted"


def test_a_guardian_registers_children_within_the_age_limits(world: World, alice: User) -> None:
    session = bookable(world, age_min=6, age_max=12, capacity=5)
    year = timezone.localtime(session.start).year
    child = family_member_add(account=alice, name="Léo", year_of_birth=year - 8)
    toddler = family_member_add(account=alice, name="Inès", year_of_birth=year - 2)
    booking = register(session, alice, family_member=child)
    assert booking.status == "confirmed"
    assert booking.first.participant_name == "Léo"
    with pytest.raises(RegistrationError) as refusal:
        register(session, alice, family_member=toddler)
    assert refusal.value.code == "too_young"
    assert "6" in refusal.value.message
    alice.year_of_birth = year - 40
    alice.save()
    with pytest.raises(RegistrationError) as adult:
        register(session, alice)
    assert adult.value.code == "too_old"


def test_the_guardian_and_each_child_get_their_own_place(world: World, alice: User) -> None:
    session = bookable(world, capacity=3)
    first = family_member_add(account=alice, name="Léo", year_of_birth=2015)
    second = family_member_add(account=alice, name="Inès", year_of_birth=2017)
    statuses = [register(session, alice, family_member=m).status for m in (None, first, second)]
    assert statuses == ["confirmed"] * 3
    assert register(session, alice, family_member=first).created is False


def test_nobody_registers_someone_else_s_family_member(world: World, alice: User, bob: User) -> None:
    session = bookable(world)
    child = family_member_add(account=alice, name="Léo", year_of_birth=2015)
    with pytest.raises(PermissionDenied):
        register(session, bob, family_member=child)


def test_a_group_booking_takes_n_places(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=30)
    school = make_organisation(world.city, "École Jules Ferry")
    teacher = resident("teacher@school.test")
    Membership.objects.create(user=teacher, organisation=school)
    booking = register(session, teacher, group_name="CM2 B", group_organisation=school, places=28)
    assert booking.status == "confirmed"
    assert selectors.session_places([session], session.opportunity)[session.pk].left == 2
    register(session, alice)
    register(session, bob)
    assert register(session, resident("late@resident.test")).status == "waitlisted"


def test_group_bookings_are_for_organisations_and_must_fit(world: World, alice: User) -> None:
    session = bookable(world, capacity=10)
    with pytest.raises(PermissionDenied):
        register(session, alice, group_name="My friends", group_organisation=world.org_a, places=3)
    staff = verified(world.users["provider_staff"])
    with pytest.raises(ValidationError) as error:
        register(session, staff, group_name="Big class", group_organisation=world.org_a, places=11)
    assert "places" in error.value.message_dict
    with pytest.raises(ValidationError) as wrong_organisation:
        register(session, staff, group_name="Class", group_organisation=world.org_b, places=2)
    assert "group_organisation" in wrong_organisation.value.message_dict
    assert not Registration.objects.exists()


def test_cancelling_offers_the_place_to_the_first_waiting_with_a_deadline(
    world: World, alice: User, bob: User, settings: Any
) -> None:
    settings.ENROLMENT_OFFER_HOURS = 24
    session = bookable(world, capacity=1, days=5)
    mine = register(session, alice)
    waiting = register(session, bob)
    now = timezone.now()
    services.registration_cancel(registration=mine.first, by=alice, now=now)
    offered = Registration.objects.get(pk=waiting.first.pk)
    assert offered.status == "offered"
    assert offered.offer_expires_at == now + timedelta(hours=24)
    assert Registration.objects.get(pk=mine.first.pk).cancellation_reason == CancellationReason.PARTICIPANT
    services.registration_confirm(registration=offered, by=bob)
    assert Registration.objects.get(pk=offered.pk).status == "confirmed"


def test_the_deadline_never_passes_the_start_of_the_session(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1, days=1)
    mine = register(session, alice)
    register(session, bob)
    services.registration_cancel(registration=mine.first, by=alice)
    assert Registration.objects.get(user=bob).offer_expires_at == session.start


def test_an_unanswered_offer_goes_to_the_next_person_once(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1, days=5)
    carla = resident("carla@resident.test")
    mine = register(session, alice)
    register(session, bob)
    register(session, carla)
    services.registration_cancel(registration=mine.first, by=alice)
    later = timezone.now() + timedelta(hours=49)
    assert services.offers_expire(now=later) == 1
    assert services.offers_expire(now=later) == 0, "a second run changes nothing"
    bob_row = Registration.objects.get(user=bob)
    assert (bob_row.status, bob_row.cancellation_reason) == ("cancelled", CancellationReason.OFFER_EXPIRED)
    assert Registration.objects.get(user=carla).status == "offered"


def test_confirming_too_late_is_refused_and_passes_the_place_on(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1, days=5)
    carla = resident("carla@resident.test")
    mine = register(session, alice)
    register(session, bob)
    register(session, carla)
    services.registration_cancel(registration=mine.first, by=alice)
    offer = Registration.objects.get(user=bob)
    with pytest.raises(RegistrationError) as refusal:
        services.registration_confirm(registration=offer, by=bob, now=timezone.now() + timedelta(days=3))
    assert refusal.value.code == "offer_expired"
    assert Registration.objects.get(user=bob).status == "cancelled"
    assert Registration.objects.get(user=carla).status == "offered"


def test_a_group_waiting_for_more_places_keeps_its_turn(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=3)
    staff = verified(world.users["provider_staff"])
    register(session, alice)
    register(session, bob)
    carla_booking = register(session, resident("carla@resident.test"))
    group = register(session, staff, group_name="Club", group_organisation=world.org_a, places=2)
    dan = register(session, resident("dan@resident.test"))
    assert group.status == dan.status == "waitlisted"
    services.registration_cancel(registration=carla_booking.first, by=carla_booking.first.user)
    assert Registration.objects.get(pk=group.first.pk).status == "waitlisted", "one place is not enough for two"
    assert Registration.objects.get(pk=dan.first.pk).status == "offered"


def test_only_the_owner_cancels_and_cancelling_twice_is_harmless(world: World, alice: User, bob: User) -> None:
    session = bookable(world)
    mine = register(session, alice)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=mine.first, by=bob)
    services.registration_cancel(registration=mine.first, by=alice)
    again = services.registration_cancel(registration=mine.first, by=alice)
    assert again[0].status == "cancelled"
    assert register(session, alice).created, "a cancelled person may register again"


def test_the_provider_cancels_a_session_for_everyone(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    register(session, alice)
    register(session, bob)
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, by=world.users["other_provider_staff"])
    services.session_cancel(session=session, by=world.users["provider_staff"], reason="Speaker ill")
    rows = Registration.objects.filter(session=session)
    assert {(r.status, r.cancellation_reason) for r in rows} == {("cancelled", CancellationReason.SESSION)}
    with pytest.raises(RegistrationError) as refusal:
        register(session, resident("late@resident.test"))
    assert refusal.value.code == "session_cancelled"
    assert services.session_cancel(session=session, by=world.users["coordinator"]).reason == "Speaker ill"


def test_attendance_is_taken_on_the_day_and_gives_rates(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=5)
    present = register(session, alice).first
    register(session, bob)
    staff = world.users["provider_staff"]
    with pytest.raises(ValidationError, match="day of the session"):
        services.attendance_record(session=session, by=staff, present=[present.pk])
    with pytest.raises(ValidationError) as unknown:
        services.attendance_record(session=session, by=staff, present=[999_999], now=session.start)
    assert "present" in unknown.value.message_dict
    assert services.attendance_record(session=session, by=staff, present=[present.pk], now=session.start) == (1, 1)
    rates = selectors.opportunity_rates(opportunity=session.opportunity)
    assert (rates.attendance_percent, rates.no_show_percent) == (50, 50)
    with pytest.raises(PermissionDenied):
        services.attendance_record(session=session, by=world.users["other_provider_staff"], present=[])


def test_the_search_index_learns_when_a_session_fills_and_frees(world: World, alice: User) -> None:
    session = bookable(world, capacity=1)
    entry = SearchEntry.objects.get(pk=session.opportunity_id)
    assert entry.has_places
    booking = register(session, alice)
    assert not SearchEntry.objects.get(pk=session.opportunity_id).has_places
    services.registration_cancel(registration=booking.first, by=alice)
    assert SearchEntry.objects.get(pk=session.opportunity_id).has_places


def test_a_failure_while_charging_leaves_no_registration(
    world: World, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The credits app plugs into price_charge; if it refuses, the whole registration is undone.
    session = bookable(world)

    def refuse(**_kwargs: object) -> None:
        raise ValidationError("Not enough credit.")

    monkeypatch.setattr(services, "price_charge", refuse)
    with pytest.raises(ValidationError):
        register(session, alice)
    assert not Registration.objects.exists()


def test_removing_a_family_member_waits_for_their_registrations(world: World, alice: User) -> None:
    from learningcity.accounts.services import family_member_remove

    session = bookable(world)
    child = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    booking = register(session, alice, family_member=child)
    with pytest.raises(ValidationError, match="cancel it first"):
        family_member_remove(member=child, by=alice)
    services.registration_cancel(registration=booking.first, by=alice)
    family_member_remove(member=child, by=alice)
    with pytest.raises(PermissionDenied):
        register(session, alice, family_member=child)


def test_an_inactive_or_anonymous_person_cannot_register(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    session = bookable(world)
    with pytest.raises(PermissionDenied):
        register(session, AnonymousUser())
    gone = verified(make_user("gone@resident.test", is_active=False))
    with pytest.raises(PermissionDenied):
        register(session, gone)


def test_places_added_by_the_provider_go_to_those_waiting(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    register(session, alice)
    waiting = register(session, bob)
    session.capacity = 2
    session.save()
    assert services.waitlists_promote() == 1
    assert services.waitlists_promote() == 0, "a second run changes nothing"
    assert Registration.objects.get(pk=waiting.first.pk).status == "offered"
