"""Imports in a real browser: upload, map columns, watch the check, read the report, import; checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from learningcity.catalogue.models import Opportunity, Status
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_world
from tests.interop.conftest import run_worker

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent.parent / "interop" / "fixtures"


def wait_for_check(page: Page, heading: str) -> None:
    """The page polls the job's status and shows the report once the worker is done."""
    expect(page.locator("#job-progress")).to_have_attribute("data-live", "true")
    run_worker()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_a_provider_imports_a_spreadsheet_with_its_columns_mapped(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    page = open_page()
    log_in(page, "staff@a.test")
    page.goto("/en/provider/")
    page.get_by_role("link", name="Import listings from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import listings")
    assert_accessible(page, axe_source)
    page.get_by_label("File").set_input_files(str(FIXTURES / "tabular_agenda_fr.csv"))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What each column holds")
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Save and check the file").click()

    wait_for_check(page, "What the import would do")
    expect(page.get_by_role("link", name=re.compile(r"Created: 2"))).to_be_visible()
    assert_accessible(page, axe_source)
    assert not Opportunity.objects.filter(organisation=world.org_a, source_records__isnull=False).exists()
    page.get_by_role("button", name="Import", exact=True).click()

    wait_for_check(page, "What was imported")
    imported = Opportunity.objects.filter(organisation=world.org_a, source_records__isnull=False)
    assert imported.count() == 2
    assert {listing.status for listing in imported} == {Status.DRAFT}
    assert_accessible(page, axe_source)
    first = imported.order_by("pk").first()
    assert first is not None
    page.get_by_role("link", name=first.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)


@pytest.mark.parametrize(
    ("fixture", "format_label", "created"),
    [
        ("ics_library_agenda.ics", "iCalendar (.ics)", 3),
        ("openagenda_events.json", "OpenAgenda / OpenDataSoft events (JSON)", 3),
        ("lheo-2.3-two-formations.xml", "LHÉO training offers (XML)", 3),
        ("hsds_services.json", "Open Referral HSDS 3.0 (JSON)", 2),
    ],
)
def test_a_coordinator_imports_each_format_on_a_phone(
    open_page: OpenPage, axe_source: str, fixture: str, format_label: str, created: int
) -> None:
    world = make_world()
    page = open_page(width=390, height=844, phone=True)
    log_in(page, "coordinator@city.test")
    page.goto("/en/imports/")
    page.get_by_label("File").set_input_files(str(FIXTURES / fixture))
    page.get_by_label("Format").select_option(label=format_label)
    if fixture.endswith(".ics"):  # a calendar does not name its provider
        page.get_by_label("Organisation").select_option(label=world.org_a.name)
    page.get_by_label("Imported listings are").select_option(label="Published")
    page.get_by_role("button", name="Check the file").click()

    wait_for_check(page, "What the import would do")
    expect(page.get_by_role("link", name=re.compile(rf"Created: {created}"))).to_be_visible()
    expect(page.get_by_role("table", name="Row by row")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()

    wait_for_check(page, "What was imported")
    assert_accessible(page, axe_source)
    assert Opportunity.objects.filter(status=Status.PUBLISHED, source_records__isnull=False).count() == created
