"""The price a person sees: list price, reduced price, their credit and what is left to pay."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from learningcity.catalogue.models import Opportunity
from learningcity.credits.models import Scheme
from learningcity.credits.services import cents, quote
from tests.credits.conftest import check_identity, grant_now, make_scheme, resident_of
from tests.factories import World, make_city, make_opportunity, make_organisation


def test_it_takes_the_credit_off_the_list_price(world: World, priced: Opportunity, credited: Scheme) -> None:
    price = quote(world.users["resident"], priced)
    assert (price.list_price, price.price, price.credit_usable, price.credit_used, price.to_pay) == (
        Decimal("20.00"), Decimal("20.00"), Decimal("30.00"), Decimal("20.00"), Decimal("0.00"),
    )  # fmt: skip
    assert not price.reduced
    assert not price.identity_needed


def test_it_applies_the_reduced_price_only_when_the_person_declares_it(
    world: World, priced: Opportunity, residents: World
) -> None:
    resident = world.users["resident"]
    assert quote(resident, priced).to_pay == Decimal("20.00")
    reduced = quote(resident, priced, reduced=True)
    assert reduced.reduced
    assert (reduced.price, reduced.to_pay, reduced.reduced_price) == (Decimal("8.00"),) * 3


def test_it_pays_what_the_credit_does_not_cover(world: World, priced: Opportunity, residents: World) -> None:
    scheme = make_scheme(world, amount=Decimal("12.50"))
    grant_now(world, scheme)
    check_identity(world, world.users["resident"])  # type: ignore[arg-type]
    price = quote(world.users["resident"], priced)
    assert (price.credit_used, price.to_pay) == (Decimal("12.50"), Decimal("7.50"))
    reduced = quote(world.users["resident"], priced, reduced=True)
    assert (reduced.credit_used, reduced.to_pay) == (Decimal("8.00"), Decimal("0.00"))


def test_it_adds_the_credit_of_every_scheme_valid_today(world: World, priced: Opportunity, credited: Scheme) -> None:
    second = make_scheme(world, name_fr="Pass seniors", amount=Decimal("5.00"))
    grant_now(world, second)
    ended = make_scheme(world, name_fr="Ancien pass", valid_from=timezone.localdate() - timedelta(days=30))
    grant_now(world, ended)
    Scheme.objects.filter(pk=ended.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    later = make_scheme(world, name_fr="Pass été", valid_from=timezone.localdate() + timedelta(days=30))
    grant_now(world, later)
    assert quote(world.users["resident"], priced).credit_usable == Decimal("35.00")


def test_it_shows_credit_it_cannot_use_until_the_identity_is_checked(
    world: World, priced: Opportunity, credited: Scheme
) -> None:
    price = quote(world.users["other_resident"], priced)
    assert price.identity_needed
    assert (price.credit_held, price.credit_usable, price.to_pay) == (Decimal("30.00"), Decimal(0), Decimal("20.00"))


def test_it_uses_no_credit_of_another_city(world: World, credited: Scheme) -> None:
    elsewhere = make_opportunity(make_organisation(make_city("autreville"), "Ailleurs"), is_free=False, price=15)
    assert quote(world.users["resident"], elsewhere).credit_usable == 0


def test_it_quotes_a_free_listing_at_zero(world: World, credited: Scheme) -> None:
    price = quote(world.users["resident"], world.published)
    assert (price.price, price.credit_used, price.to_pay) == (Decimal(0), Decimal(0), Decimal(0))


def test_it_quotes_anonymous_visitors_the_list_price(world: World, priced: Opportunity) -> None:
    price = quote(AnonymousUser(), priced)
    assert (price.price, price.credit_usable, price.to_pay) == (Decimal("20.00"), Decimal(0), Decimal("20.00"))


def test_it_rounds_to_the_cent_half_up() -> None:
    assert cents(Decimal("2.345")) == Decimal("2.35")
    assert cents(Decimal("2.344")) == Decimal("2.34")
    assert cents(None) == Decimal("0.00")


def test_it_ignores_a_reduced_price_higher_than_the_list_price(world: World, priced: Opportunity) -> None:
    priced.reduced_price = Decimal("25.00")
    priced.save()
    resident = resident_of(world.city, "carla@resident.test")
    assert quote(resident, priced, reduced=True).price == Decimal("20.00")
