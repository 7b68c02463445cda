"""Spending, refunds, corrections and expiry: one locked account, one entry each, never below zero."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from learningcity.catalogue.models import Opportunity
from learningcity.credits import selectors, services
from learningcity.credits.models import Account, AuditRecord, Entry, EntryKind, Scheme
from learningcity.credits.services import CreditChangedError, quote, refund_registration, spend_for_registration
from tests.credits.conftest import balance, check_identity, grant_now, make_scheme, register, resident_of
from tests.factories import World, make_opportunity


def assert_ledger_holds() -> None:
    """Every stored balance equals the sum of its entries and the last entry's balance after."""
    for account in Account.objects.all():
        entries = account.entries.order_by("created_at", "pk")
        assert account.balance == sum(entry.amount for entry in entries)
        assert account.balance == entries.last().balance_after  # type: ignore[union-attr]
        assert account.balance >= 0
    assert selectors.ledger_discrepancies() == []


def test_it_spends_the_credit_and_writes_one_entry(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    with transaction.atomic():
        spent = spend_for_registration(registration, quote(resident, priced))
    assert spent == Decimal("20.00")
    assert balance(resident, credited) == Decimal("10.00")  # type: ignore[arg-type]
    entry = Entry.objects.get(kind=EntryKind.SPEND)
    assert (entry.amount, entry.balance_after, entry.registration_id) == (
        Decimal("-20.00"), Decimal("10.00"), registration.pk,
    )  # fmt: skip
    assert entry.label_en.startswith("Watercolour workshop — ")
    assert_ledger_holds()


def test_it_spends_the_credit_that_expires_first(world: World, priced: Opportunity, credited: Scheme) -> None:
    soon = make_scheme(world, name_fr="Pass court", amount=Decimal("15.00"),
                       valid_until=timezone.localdate() + timedelta(days=10))  # fmt: skip
    grant_now(world, soon)
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    spend_for_registration(registration, quote(resident, priced))
    assert balance(resident, soon) == 0  # type: ignore[arg-type]
    assert balance(resident, credited) == Decimal("25.00")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already paid"):
        spend_for_registration(registration, quote(resident, priced))
    assert_ledger_holds()


def test_it_refuses_when_the_balance_changed_since_the_quote_and_writes_nothing(
    world: World, priced: Opportunity, credited: Scheme
) -> None:
    resident = world.users["resident"]
    shown = quote(resident, priced)
    spend_for_registration(register(resident, priced), quote(resident, priced))  # type: ignore[arg-type]
    other = make_opportunity(world.org_a, is_free=False, price=Decimal("9.00"))
    registration = register(resident, other)  # type: ignore[arg-type]
    stale = services.Quote(**{**shown.__dict__, "opportunity_id": other.pk})
    with pytest.raises(CreditChangedError, match="changed since the price was shown"):
        spend_for_registration(registration, stale)
    assert Entry.objects.filter(registration_id=registration.pk).count() == 0
    assert balance(resident, credited) == Decimal("10.00")  # type: ignore[arg-type]


def test_it_refuses_to_pay_twice_for_one_registration(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    spend_for_registration(registration, quote(resident, priced))
    with pytest.raises(ValidationError, match="already paid"):
        spend_for_registration(registration, quote(resident, priced))
    assert balance(resident, credited) == Decimal("10.00")  # type: ignore[arg-type]


def test_it_refuses_a_quote_for_another_opportunity(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    other = make_opportunity(world.org_a, is_free=False, price=Decimal("9.00"))
    with pytest.raises(ValidationError, match="another opportunity"):
        spend_for_registration(register(resident, other), quote(resident, priced))  # type: ignore[arg-type]


def test_it_spends_nothing_without_an_identity_check(world: World, priced: Opportunity, credited: Scheme) -> None:
    other = world.users["other_resident"]
    assert spend_for_registration(register(other, priced), quote(other, priced)) == 0  # type: ignore[arg-type]
    assert balance(other, credited) == Decimal("30.00")  # type: ignore[arg-type]


def test_it_refunds_a_cancelled_registration_once(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    spend_for_registration(registration, quote(resident, priced))
    assert refund_registration(registration) == Decimal("20.00")
    assert refund_registration(registration) == 0, "refunding again gives nothing more"
    assert balance(resident, credited) == Decimal("30.00")  # type: ignore[arg-type]
    assert Entry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert_ledger_holds()


def test_it_refunds_nothing_for_a_registration_paid_without_credit(world: World, priced: Opportunity) -> None:
    resident = resident_of(world.city, "carla@resident.test")
    assert refund_registration(register(resident, priced)) == 0


def test_it_can_pay_again_after_a_refund(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    spend_for_registration(registration, quote(resident, priced))
    refund_registration(registration)
    assert spend_for_registration(registration, quote(resident, priced)) == Decimal("20.00")
    assert refund_registration(registration) == Decimal("20.00")
    assert_ledger_holds()


def test_it_corrects_a_balance_with_a_signed_entry_and_an_audit_record(world: World, credited: Scheme) -> None:
    account = Account.objects.get(user=world.users["resident"], scheme=credited)
    coordinator = world.users["coordinator"]
    entry = services.account_correct(account=account, by=coordinator, amount=Decimal("-5"), note="Granted twice")
    assert (entry.coordinator, entry.note, entry.balance_after) == (coordinator, "Granted twice", Decimal("25.00"))
    credited.refresh_from_db()
    assert credited.committed == Decimal("55.00")
    assert AuditRecord.objects.filter(action="correction", subject_email="alice@resident.test").exists()
    assert_ledger_holds()


@pytest.mark.parametrize(
    ("amount", "note", "field", "message"),
    [
        (Decimal("-31"), "Too much", "amount", "At most 30.00 € can be taken back."),
        (Decimal("0"), "Nothing", "amount", "other than zero"),
        (Decimal("5"), "  ", "note", "Say why"),
        (Decimal("10000"), "Over budget", "amount", "Only 9940.00 € of the budget is left."),
    ],
)
def test_it_explains_a_refused_correction(
    world: World, credited: Scheme, amount: Decimal, note: str, field: str, message: str
) -> None:
    account = Account.objects.get(user=world.users["resident"], scheme=credited)
    with pytest.raises(ValidationError) as refused:
        services.account_correct(account=account, by=world.users["coordinator"], amount=amount, note=note)
    assert message in " ".join(refused.value.message_dict[field])
    assert Entry.objects.filter(kind=EntryKind.CORRECTION).count() == 0
    assert balance(account.user, credited) == Decimal("30.00")


def test_it_lets_only_the_citys_coordinators_correct(world: World, credited: Scheme) -> None:
    account = Account.objects.get(user=world.users["resident"], scheme=credited)
    for role in ("resident", "provider_staff"):
        with pytest.raises(PermissionDenied):
            services.account_correct(account=account, by=world.users[role], amount=Decimal(5), note="Gift")


def test_it_expires_what_is_left_when_the_scheme_ends_once(world: World, priced: Opportunity, credited: Scheme) -> None:
    resident = world.users["resident"]
    spend_for_registration(register(resident, priced), quote(resident, priced))  # type: ignore[arg-type]
    after_end = credited.valid_until + timedelta(days=1)
    assert services.schemes_expire(today=credited.valid_until) == 0, "not before the end"
    assert services.schemes_expire(today=after_end) == Decimal("40.00")
    assert services.schemes_expire(today=after_end) == 0
    assert list(Account.objects.values_list("balance", flat=True)) == [0, 0]
    assert_ledger_holds()


def test_it_keeps_the_balance_equal_to_the_sum_of_entries_through_any_sequence(
    world: World, priced: Opportunity, residents: World
) -> None:
    chooser = random.Random(4)
    people = [resident_of(world.city, f"r{index}@resident.test") for index in range(4)]
    scheme = make_scheme(world, amount=Decimal("25.00"))
    grant_now(world, scheme)
    for person in people:
        check_identity(world, person)
    opportunities = [make_opportunity(world.org_a, is_free=False, price=Decimal(f"{p}.35")) for p in (3, 7, 11)]
    registrations = []
    for _step in range(60):
        action = chooser.choice(["spend", "spend", "refund", "correct"])
        person = chooser.choice(people)
        if action == "spend":
            opportunity = chooser.choice(opportunities)
            if not opportunity.sessions.filter(registrations__user=person).exists():
                registration = register(person, opportunity)
                spend_for_registration(registration, quote(person, opportunity))
                registrations.append(registration)
        elif action == "refund" and registrations:
            refund_registration(chooser.choice(registrations))
        elif action == "correct":
            account = Account.objects.get(user=person, scheme=scheme)
            amount = Decimal(chooser.randint(-int(account.balance), 10)) or Decimal(1)
            services.account_correct(account=account, by=world.users["coordinator"], amount=amount, note="Audit")
        assert_ledger_holds()
    assert selectors.reconciliation(Scheme.objects.get(pk=scheme.pk)).balanced


def test_the_database_refuses_a_negative_balance(world: World, credited: Scheme) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(scheme=credited).update(balance=Decimal("-1"))


def test_the_database_refuses_to_rewrite_an_entry(world: World, credited: Scheme) -> None:
    entry = Entry.objects.first()
    assert entry is not None
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE credits_entry SET amount = 1000 WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":  # SQLite keeps DELETE for the test runner's flush (see migration 0002)
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM credits_entry WHERE id = %s", [entry.pk])
    with pytest.raises(TypeError, match="append-only"):
        Entry.objects.filter(pk=entry.pk).update(amount=1000)
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        entry.save()


def test_the_database_refuses_an_entry_whose_sign_contradicts_its_kind(world: World, credited: Scheme) -> None:
    account = Account.objects.get(user=world.users["resident"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(account=account, kind=EntryKind.SPEND, amount=Decimal(5), balance_after=Decimal(35),
                             registration_id=1)  # fmt: skip


def test_the_ledger_outlives_deleting_a_resident(world: World, credited: Scheme) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        world.users["resident"].delete()  # type: ignore[union-attr]
