"""The HSDS 3.0 API under /api/v1/hsds/: what it shows, to whom, its pages, filters and errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learningcity.catalogue.models import BuildingBlock, Language, Opportunity, Session, Topic, Venue
from learningcity.catalogue.services import expand_schedule
from learningcity.interop import hsds
from learningcity.interop.formats.hsds import BUILDING_BLOCKS_TAXONOMY_ID, TOPICS_TAXONOMY_ID, vocabulary_id
from tests.conftest import ROLES
from tests.factories import World, make_city, make_opportunity, make_organisation
from tests.interop.test_hsds_schemas import validate

API = "/api/v1/hsds"


@dataclass
class Catalogue:
    """The world of the permission matrix, with what HSDS has to say about it."""

    world: World
    paid: Opportunity
    topic: Topic
    elsewhere: Opportunity


def make_catalogue(world: World) -> Catalogue:
    """Topics, a paid blended weekly course at the second provider, and a listing in another city."""
    parent = Topic.objects.create(code="numerique", name_fr="Numérique", name_en="Digital")
    topic = Topic.objects.create(code="bureautique", name_fr="Bureautique", name_en="Office software",
                                 formacode="70332", parent=parent)  # fmt: skip
    world.published.topics.set([topic])
    org_b = world.org_b
    org_b.siret, org_b.phone, org_b.email, org_b.website = (
        "73282932000074",
        "01 23 45 67 89",
        "b@musee.test",
        "https://musee.test",
    )
    org_b.save()
    paid = make_opportunity(
        org_b, title_fr="Tableur pour débutants", title_en="Spreadsheets for beginners", is_free=False,
        price=Decimal("30.00"), reduced_price=Decimal("12.50"), reduced_price_conditions_fr="Demandeurs d'emploi",
        mode="blended", online_url="https://visio.test/tableur", registration_required=True, age_min=16, age_max=120,
        description_fr="Premiers pas avec un tableur.", description_en="First steps with spreadsheets.",
    )  # fmt: skip
    paid.sessions.all().delete()
    first = timezone.now().replace(microsecond=0) + timedelta(days=7)
    rule = "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6"
    pairs = expand_schedule(
        first_start=first, duration=timedelta(hours=2), recurrence_rule=rule, time_zone="Europe/Paris"
    )
    Session.objects.bulk_create(
        Session(opportunity=paid, start=start, end=end, recurrence_rule=rule, series_key="series-1")
        for start, end in pairs
    )
    paid.topics.set([topic])
    paid.building_blocks.add(BuildingBlock.objects.get(code="workplace"))
    paid.languages.add(Language.objects.get(code="en"))
    other_city = make_city("elsewhere")
    elsewhere = make_opportunity(make_organisation(other_city, "Ailleurs"), title_fr="Ailleurs", title_en="Elsewhere")
    return Catalogue(world=world, paid=paid, topic=topic, elsewhere=elsewhere)


@pytest.fixture
def catalogue(world: World) -> Catalogue:
    return make_catalogue(world)


def service_id(opportunity: Opportunity) -> str:
    return hsds.hsds_id("opportunity", opportunity.pk)


ENDPOINTS: list[tuple[str, Callable[[Catalogue], str]]] = [
    ("api info", lambda c: f"{API}/"),
    ("services", lambda c: f"{API}/services?full=true"),
    ("service", lambda c: f"{API}/services/{service_id(c.paid)}"),
    ("organizations", lambda c: f"{API}/organizations?full_service=true"),
    (
        "organization",
        lambda c: f"{API}/organizations/{hsds.hsds_id('organisation', c.world.org_a.pk)}?full_service=true",
    ),
    ("service_at_locations", lambda c: f"{API}/service_at_locations?full=true"),
    ("service_at_location", lambda c: f"{API}/service_at_locations/{hsds.hsds_id('opportunity_venue', c.paid.pk)}"),
    ("taxonomies", lambda c: f"{API}/taxonomies"),
    ("taxonomy", lambda c: f"{API}/taxonomies/{TOPICS_TAXONOMY_ID}"),
    ("taxonomy_terms", lambda c: f"{API}/taxonomy_terms"),
    ("taxonomy_term", lambda c: f"{API}/taxonomy_terms/{vocabulary_id('topic', 'bureautique')}"),
]
UNPUBLISHED = ["Brouillon", "Draft A", "En attente", "Pending A", "Ailleurs", "Elsewhere"]


# Who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_serves_the_same_open_data_to_every_persona(
    catalogue: Catalogue, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    for name, url in ENDPOINTS:
        response = client.get(url(catalogue))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert not [word for word in UNPUBLISHED if word in text], f"{name} shows an unpublished or foreign listing"


@pytest.mark.parametrize("role", ROLES)
def test_it_hides_drafts_and_other_cities_from_everyone_even_the_coordinator(
    catalogue: Catalogue, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    world = catalogue.world
    hidden = [world.draft, world.pending, world.other_draft, catalogue.elsewhere]
    for opportunity in hidden:
        for url in [
            f"{API}/services/{service_id(opportunity)}",
            f"{API}/service_at_locations/{hsds.hsds_id('opportunity_venue', opportunity.pk)}",
        ]:
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["error"]["code"] == "not_found"
    foreign = hsds.hsds_id("organisation", catalogue.elsewhere.organisation_id)
    assert client.get(f"{API}/organizations/{foreign}").status_code == 404


def test_it_shows_only_providers_with_published_listings(catalogue: Catalogue, client: Client) -> None:
    catalogue.paid.delete()
    names = [item["name"] for item in client.get(f"{API}/organizations").json()["contents"]]
    assert names == ["Médiathèque A"], "Musée B has only a draft left"


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/services/not-a-uuid",
        f"{API}/services/00000000-0000-0000-0000-000000000000",
        f"{API}/organizations/00000000-0000-0000-0000-000000000000",
        f"{API}/service_at_locations/00000000-0000-0000-0000-000000000000",
        f"{API}/taxonomies/00000000-0000-0000-0000-000000000000",
        f"{API}/taxonomy_terms/00000000-0000-0000-0000-000000000000",
    ],
)
def test_it_answers_unknown_ids_with_the_projects_error_shape(catalogue: Catalogue, client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Nothing exists at this address.", "details": []}
    }


# What it shows, valid against the official schemas ----------------------------------------------------


def test_every_object_it_returns_is_valid_hsds(catalogue: Catalogue, client: Client) -> None:
    contents = {
        "service": client.get(f"{API}/services?full=true").json()["contents"]
        + client.get(f"{API}/services").json()["contents"]
        + client.get(f"{API}/organizations?full_service=true").json()["contents"][0]["services"],
        "organization": client.get(f"{API}/organizations?full=true").json()["contents"]
        + client.get(f"{API}/organizations").json()["contents"],
        "service_at_location": client.get(f"{API}/service_at_locations?full=true").json()["contents"]
        + client.get(f"{API}/service_at_locations").json()["contents"],
        "taxonomy": client.get(f"{API}/taxonomies").json()["contents"],
        "taxonomy_term": client.get(f"{API}/taxonomy_terms").json()["contents"],
    }
    for name, items in contents.items():
        assert items, name
        for item in items:
            validate(name, item)
    singles = {
        "service": f"{API}/services/{service_id(catalogue.paid)}",
        "organization": f"{API}/organizations/{hsds.hsds_id('organisation', catalogue.world.org_b.pk)}",
        "service_at_location": f"{API}/service_at_locations/{hsds.hsds_id('opportunity_online', catalogue.paid.pk)}",
        "taxonomy": f"{API}/taxonomies/{BUILDING_BLOCKS_TAXONOMY_ID}",
        "taxonomy_term": f"{API}/taxonomy_terms/{vocabulary_id('building_block', 'workplace')}",
    }
    for name, url in singles.items():
        validate(name, client.get(url).json())


def test_it_describes_a_service_fully(catalogue: Catalogue, client: Client) -> None:
    service = client.get(f"{API}/services/{service_id(catalogue.paid)}").json()
    assert (service["name"], service["alternate_name"]) == ("Tableur pour débutants", "Spreadsheets for beginners")
    assert (service["minimum_age"], service["maximum_age"]) == (16, 120)
    assert service["organization"]["name"] == "Musée B"
    assert [(o["amount"], o["currency"]) for o in service["cost_options"]] == [(30.0, "EUR"), (12.5, "EUR")]
    assert service["cost_options"][1]["option"] == "Demandeurs d'emploi"
    assert sorted(language["code"] for language in service["languages"]) == ["en", "fr"]
    types = [link["location"]["location_type"] for link in service["service_at_locations"]]
    assert types == ["physical", "virtual"]
    venue = service["service_at_locations"][0]["location"]
    assert venue["addresses"][0]["address_1"] == "1 rue de la Paix"
    assert venue["accessibility"][0]["description"] == "accès de plain-pied", "step-free access, in French"
    assert service["service_at_locations"][1]["location"]["url"] == "https://visio.test/tableur"
    terms = {a["taxonomy_term"]["code"]: a for a in service["attributes"]}
    assert terms["bureautique"]["value"] == "70332"
    assert terms["bureautique"]["taxonomy_term"]["parent_id"] == vocabulary_id("topic", "numerique")
    assert set(terms) == {"bureautique", "culture-of-learning", "workplace"}


def test_it_writes_a_weekly_series_as_one_rule_in_local_time(catalogue: Catalogue, client: Client) -> None:
    [schedule] = client.get(f"{API}/services/{service_id(catalogue.paid)}").json()["schedules"]
    sessions = list(catalogue.paid.sessions.order_by("start"))
    local = [s.start.astimezone(timezone.get_default_timezone()) for s in sessions]
    assert schedule["freq"] == "WEEKLY"
    assert schedule["byday"] == "TU,TH"
    assert (schedule["dtstart"], schedule["until"]) == (local[0].date().isoformat(), local[-1].date().isoformat())
    assert schedule["opens_at"] == local[0].time().isoformat("seconds")
    assert schedule["timezone"] == local[0].utcoffset().total_seconds() / 3600  # type: ignore[union-attr]


def test_it_writes_a_single_session_as_a_dated_schedule(catalogue: Catalogue, client: Client) -> None:
    [schedule] = client.get(f"{API}/services/{service_id(catalogue.world.published)}").json()["schedules"]
    session = catalogue.world.published.sessions.get()
    start = session.start.astimezone(timezone.get_default_timezone())
    assert "freq" not in schedule
    assert (schedule["valid_from"], schedule["opens_at"]) == (
        start.date().isoformat(),
        start.time().isoformat("seconds"),
    )


def test_a_service_keeps_its_id_from_one_request_to_the_next(catalogue: Catalogue, client: Client) -> None:
    first = client.get(f"{API}/services?full=true").json()["contents"]
    again = client.get(f"{API}/services?full=true").json()["contents"]
    assert first == again
    assert [item["id"] for item in first] == [service_id(catalogue.world.published), service_id(catalogue.paid)]


def test_it_describes_its_taxonomies_and_terms(catalogue: Catalogue, client: Client) -> None:
    taxonomies = client.get(f"{API}/taxonomies").json()["contents"]
    assert [t["id"] for t in taxonomies] == [TOPICS_TAXONOMY_ID, BUILDING_BLOCKS_TAXONOMY_ID]
    terms = client.get(f"{API}/taxonomy_terms?per_page=100").json()
    assert terms["total_items"] == 6 + 2
    children = client.get(f"{API}/taxonomy_terms?parent_id={vocabulary_id('topic', 'numerique')}").json()
    assert [t["code"] for t in children["contents"]] == ["bureautique"]
    blocks = client.get(f"{API}/taxonomy_terms?taxonomy_id={BUILDING_BLOCKS_TAXONOMY_ID}&top_only=true").json()
    assert blocks["total_items"] == 6
    term = client.get(f"{API}/taxonomy_terms/{vocabulary_id('topic', 'bureautique')}").json()
    assert term["description"] == "Office software (Formacode 70332)"
    assert term["taxonomy_detail"]["id"] == TOPICS_TAXONOMY_ID


def test_the_api_info_points_to_the_openapi_document(db: None, client: Client) -> None:
    info = client.get(f"{API}/").json()
    assert info["version"] == "3.0"
    assert info["openapi_url"].endswith("/api/v1/openapi.json")


# Pages and filters ---------------------------------------------------------------------------------


def test_it_pages_the_hsds_way(catalogue: Catalogue, client: Client) -> None:
    for index in range(3):
        make_opportunity(catalogue.world.org_a, title_fr=f"Atelier {index}", title_en=f"Workshop {index}")
    first = client.get(f"{API}/services?per_page=2").json()
    assert {key: first[key] for key in first if key != "contents"} == {
        "total_items": 5, "total_pages": 3, "page_number": 1, "size": 2,
        "first_page": True, "last_page": False, "empty": False,
    }  # fmt: skip
    last = client.get(f"{API}/services?per_page=2&page=3").json()
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    beyond = client.get(f"{API}/services?per_page=2&page=9").json()
    assert (beyond["empty"], beyond["contents"], beyond["last_page"]) == (True, [], True)
    seen = [
        item["id"]
        for page in (1, 2, 3)
        for item in client.get(f"{API}/services?per_page=2&page={page}").json()["contents"]
    ]
    assert len(set(seen)) == 5


def test_it_pages_services_at_locations_across_venues_and_online_links(catalogue: Catalogue, client: Client) -> None:
    pages = [client.get(f"{API}/service_at_locations?per_page=2&page={page}").json() for page in (1, 2)]
    assert pages[0]["total_items"] == 3, "two venues and one online link"
    links = [item for page in pages for item in page["contents"]]
    assert [link["location"]["location_type"] for link in links] == ["physical", "physical", "virtual"]
    assert links[2]["service"]["name"] == "Tableur pour débutants"


def test_it_lists_a_page_in_a_fixed_number_of_queries(catalogue: Catalogue, client: Client) -> None:
    for index in range(6):
        make_opportunity(catalogue.world.org_a, title_fr=f"Atelier {index}", title_en=f"Workshop {index}")
    for url in [
        f"{API}/services?full=true",
        f"{API}/organizations?full_service=true",
        f"{API}/service_at_locations?full=true",
    ]:
        with CaptureQueriesContext(connection) as few:
            client.get(f"{url}&per_page=1")
        with CaptureQueriesContext(connection) as many:
            client.get(f"{url}&per_page=8")
        assert len(many) == len(few), f"{url}: the number of queries must not grow with the page size"


def titles(client: Client, query: str) -> list[str]:
    response = client.get(f"{API}/services?{query}")
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["contents"]]


def test_it_filters_services_as_the_profile_says(catalogue: Catalogue, client: Client) -> None:
    world, paid = catalogue.world, catalogue.paid
    assert titles(client, "search=tableur") == ["Tableur pour débutants"]
    assert titles(client, "search=watercolour") == ["Atelier d'aquarelle"]
    org_b = hsds.hsds_id("organisation", world.org_b.pk)
    assert titles(client, f"organization_id={org_b}") == ["Tableur pour débutants"]
    assert titles(client, f"taxonomy_term_id={vocabulary_id('building_block', 'workplace')}") == [paid.title_fr]
    assert len(titles(client, f"taxonomy_term_id={vocabulary_id('topic', 'bureautique')}")) == 2
    assert len(titles(client, f"taxonomy_id={TOPICS_TAXONOMY_ID}")) == 2
    Opportunity.objects.filter(pk=world.published.pk).update(updated_at=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert titles(client, f"modified_after={since}") == [paid.title_fr]
    for unknown in ["taxonomy_term_id=nope", "organization_id=nope", f"taxonomy_id={vocabulary_id('x', 'y')}"]:
        assert titles(client, unknown) == []


def test_it_filters_services_at_locations_by_postcode(catalogue: Catalogue, client: Client) -> None:
    assert catalogue.paid.venue is not None
    Venue.objects.filter(pk=catalogue.paid.venue.pk).update(postcode="75011")
    found = client.get(f"{API}/service_at_locations?postcode=75011").json()["contents"]
    assert [link["service"]["name"] for link in found] == ["Tableur pour débutants"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=abc", "per_page"),
        ("modified_after=yesterday", "modified_after"),
        ("search=" + "x" * 300, "search"),
    ],
)
def test_it_rejects_bad_parameters_naming_them(catalogue: Catalogue, client: Client, query: str, field: str) -> None:
    response = client.get(f"{API}/services?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], [detail["field"] for detail in error["details"]]) == ("invalid_request", [field])


def test_it_is_empty_when_no_city_is_served(db: None, client: Client) -> None:
    page: dict[str, Any] = client.get(f"{API}/services").json()
    assert (page["total_items"], page["total_pages"], page["empty"]) == (0, 0, True)
