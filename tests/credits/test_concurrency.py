"""Two registrations spending the same credit at the same moment never make a balance negative (PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from learningcity.catalogue.models import Opportunity
from learningcity.credits.models import Account, Entry, EntryKind, Scheme
from learningcity.credits.services import CreditChangedError, Quote, quote, refund_registration, spend_for_registration
from learningcity.enrolment.models import Registration
from tests.credits.conftest import register
from tests.factories import World, make_opportunity

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer, so there is no concurrent spending to test; run with PostgreSQL",
    ),
]


def race(work: list[tuple[Registration, Quote]], action: str) -> list[str]:
    """Run each spend (or refund) in its own thread and connection, all released at once; their outcomes."""
    start = threading.Barrier(len(work))
    outcomes: list[str] = []

    def attempt(registration: Registration, price: Quote) -> None:
        try:
            start.wait()
            with transaction.atomic():
                if action == "spend":
                    outcomes.append(f"spent {spend_for_registration(registration, price)}")
                else:
                    outcomes.append(f"refunded {refund_registration(registration)}")
        except CreditChangedError:
            outcomes.append("credit changed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=pair) for pair in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_spends_of_one_balance_at_once_never_overdraw_it(
    world: World, priced: Opportunity, credited: Scheme
) -> None:
    resident = world.users["resident"]
    second = make_opportunity(world.org_a, is_free=False, price=Decimal("25.00"))
    # Both prices are worked out before either registration pays: each alone would be covered by the 30 €.
    work = [(register(resident, opportunity), quote(resident, opportunity)) for opportunity in (priced, second)]  # type: ignore[arg-type]
    assert [price.credit_used for _, price in work] == [Decimal("20.00"), Decimal("25.00")]
    outcomes = race(work, "spend")
    assert len(outcomes) == 2
    assert "credit changed" in outcomes, "the second payer is asked to look at the new price"
    assert outcomes[1] in {"spent 20.00", "spent 25.00"}
    account = Account.objects.get(user=resident, scheme=credited)
    assert account.balance >= 0
    assert account.balance == sum(account.entries.values_list("amount", flat=True))
    assert Entry.objects.filter(kind=EntryKind.SPEND).count() == 1


def test_two_refunds_of_one_registration_at_once_refund_once(
    world: World, priced: Opportunity, credited: Scheme
) -> None:
    resident = world.users["resident"]
    registration = register(resident, priced)  # type: ignore[arg-type]
    spend_for_registration(registration, quote(resident, priced))
    outcomes = race([(registration, quote(resident, priced))] * 2, "refund")
    assert outcomes == ["refunded 0.00", "refunded 20.00"]
    assert Account.objects.get(user=resident, scheme=credited).balance == Decimal("30.00")
