"""The passport end to end, in a real browser (issue 5's "Done when"), checked with axe-core.

A resident attends a session; the provider takes attendance and the achievement earned by attending
is awarded and signed; the resident finds it in their record, turns its public link on; a stranger
on a phone opens the link and reads "Valid", then pastes the credential, and a tampered copy, into
the verify page. The provider then awards the second step of a pathway from a CSV file, which
completes the pathway: its completion credential appears in the resident's record.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.passport.models import Achievement, Award, Pathway, PathwayStep
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_opportunity, make_world

pytestmark = pytest.mark.browser


def test_attend_hold_share_verify_and_complete_a_pathway(open_page: OpenPage, axe_source: str, tmp_path: Path) -> None:
    world = make_world()
    resident = world.users["resident"]
    assert resident is not None
    now = timezone.now()
    workshop = make_opportunity(world.org_a, title_fr="Atelier numérique", title_en="Digital workshop")
    session = workshop.sessions.get()
    Session.objects.filter(pk=session.pk).update(start=now - timedelta(minutes=30), end=now + timedelta(hours=1))
    Registration.objects.create(user=resident, session=session)

    def achievement(name: str, **fields: object) -> Achievement:
        return Achievement.objects.create(
            city=world.city, organisation=world.org_a, name_en=name, name_fr=name, criteria_en=f"Earn {name}", **fields
        )

    first_steps = achievement("First digital steps", opportunity=workshop, min_sessions=1)
    helping = achievement("Helping at the help desk")
    helper = achievement("Neighbourhood digital helper")
    pathway = Pathway.objects.create(
        city=world.city, name_en="Helping neighbours online", completion_achievement=helper, published=True
    )
    PathwayStep.objects.create(pathway=pathway, kind="achievement", achievement=first_steps, position=1)
    PathwayStep.objects.create(pathway=pathway, kind="achievement", achievement=helping, position=2)

    # The provider takes attendance: attending earns the first achievement, signed at once.
    staff = open_page()
    log_in(staff, "staff@a.test")
    staff.goto(f"/en/opportunities/{workshop.pk}/")
    staff.get_by_role("region", name="Register").get_by_role("link", name=re.compile(r"^Roster")).click()
    staff.get_by_role("group", name="Tick the people present").get_by_text("Alice").click()
    staff.get_by_role("button", name="Save attendance").click()
    expect(staff.get_by_role("status")).to_contain_text("Attendance saved: 1 present, 0 absent.")
    award = Award.objects.get(achievement=first_steps, recipient=resident)

    # The resident finds it in their record and turns its public link on.
    alice = open_page()
    log_in(alice, "alice@resident.test")
    alice.get_by_role("link", name="My learning passport").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("My learning record")
    expect(alice.get_by_role("main")).to_contain_text("Digital workshop")  # the session attended
    assert_accessible(alice, axe_source)
    alice.get_by_role("link", name=re.compile(r"^See, share or download the credential.*First digital steps")).click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("First digital steps")
    assert_accessible(alice, axe_source)
    alice.get_by_role("button", name="Turn the public link on").click()
    expect(alice.get_by_text("The public link is on: anyone with it can check this credential.")).to_be_visible()
    public_link = alice.get_by_label("Public link").input_value()
    assert public_link.endswith(f"/credentials/{award.uuid}")
    assert_accessible(alice, axe_source)

    # A stranger, on a phone, opens the link (the language-free credential id) and reads that it is valid.
    stranger = open_page(width=390, height=844, phone=True)
    stranger.goto(f"/credentials/{award.uuid}")
    expect(stranger.get_by_role("heading", name="Valid", exact=True)).to_be_visible()
    expect(stranger.get_by_role("main")).to_contain_text("Médiathèque A")
    assert stranger.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    assert_accessible(stranger, axe_source)

    # The stranger checks the credential itself on the verify page, then a copy with its name changed.
    credential = stranger.request.get(f"/credentials/{award.uuid}?format=json").json()
    stranger.goto("/en/verify/")
    assert_accessible(stranger, axe_source)
    stranger.get_by_label("Paste the credential").fill(json.dumps(credential))
    stranger.get_by_role("button", name="Verify", exact=True).click()
    expect(stranger.get_by_role("heading", name="Valid", exact=True)).to_be_visible()
    assert_accessible(stranger, axe_source)
    credential["credentialSubject"]["achievement"]["name"] = "Doctorate in law"
    stranger.get_by_label("Paste the credential").fill(json.dumps(credential))
    stranger.get_by_role("button", name="Verify", exact=True).click()
    expect(stranger.get_by_role("heading", name="Tampered with", exact=True)).to_be_visible()
    expect(stranger.locator("#result")).to_contain_text("changed after signing")

    # The provider awards the pathway's second step from a CSV file: the pathway is complete.
    staff.goto("/en/passport/issuer/")
    staff.get_by_role("link", name="Helping at the help desk").first.click()
    staff.get_by_role("link", name="From a CSV file").click()
    names = tmp_path / "helpers.csv"
    names.write_text("email,name\nalice@resident.test,Alice\n", encoding="utf-8")
    staff.get_by_label("CSV file").set_input_files(str(names))
    staff.get_by_role("button", name="Check the file").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Check before awarding")
    staff.get_by_role("button", name="Award 1 person").click()
    expect(staff.get_by_text("1 person awarded.")).to_be_visible()

    alice.goto(f"/en/pathways/{pathway.uuid}/")
    expect(alice.get_by_role("main")).to_contain_text("Completed")
    assert_accessible(alice, axe_source)
    alice.goto("/en/passport/")
    expect(alice.get_by_role("main")).to_contain_text("Neighbourhood digital helper")
    assert Award.objects.filter(achievement=helper, recipient=resident, method="pathway").exists()
