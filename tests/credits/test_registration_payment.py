"""Registering through enrolment spends learning credit, and cancelling gives it back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from learningcity.catalogue.models import Opportunity
from learningcity.credits.models import Scheme
from learningcity.enrolment import services as enrolment
from learningcity.enrolment.forms import MYSELF
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


def test_the_resident_chooses_the_reduced_price_or_not_to_use_credit_on_the_registration_page(
    priced: Opportunity, credited: Scheme, residents: World, client_for: Callable[[str], Client]
) -> None:
    priced.registration_required = True
    priced.save()
    resident = verified(residents.users["resident"])
    session = priced.sessions.first()
    assert session is not None
    client = client_for("resident")
    address = reverse("enrolment:register", args=[session.pk])
    page = client.get(address).content.decode()
    assert "Pay with my learning credit" in page
    assert "I meet the conditions of the reduced price" in page
    assert "Students" in page, "the conditions are spelled out beside the choice"
    client.post(address, {"kind": "person", "participant": MYSELF, "use_credit": "on", "reduced_price": "on"})
    assert balance(resident, credited) == Decimal("22.00"), "8 € at the reduced price, paid from 30 € of credit"
    other = priced.sessions.create(start=session.start + timedelta(days=7), end=session.end + timedelta(days=7))
    client.post(reverse("enrolment:register", args=[other.pk]), {"kind": "person", "participant": MYSELF})
    assert balance(resident, credited) == Decimal("22.00"), "credit unticked: nothing taken from it"
