"""Register, wait, be promoted, confirm; attendance ticked on a phone: in a real browser, checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_opportunity, make_world

pytestmark = pytest.mark.browser


def my_registrations(page: Page) -> None:
    page.goto("/en/registrations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My registrations")


def test_register_waitlist_promotion_and_attendance_on_a_phone(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    now = timezone.now()
    for role in ("resident", "other_resident"):
        user = world.users[role]
        assert user is not None
        user.email_verified_at = now
        user.save()
    opportunity = make_opportunity(
        world.org_a, title_fr="Atelier reliure", title_en="Bookbinding workshop", registration_required=True,
        capacity=1,
    )  # fmt: skip

    alice = open_page()
    log_in(alice, "alice@resident.test")
    alice.goto(f"/en/opportunities/{opportunity.pk}/")
    panel = alice.get_by_role("region", name="Register")
    expect(panel).to_contain_text("1 place left")
    assert_accessible(alice, axe_source)
    panel.get_by_role("link", name=re.compile(r"^Register")).click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Register")
    expect(alice.get_by_role("radio", name="Me (Alice)")).to_be_checked()
    assert_accessible(alice, axe_source)
    alice.get_by_role("button", name="Register", exact=True).click()
    expect(alice.get_by_role("status")).to_contain_text("Registered: your place is confirmed.")
    expect(alice.get_by_role("region", name="Coming up")).to_contain_text("Bookbinding workshop")
    assert_accessible(alice, axe_source)

    bob = open_page()
    log_in(bob, "bob@resident.test")
    bob.goto(f"/en/opportunities/{opportunity.pk}/")
    expect(bob.get_by_role("region", name="Register")).to_contain_text("Full")
    bob.get_by_role("link", name=re.compile(r"^Join the waitlist")).click()
    bob.get_by_role("button", name="Register", exact=True).click()
    expect(bob.get_by_role("status")).to_contain_text("you are on the waitlist, position 1")
    expect(bob.get_by_role("region", name="On the waitlist")).to_contain_text("Waitlisted, position 1")
    assert_accessible(bob, axe_source)

    alice.get_by_role("region", name="Coming up").get_by_role("button", name=re.compile(r"^Cancel")).click()
    expect(alice.get_by_role("status")).to_contain_text("Cancelled: Bookbinding workshop.")

    my_registrations(bob)
    offer = bob.get_by_role("region", name="A place is free for you")
    expect(offer).to_contain_text("Confirm by")
    assert_accessible(bob, axe_source)
    offer.get_by_role("button", name=re.compile(r"^Confirm my place")).click()
    expect(bob.get_by_role("status")).to_contain_text("Your place is confirmed: Bookbinding workshop.")
    expect(bob.get_by_role("region", name="Coming up")).to_contain_text("Bookbinding workshop")

    # The day comes: the session starts, and the provider takes attendance on a phone.
    session = opportunity.sessions.get()
    Session.objects.filter(pk=session.pk).update(start=now - timedelta(minutes=5), end=now + timedelta(hours=1))
    staff = open_page(width=375, height=740, phone=True)
    log_in(staff, "staff@a.test")
    staff.goto(f"/en/opportunities/{opportunity.pk}/")
    staff.get_by_role("region", name="Register").get_by_role("link", name=re.compile(r"^Roster")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Roster")
    assert_accessible(staff, axe_source)
    present = staff.get_by_role("checkbox", name="Bob")
    box = present.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= 24, "a target large enough for a thumb (WCAG 2.5.8)"
    staff.get_by_role("group", name="Tick the people present").get_by_text("Bob").click()  # the row is the label
    expect(present).to_be_checked()
    staff.get_by_role("button", name="Save attendance").click()
    expect(staff.get_by_role("status")).to_contain_text("Attendance saved: 1 present, 0 absent.")
    expect(staff.get_by_role("checkbox", name="Bob")).to_be_checked()
    assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    assert_accessible(staff, axe_source)
    assert Registration.objects.get(user__email="bob@resident.test", status="confirmed").attended is True
