"""Self-service erasure: the person is gone, the city's statistics and the append-only ledger are not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from analytics.indicators.framework import load_framework
from learningcity.accounts.models import FamilyMember, Membership, User
from learningcity.credits import services as credit_services
from learningcity.credits.models import Account, AuditRecord, Entry
from learningcity.enrolment.models import Registration
from learningcity.monitoring.dashboard import city_cells, not_reached
from learningcity.monitoring.indicator_tables import feedback_tables, participations
from learningcity.monitoring.models import Feedback
from learningcity.passport import services as passport_services
from learningcity.passport import verification
from learningcity.passport.models import Achievement, Award, GuardianConsent
from learningcity.privacy import audit
from learningcity.privacy.models import AccessKind, Erasure, StaffAccess
from learningcity.privacy.services import person_erase
from tests.factories import PASSWORD, World
from tests.privacy.conftest import Household, persona

ERASE = "/en/privacy/my-data/erase/"


def statistics(household: Household) -> dict[str, Any]:
    """What the city's monitoring computes from participation, with the person ids left out."""
    city, year = household.world.city, household.year
    frame = participations(city, year).drop(columns=["person_id"])
    people = participations(city, year)["person_id"].nunique()
    cells = city_cells(city, year, load_framework())
    reach = cells[cells["indicator"].isin(["participation-rate"])].reset_index(drop=True)
    return {
        "rows": frame.sort_values(list(frame.columns)).astype(str).to_dict("records"),
        "people": people,
        "reach": reach.astype(str).to_dict("records"),
        "not_reached": not_reached(city, year),
        "feedback": feedback_tables(city, year)["feedback"].astype(str).to_dict("records"),
    }


def erase_through_the_page(client: Client) -> Any:
    return client.post(ERASE, {"password": PASSWORD, "confirm": "on"})


