"""A coordinator finds the learning deserts of the city and tests a new venue, in a real browser."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.catalogue.models import District, Session, Venue
from learningcity.enrolment.models import Registration
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_world

pytestmark = pytest.mark.browser


def rectangle(west: float, east: float) -> dict[str, object]:
    ring = [[west, 47.38], [east, 47.38], [east, 47.395], [west, 47.395], [west, 47.38]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_it_lets_a_coordinator_find_deserts_and_try_a_new_venue(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    District.objects.filter(city=world.city, code="01").update(boundary=rectangle(0.68, 0.70))
    District.objects.filter(city=world.city, code="02").update(boundary=rectangle(0.70, 0.72))
    Venue.objects.filter(city=world.city).update(latitude=47.387, longitude=0.69)
    page = open_page()
    log_in(page, "coordinator@city.test")

    page.get_by_role("navigation").get_by_role("link", name="Learning deserts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning deserts")
    expect(page.get_by_role("img", name="cells of 250 m")).to_be_visible()
    assert_accessible(page, axe_source)
    share_before = desert_share(page, "Les Rives")

    form = page.get_by_role("form", name="Analysis")
    form.get_by_label("Measure").select_option("nearest")
    form.get_by_label("Open a venue at latitude").fill("47.3875")
    form.get_by_label("and longitude").fill("0.71")
    form.get_by_label("with places (or hours)").fill("30")
    form.get_by_role("button", name="Update").click()

    expect(page.get_by_role("status")).to_contain_text("With this change, the population in learning deserts goes")
    assert desert_share(page, "Les Rives") < share_before, "a venue in Les Rives shrinks its desert"
    assert_accessible(page, axe_source)


def desert_share(page: Page, district: str) -> int:
    """The percentage shown in the district table's Share column."""
    return int(page.get_by_role("row", name=district).get_by_role("cell").last.inner_text().rstrip(" %"))


def test_it_lets_a_coordinator_map_uploaded_areas(open_page: OpenPage, axe_source: str, tmp_path: Path) -> None:
    make_world()
    areas = tmp_path / "areas.geojson"
    features = [
        {"type": "Feature", "id": name, "geometry": rectangle(west, west + 0.02), "properties": {"people": people}}
        for name, west, people in [("north", 0.68, 1200), ("south", 0.75, 800)]
    ]
    areas.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    venues = tmp_path / "venues.csv"
    venues.write_text("id,longitude,latitude,supply\nlibrary,0.69,47.387,25\n")
    page = open_page()
    log_in(page, "coordinator@city.test")
    page.goto("/en/coordinate/access/areas/")
    assert_accessible(page, axe_source)

    page.get_by_label("Areas (GeoJSON)").set_input_files(str(areas))
    page.get_by_label("Population property").fill("people")
    page.get_by_label("Venues (CSV: longitude, latitude, supply)").set_input_files(str(venues))
    page.get_by_label("Measure").select_option("nearest")
    page.get_by_role("button", name="Analyse").click()

    expect(page.get_by_text("2 areas, 2,000 inhabitants, 1 places with supply.")).to_be_visible()
    expect(page.get_by_role("row", name="south")).to_contain_text("800")
    assert_accessible(page, axe_source)


def test_it_shows_the_indicator_dashboard_accessibly(open_page: OpenPage, axe_source: str) -> None:
    make_world()
    page = open_page()
    log_in(page, "coordinator@city.test")
    page.get_by_role("navigation").get_by_role("link", name="Indicators").click()
    expect(page.get_by_role("heading", name="Inclusive learning in the education system")).to_be_visible()
    assert_accessible(page, axe_source)


def test_it_lets_a_learner_rate_a_session_they_attended(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    end = timezone.now() - timedelta(days=1)
    session = Session.objects.create(opportunity=world.published, start=end - timedelta(hours=2), end=end)
    resident = world.users["resident"]
    assert resident is not None
    Registration.objects.create(user=resident, session=session, attended=True)
    page = open_page()
    log_in(page, "alice@resident.test")
    page.goto("/en/accounts/me/")
    page.get_by_role("link", name="Rate “Watercolour workshop”").click()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    page.get_by_label("5 — very useful").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your feedback.")


def test_it_publishes_key_figures_accessibly(open_page: OpenPage, axe_source: str) -> None:
    make_world()
    page = open_page(locale="fr-FR")
    page.goto("/fr/")
    page.get_by_role("link", name="Chiffres clés").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("en chiffres")
    expect(page.get_by_role("row", name="Offres gratuites")).to_be_visible()
    assert_accessible(page, axe_source)


def test_it_lets_a_coordinator_add_and_retire_an_indicator(open_page: OpenPage, axe_source: str) -> None:
    make_world()
    page = open_page()
    log_in(page, "coordinator@city.test")
    page.goto("/en/coordinate/indicators/")
    page.get_by_role("link", name="Manage indicators").click()
    page.get_by_role("button", name="Install the default indicators").click()
    expect(page.get_by_role("status")).to_contain_text("default indicators added")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Add an indicator").click()
    page.get_by_label("Code").fill("evening-offers")
    page.get_by_label("Name (French)").fill("Offres gratuites du soir")
    page.get_by_label("Definition (French)").fill("Part des offres gratuites.")
    page.get_by_label("Definition (English)").fill("Share of offers that are free.")
    page.get_by_label("Source").select_option("platform")
    page.get_by_label("Computation").select_option("free-offers")
    page.get_by_label("Target").fill("50")
    page.get_by_label("Lower goalpost").fill("60")
    page.get_by_label("Upper goalpost").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    expect(page.get_by_text("The upper goalpost must be above the lower one.")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Name (English)").fill("Free evening offers")
    page.get_by_label("Lower goalpost").fill("0")
    page.get_by_label("Upper goalpost").fill("100")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Free evening offers")
    page.get_by_role("button", name="Retire free-offers").click()
    expect(page.get_by_role("button", name="Restore free-offers")).to_be_visible()

    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("row", name="Free evening offers")).to_be_visible()
    expect(page.get_by_role("row", name="Free offers", exact=True)).to_have_count(0)
    assert_accessible(page, axe_source)


def test_it_shows_trends_and_the_report_texts_form_accessibly(open_page: OpenPage, axe_source: str) -> None:
    from learningcity.monitoring.services import indicators_install, statistics_import

    world = make_world()
    indicators_install(city=world.city)
    year = timezone.localdate().year
    rows = "\n".join(f"neet-young-people,Testville,{year - k},{12 + k},INSEE" for k in range(3))
    statistics_import(city=world.city, csv_text=f"indicator,area,year,value,source\n{rows}\n")
    page = open_page(width=390, height=844, phone=True)
    log_in(page, "coordinator@city.test")
    page.goto("/en/coordinate/indicators/")
    chart = page.get_by_role("img", name="Trend of “Young people not in employment, education or training”")
    expect(chart).to_be_visible()
    expect(page.get_by_text("2 above the target of 10 (lower is better).")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="The report's texts").click()
    page.get_by_label("Introduction and vision (English)").fill("Testville learns at every age.")
    page.get_by_role("button", name="Save the texts").click()
    expect(page.get_by_role("status")).to_contain_text("are saved")
    assert_accessible(page, axe_source)
