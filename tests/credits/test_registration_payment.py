"""Registering through enrolment spends learning credit, and cancelling gives it back."""

from __future__ import annotations

from decimal import Decimal

from learningcity.catalogue.models import Opportunity
from learningcity.credits.models import Scheme
from learningcity.enrolment import services as enrolment
from learningcity.enrolment.models import RegistrationStatus
from tests.credits.conftest import balance
from tests.enrolment.conftest import verified
from tests.factories import World


def test_a_place_is_paid_from_credit_and_refunded_on_cancellation(
    priced: Opportunity, credited: Scheme, residents: World
) -> None:
    resident = verified(residents.users["resident"])
    priced.registration_required = True
    priced.save()
    session = priced.sessions.first()
    assert session is not None
    booking = enrolment.registration_create(session=session, by=resident)
    assert booking.registrations[0].status == RegistrationStatus.CONFIRMED
    assert balance(resident, credited) == Decimal("10.00"), "30 € of credit, 20 € spent on the place"
    again = enrolment.registration_create(session=session, by=resident)
    assert not again.created
    assert balance(resident, credited) == Decimal("10.00"), "asking twice pays once"
    enrolment.registration_cancel(registration=booking.registrations[0], by=resident)
    assert balance(resident, credited) == Decimal("30.00")


def test_credit_waits_for_the_identity_check_and_free_places_cost_nothing(
    priced: Opportunity, credited: Scheme, residents: World
) -> None:
    unchecked = verified(residents.users["other_resident"])
    priced.registration_required = True
    priced.save()
    session = priced.sessions.first()
    assert session is not None
    enrolment.registration_create(session=session, by=unchecked)
    assert balance(unchecked, credited) == Decimal("30.00"), "no identity check yet: the credit is not used"
    priced.is_free, priced.price, priced.reduced_price = True, None, None
    priced.save()
    resident = verified(residents.users["resident"])
    enrolment.registration_create(session=session, by=resident)
    assert balance(resident, credited) == Decimal("30.00")