def test_it_erases_the_account_and_the_person_can_no_longer_log_in(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    response = erase_through_the_page(client)
    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/"
    assert not User.objects.filter(email="alice@resident.test").exists()
    assert client.get("/en/privacy/my-data/").status_code == 302, "logged out"
    assert not Client().login(username="alice@resident.test", password=PASSWORD)
    tombstone = User.objects.get(pk=household.alice.pk)
    assert tombstone.email.endswith("@erased.invalid")
    assert tombstone.display_name == ""
    assert not tombstone.is_active
    assert not tombstone.has_usable_password()
    assert Erasure.objects.get(user=tombstone).reason == "self_service"


def test_failed_logins_counted_for_the_address_are_forgotten(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    Client().post("/en/accounts/login/", {"username": "Alice@resident.test", "password": "not-the-password"})
    assert AccessAttempt.objects.filter(username__iexact="alice@resident.test").exists()
    erase_through_the_page(client_for("resident"))
    assert not AccessAttempt.objects.filter(username__iexact="alice@resident.test").exists()


def test_the_admin_history_and_queued_password_resets_forget_the_person(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    from learningcity.accounts.password_reset import send_password_reset_email

    alice = household.alice
    LogEntry.objects.create(user=persona(household.world, "coordinator"), action_flag=CHANGE, object_id=str(alice.pk),
                            content_type=ContentType.objects.get_for_model(User), object_repr=str(alice),
                            change_message="Changed name")  # fmt: skip
    send_password_reset_email.enqueue(alice.email)
    assert [row for row in DBTaskResult.objects.all() if "alice" in str(row.args_kwargs).lower()]
    erase_through_the_page(client_for("resident"))
    entry = LogEntry.objects.get(object_id=str(alice.pk))
    assert (entry.object_repr, entry.change_message) == ("—", "")
    assert not [row for row in DBTaskResult.objects.all() if "alice" in str(row.args_kwargs).lower()]


def test_the_address_is_free_for_a_new_account_afterwards(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    erase_through_the_page(client_for("resident"))
    User.objects.create_user(email="alice@resident.test", password=PASSWORD)


def test_the_citys_statistics_are_identical_before_and_after(household: Household) -> None:
    before = statistics(household)
    assert before["people"] == 3
    assert before["not_reached"]
    assert before["reach"]
    person_erase(user=household.alice, by=household.alice)
    after = statistics(household)
    assert after == before


def test_family_members_are_erased_with_their_guardian(household: Household) -> None:
    person_erase(user=household.alice, by=household.alice)
    child = FamilyMember.objects.get(pk=household.child.pk)
    assert child.name == "—"
    assert child.removed_at is not None
    assert child.year_of_birth == 2016, "kept for the statistics, under no name"
    assert not FamilyMember.objects.filter(name="Zoé").exists()


def test_family_members_never_registered_are_deleted(world: World) -> None:
    resident = persona(world, "resident")
    FamilyMember.objects.create(account=resident, name="Léo", year_of_birth=2018)
    person_erase(user=resident, by=resident)
    assert not FamilyMember.objects.filter(account=resident).exists()


def test_words_written_by_the_person_go_but_ratings_stay(household: Household) -> None:
    person_erase(user=household.alice, by=household.alice)
    feedback = Feedback.objects.get(registration=household.registration)
    assert (feedback.rating, feedback.comment) == (4, "")


def make_achievement(world: World) -> Achievement:
    return Achievement.objects.create(city=world.city, organisation=world.org_a, name_fr="Atelier", name_en="Workshop",
                                      criteria_fr="Venir", criteria_en="Come")  # fmt: skip


def test_the_persons_and_their_childs_credentials_are_revoked(household: Household) -> None:
    world, alice = household.world, household.alice
    achievement = make_achievement(world)
    own = passport_services.award(achievement, passport_services.Holder(user=alice), by=None, method="hand")
    GuardianConsent.objects.create(family_member=household.child, guardian=alice)
    childs = passport_services.award(achievement, passport_services.Holder(family_member=household.child), by=None,
                                     method="hand")  # fmt: skip
    credentials = [own.credential, childs.credential]
    assert [verification.verify(c).outcome for c in credentials] == ["valid", "valid"]
    person_erase(user=alice, by=alice)
    assert [verification.verify(c).outcome for c in credentials] == ["revoked", "revoked"]
    assert not Award.objects.filter(pk__in=[own.pk, childs.pk]).exists()
    assert not GuardianConsent.objects.exists()


def test_the_append_only_ledger_is_intact(household: Household) -> None:
    world, alice = household.world, household.alice
    coordinator = persona(world, "coordinator")
    today = timezone.localdate()
    scheme = credit_services.scheme_create(city=world.city, by=coordinator, districts=[], fields={
        "name_fr": "Pass", "name_en": "Pass", "amount": 30, "budget": 1000,
        "valid_from": today - timedelta(days=1), "valid_until": today + timedelta(days=30)})  # fmt: skip
    credit_services.identity_check_record(city=world.city, by=coordinator, user=alice, document_kind="passport")
    from learningcity.credits.models import GrantRun

    run = GrantRun.objects.create(scheme=scheme, started_by=coordinator)
    credit_services.grant_run_execute(run_id=run.pk, batch_size=100)
    entries = list(Entry.objects.order_by("pk").values_list("pk", "account_id", "kind", "amount", "balance_after"))
    audit_trail = AuditRecord.objects.count()
    assert Account.objects.filter(user=alice).exists()
    assert entries
    person_erase(user=alice, by=alice)
    assert (
        list(Entry.objects.order_by("pk").values_list("pk", "account_id", "kind", "amount", "balance_after")) == entries
    )
    assert AuditRecord.objects.count() == audit_trail
    account = Account.objects.get(user_id=alice.pk)
    assert account.user.email.endswith("@erased.invalid"), "the ledger now points to a pseudonym"
    assert not alice.identity_checks.exists()


def test_provider_staff_lose_their_memberships(world: World) -> None:
    staff = persona(world, "provider_staff")
    person_erase(user=staff, by=staff)
    assert not Membership.objects.filter(user=staff).exists()


def test_a_coordinator_may_erase_their_account_and_the_access_log_keeps_a_pseudonym(household: Household) -> None:
    world = household.world
    coordinator = persona(world, "coordinator")
    subjects = audit.Subjects(world.city.pk, [household.alice.pk], "session:1")
    audit.staff_access_record(staff=coordinator, what=AccessKind.ROSTER, subjects=subjects, path="/x")
    person_erase(user=coordinator, by=coordinator)
    entry = StaffAccess.objects.get()
    assert entry.staff_id == coordinator.pk
    assert entry.staff.email.startswith("erased-")
    assert list(entry.subjects.all()) == [household.alice]
    coordinator.refresh_from_db()
    assert not coordinator.is_staff
    assert not coordinator.coordinated_cities.exists()


def test_it_is_refused_while_a_place_at_a_session_to_come_is_held(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    resident = persona(world, "resident")
    Registration.objects.create(user=resident, session=world.published.sessions.get())
    response = erase_through_the_page(client_for("resident"))
    assert response.status_code == 400
    assert "cancel it first" in response.content.decode()
    assert User.objects.filter(email="alice@resident.test").exists()


def test_it_asks_for_the_password(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    response = client.post(ERASE, {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Your password: This is not your password." in page
    assert User.objects.filter(email="alice@resident.test").exists()


def test_nobody_erases_someone_else(world: World) -> None:
    with pytest.raises(PermissionDenied):
        person_erase(user=persona(world, "resident"), by=persona(world, "coordinator"))


def test_it_is_all_or_nothing(household: Household, monkeypatch: pytest.MonkeyPatch) -> None:
    from learningcity.privacy import services

    def broken(user: User, now: Any) -> None:
        raise ValidationError("disk on fire")

    monkeypatch.setattr(services, "_pseudonymise", broken)
    with pytest.raises(ValidationError):
        person_erase(user=household.alice, by=household.alice)
    assert FamilyMember.objects.filter(name="Zoé").exists()
    assert Feedback.objects.get(registration=household.registration).comment.startswith("Alice loved")


def test_participation_counts_are_not_a_mock(household: Household) -> None:
    frame: pd.DataFrame = participations(household.world.city, household.year)
    assert len(frame) == 3
    assert set(frame["district"].astype(str)) == {"01"}
