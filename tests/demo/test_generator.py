"""The demo city: deterministic, believable, consistent with every model rule, unequal on purpose."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, F, Q, Sum

from learningcity.accounts.models import User
from learningcity.catalogue.models import (
    AudienceLabel,
    BuildingBlock,
    City,
    District,
    Kind,
    Language,
    Opportunity,
    Organisation,
    OrganisationType,
    PopulationCount,
    Sector,
    Session,
    Topic,
    Venue,
    siret_checksum_valid,
)
from learningcity.catalogue.reference import AUDIENCE_LABELS, BUILDING_BLOCKS, LANGUAGES
from learningcity.demo import generator, names, places
from learningcity.demo.generator import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoCityError,
    DemoSummary,
    build_demo_city,
    demo_city_loaded,
    demo_city_remove,
)
from learningcity.demo.offers import TOPICS
from learningcity.demo.pipeline import produce_ahead
from learningcity.demo.population import plan_districts
from learningcity.demo.vocabulary import PARENT_TOPICS
from learningcity.enrolment.models import Registration
from tests.demo.conftest import ANCHOR, SMALL, digest_of_build

PARIS = ZoneInfo("Europe/Paris")


def test_it_builds_the_same_city_from_the_same_seed(db: None) -> None:
    first = digest_of_build(**SMALL)
    second = digest_of_build(**SMALL)
    other_seed = digest_of_build(**SMALL, seed=2)
    assert first == second
    assert other_seed != first


def test_it_builds_the_same_city_whatever_the_chunk_size(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    usual = digest_of_build(**SMALL)
    monkeypatch.setattr(generator, "CHUNK_SIZE", 7)
    assert digest_of_build(**SMALL) == usual


def test_it_builds_counts_near_the_defaults(default_city: DemoSummary) -> None:
    city = City.objects.get(slug=names.CITY_SLUG)
    assert default_city.districts == District.objects.filter(city=city).count() == 20
    assert 240_000 <= default_city.inhabitants <= 260_000
    assert default_city.organisations == Organisation.objects.filter(city=city).count() == 400
    assert default_city.venues == Venue.objects.filter(city=city).count() == 600
    assert default_city.opportunities == Opportunity.objects.filter(city=city).count() == 8000
    assert default_city.sessions == Session.objects.filter(opportunity__city=city).count()
    assert 2 <= default_city.sessions / default_city.opportunities <= 6
    assert default_city.residents == 2000
    assert default_city.registrations == Registration.objects.count() > 5000
    published = Opportunity.objects.filter(city=city, status="published").count()
    assert 0.89 <= published / 8000 <= 0.95


def test_it_reports_progress(db: None) -> None:
    messages: list[str] = []
    build_demo_city(**SMALL, progress=messages.append)  # type: ignore[arg-type]
    assert "opportunities: 600/600" in messages
    assert any(message.startswith("registrations:") for message in messages)


def test_it_refuses_to_build_the_city_twice(small_city: DemoSummary) -> None:
    assert demo_city_loaded()
    with pytest.raises(DemoCityError, match="already exists"):
        build_demo_city(**SMALL)  # type: ignore[arg-type]


def test_it_can_be_removed_and_built_again_reusing_topics(small_city: DemoSummary) -> None:
    topics = Topic.objects.count()
    demo_city_remove()
    assert not demo_city_loaded()
    assert not User.objects.filter(email__endswith=f"@{names.EMAIL_DOMAIN}").exists()
    build_demo_city(**SMALL, seed=3)  # type: ignore[arg-type]
    assert Topic.objects.count() == topics >= 40


def test_it_covers_every_building_block_and_age_band(small_city: DemoSummary) -> None:
    published = Opportunity.objects.filter(status="published")
    for block in BuildingBlock.objects.all():
        assert published.filter(building_blocks=block).exists(), block.code
    bands = PopulationCount.objects.values_list("age_min", "age_max").distinct()
    for low, high in bands:
        assert published.filter(age_min__lte=high, age_max__gte=low).exists(), (low, high)
    assert published.filter(age_min=0, age_max__lte=3).exists(), "toddlers with their parents"
    assert published.filter(age_min__gte=60, age_max=120).exists(), "seniors' offers open to the over-80s"


def test_it_covers_every_kind_mode_sector_and_organisation_type(default_city: DemoSummary) -> None:
    opportunities = Opportunity.objects.all()
    assert set(opportunities.values_list("kind", flat=True)) == set(Kind.values)
    assert set(opportunities.values_list("mode", flat=True)) == {"on_site", "online", "blended"}
    assert set(opportunities.values_list("status", flat=True)) == {"published", "draft", "pending", "archived"}
    assert set(Organisation.objects.values_list("type", flat=True)) == set(OrganisationType.values)
    assert set(Organisation.objects.values_list("sector", flat=True)) == set(Sector.values)
    used = set(opportunities.values_list("languages__code", flat=True))
    assert {"fr", "en", "ar", "es", "uk", "fsl"} <= used
    assert set(opportunities.values_list("audience_labels__code", flat=True)) == {code for code, *_ in AUDIENCE_LABELS}


def test_it_writes_both_languages_on_every_published_opportunity(small_city: DemoSummary) -> None:
    published = Opportunity.objects.filter(status="published")
    missing = Q(title_fr="") | Q(title_en="") | Q(description_fr="") | Q(description_en="")
    assert not published.filter(missing).exists()
    for opportunity in published[:200]:
        assert opportunity.title_fr != opportunity.title_en or opportunity.title_fr == "Repair café"
        assert 2 <= len(re.findall(r"[.!?](\s|$)", opportunity.description_fr)) <= 5
        assert 2 <= len(re.findall(r"[.!?](\s|$)", opportunity.description_en)) <= 5
        assert "lorem" not in opportunity.description_fr.lower()


def test_it_respects_the_model_constraints(small_city: DemoSummary) -> None:
    samples = [
        *Opportunity.objects.order_by("pk")[::25],
        *Session.objects.order_by("pk")[::100],
        *Organisation.objects.all(),
        *Venue.objects.all(),
        *District.objects.all(),
        *PopulationCount.objects.order_by("pk")[::20],
        *User.objects.order_by("pk")[::15],
        *Registration.objects.order_by("pk")[::20],
    ]
    for instance in samples:
        instance.full_clean()
    assert not Opportunity.objects.filter(mode="online", online_url="").exists()
    assert not Opportunity.objects.exclude(mode="online").filter(venue=None).exists()
    assert not Opportunity.objects.filter(is_free=True, price__isnull=False).exists()
    assert not Opportunity.objects.filter(is_free=False, price__isnull=True).exists()
    assert all(
        url.startswith("https://")
        for url in Opportunity.objects.exclude(online_url="").values_list("online_url", flat=True)
    )


def test_it_places_venues_inside_their_district(small_city: DemoSummary) -> None:
    for venue in Venue.objects.select_related("district"):
        assert venue.district is not None
        assert venue.district.boundary is not None
        ring = venue.district.boundary["coordinates"][0]
        longitudes, latitudes = [point[0] for point in ring], [point[1] for point in ring]
        assert min(latitudes) < venue.latitude < max(latitudes), venue.name
        assert min(longitudes) < venue.longitude < max(longitudes), venue.name
        assert venue.address
        assert venue.postcode


def test_it_prices_verifies_and_sizes_listings_plausibly(default_city: DemoSummary) -> None:
    opportunities = Opportunity.objects.all()
    assert opportunities.filter(is_free=True).count() > 0.6 * opportunities.count()
    reduced = opportunities.filter(reduced_price__isnull=False)
    assert reduced.exists()
    assert not reduced.filter(Q(reduced_price_conditions_fr="") | Q(reduced_price_conditions_en="")).exists()
    assert not reduced.filter(reduced_price__gt=F("price")).exists()
    verified = [day for day in opportunities.values_list("last_verified", flat=True) if day is not None]
    assert len(verified) == opportunities.count()
    assert min(verified) >= ANCHOR - timedelta(days=731)
    assert max(verified) < ANCHOR
    assert sum(day < ANCHOR - timedelta(days=365) for day in verified) > 100
    assert opportunities.exclude(credential_fr="").filter(kind__in=["course", "apprenticeship"]).exists()
    assert opportunities.filter(kind="course", booked_as_series=True, registration_required=True).exists()


def test_it_gives_the_demo_residents_something_to_look_at(default_city: DemoSummary) -> None:
    for role in ("resident", "another resident"):
        email = dict(DEMO_LOGINS)[role]
        registrations = Registration.objects.filter(user__email=email)
        assert registrations.exists(), role


def test_it_gives_organisations_valid_sirets(small_city: DemoSummary) -> None:
    sirets = list(Organisation.objects.exclude(siret="").values_list("siret", flat=True))
    assert len(sirets) > 10
    assert all(len(siret) == 14 and siret_checksum_valid(siret) for siret in sirets)
    assert Organisation.objects.filter(verified=True).count() > Organisation.objects.count() / 2


def test_it_dates_sessions_around_the_anchor(small_city: DemoSummary) -> None:
    sessions = list(Session.objects.all())
    today = ANCHOR
    assert all(session.start.tzinfo is not None and session.end > session.start for session in sessions)
    days = [(session.start.astimezone(PARIS).date() - today).days for session in sessions]
    assert min(days) >= -62
    assert max(days) <= 190
    assert sum(day < 0 for day in days) > 100
    assert sum(day >= 0 for day in days) > 500
    local = [session.start.astimezone(PARIS) for session in sessions]
    assert any(start.hour >= 18 for start in local), "evening sessions"
    assert any(start.weekday() >= 5 for start in local), "weekend sessions"
    assert all(start.minute in (0, 15, 30, 45) for start in local), "wall-clock times survive daylight saving"


def test_it_books_courses_as_weekly_series(small_city: DemoSummary) -> None:
    courses = Opportunity.objects.filter(kind="course", booked_as_series=True)
    assert courses.exists()
    for course in courses[:50]:
        sessions = list(course.sessions.order_by("start"))
        assert len({session.series_key for session in sessions}) == 1
        assert sessions[0].series_key
        assert sessions[0].recurrence_rule.endswith(f"COUNT={len(sessions)}")
        gaps = {(later.start - earlier.start) for earlier, later in itertools.pairwise(sessions)}
        assert gaps <= {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1)}


def test_it_records_attendance_only_for_past_sessions(default_city: DemoSummary) -> None:
    anchor_start = ANCHOR.isoformat()
    past = Registration.objects.filter(session__start__date__lt=anchor_start)
    future = Registration.objects.filter(session__start__date__gt=anchor_start)
    assert past.exists()
    assert future.exists()
    assert not past.filter(attended=None).exists()
    assert not future.exclude(attended=None).exists()
    assert past.filter(attended=True).count() > past.filter(attended=False).count()
    assert not Registration.objects.filter(session__opportunity__status__in=["draft", "pending"]).exists()


def test_it_gives_peripheral_districts_fewer_venues_per_inhabitant(small_city: DemoSummary) -> None:
    zones = {plan.code: plan.zone for plan in plan_districts()}
    districts = District.objects.annotate(
        venue_count=Count("venues", distinct=True), inhabitants=Sum("population_counts__count")
    )
    density: dict[str, list[float]] = defaultdict(list)
    for district in districts:
        density[zones[district.code]].append(1000 * district.venue_count / district.inhabitants)
    assert statistics.mean(density["periphery"]) < statistics.mean(density["centre"]) / 3
    assert statistics.mean(density["periphery"]) < statistics.mean(density["ring"])


def test_it_makes_some_groups_take_part_less(default_city: DemoSummary) -> None:
    zones = {plan.code: plan.zone for plan in plan_districts()}
    residents = User.objects.filter(email__startswith="resident0").annotate(joined=Count("registrations"))
    groups: dict[str, list[int]] = defaultdict(list)
    for resident in residents.select_related("district"):
        age = ANCHOR.year - (resident.year_of_birth or 0)
        assert resident.district is not None
        groups["periphery" if zones[resident.district.code] == "periphery" else "elsewhere"].append(resident.joined)
        if 25 <= age <= 54 and resident.sex:
            groups[f"{resident.sex} 25-54"].append(resident.joined)
        groups["over 75" if age >= 75 else "60-74" if age >= 60 else "younger"].append(resident.joined)
    mean = {group: statistics.mean(values) for group, values in groups.items()}
    assert mean["periphery"] < 0.7 * mean["elsewhere"]
    assert mean["M 25-54"] < 0.7 * mean["F 25-54"]
    assert mean["over 75"] < 0.6 * mean["60-74"]


def test_it_follows_a_french_age_and_sex_structure(small_city: DemoSummary) -> None:
    counts = PopulationCount.objects.values("age_min", "sex").annotate(total=Sum("count"))
    by_band: dict[int, Counter[str]] = defaultdict(Counter)
    for row in counts:
        by_band[row["age_min"]][row["sex"]] += row["total"]
    assert len(by_band) == 18
    assert max(by_band) == 85
    assert PopulationCount.objects.filter(age_min=85).values_list("age_max", flat=True).distinct().get() == 120
    assert by_band[85]["F"] > 1.6 * by_band[85]["M"]
    assert by_band[0]["M"] > by_band[0]["F"]
    assert set(PopulationCount.objects.values_list("year", flat=True)) == {ANCHOR.year - 1}


def test_it_lets_every_demo_login_sign_in(small_city: DemoSummary) -> None:
    for role, email in DEMO_LOGINS:
        assert authenticate(email=email, password=DEMO_PASSWORD) is not None, role
    resident = User.objects.get(email=f"resident0001@{names.EMAIL_DOMAIN}")
    assert not resident.has_usable_password()


def test_it_gives_each_demo_login_its_role(small_city: DemoSummary) -> None:
    users = {role: User.objects.get(email=email) for role, email in DEMO_LOGINS}
    city = City.objects.get(slug=names.CITY_SLUG)
    coordinator = users["coordinator"]
    assert coordinator.is_staff
    assert list(coordinator.coordinated_cities.all()) == [city]
    assert coordinator.has_perm("catalogue.change_opportunity")
    assert coordinator.has_perm("catalogue.add_venue")
    assert not coordinator.has_perm("catalogue.delete_opportunity")
    staff_a, staff_b = users[f"{names.ORGANISATION_A[0]} staff"], users[f"{names.ORGANISATION_B[0]} staff"]
    assert [m.organisation.name for m in staff_a.memberships.all()] == [names.ORGANISATION_A[0]]
    assert [m.organisation.name for m in staff_b.memberships.all()] == [names.ORGANISATION_B[0]]
    assert Opportunity.objects.filter(organisation__name=names.ORGANISATION_A[0]).exists()
    assert users["admin"].is_superuser
    assert not users["resident"].is_staff
    assert users["another resident"].preferred_language == "en"
    assert len(DEMO_LOGINS) == 6
    assert all(len(role) <= 32 for role, _ in DEMO_LOGINS)


def test_it_sizes_the_catalogue_with_size() -> None:
    assert places.organisation_count(8000) == 400
    assert places.venue_count(8000, 400) == 600
    assert places.organisation_count(1_000_000) == 5000
    assert places.venue_count(1_000_000, 5000) == 10_000
    assert places.organisation_count(10) >= len(OrganisationType.values) + 2


def test_it_rejects_impossible_sizes(db: None) -> None:
    with pytest.raises(ValueError, match="size"):
        build_demo_city(size=0)


def test_it_keeps_the_phrase_banks_consistent() -> None:
    codes = [topic.code for topic in TOPICS]
    assert len(codes) == len(set(codes)) >= 40
    audiences = {code for code, *_ in AUDIENCE_LABELS}
    languages = {code for code, *_ in LANGUAGES}
    blocks = {code for code, *_ in BUILDING_BLOCKS}
    for topic in TOPICS:
        assert re.fullmatch(r"\d{5}|", topic.formacode), topic.code
        assert set(topic.blocks) <= blocks
        assert set(topic.providers) <= set(OrganisationType.values)
        for offer in topic.offers:
            assert offer.kind in Kind.values
            assert 0 <= offer.age_min <= offer.age_max <= 120
            assert set(offer.audiences) <= audiences, offer.title_en
            assert set(offer.languages) <= languages, offer.title_en
    assert not set(codes) & {code for code, *_ in PARENT_TOPICS}, "a topic would become its own parent"
    assert {topic.parent for topic in TOPICS} <= {code for code, *_ in PARENT_TOPICS}
    for templates in names.ORGANISATION_NAMES.values():
        for _, specialities in templates:
            assert set(specialities.split()) <= set(codes), specialities


def test_it_hands_producer_errors_to_the_consumer() -> None:
    def make(size: int) -> int:
        if size == 3:
            raise RuntimeError("boom")
        return size * 2

    produced = produce_ahead(make, [1, 2, 3, 4])
    assert [next(produced), next(produced)] == [2, 4]
    with pytest.raises(RuntimeError, match="boom"):
        next(produced)
    assert list(produce_ahead(make, [5, 6])) == [10, 12]


def test_it_leaves_id_sequences_ready_for_new_rows(small_city: DemoSummary) -> None:
    opportunity = Opportunity.objects.filter(mode="on_site").order_by("pk").first()
    assert opportunity is not None
    highest = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first()
    opportunity.pk = None
    opportunity.save()
    session = Session.objects.create(
        opportunity=opportunity, start=opportunity.created_at, end=opportunity.created_at + timedelta(hours=1)
    )
    user = User.objects.create_user(email="newcomer@example.org")
    district = District.objects.create(city=opportunity.city, code="Q99", name="Nouveau quartier")
    assert highest is not None
    assert opportunity.pk > highest
    assert session.pk
    assert user.pk
    assert district.pk
    assert City.objects.create(name="B", slug="b", latitude=0, longitude=0)


def test_it_uses_only_reference_vocabularies(small_city: DemoSummary) -> None:
    assert BuildingBlock.objects.count() == len(BUILDING_BLOCKS)
    assert AudienceLabel.objects.count() == len(AUDIENCE_LABELS)
    assert Language.objects.count() == len(LANGUAGES)


def test_the_demo_resident_shares_a_credential_that_verifies(small_city: DemoSummary) -> None:
    from learningcity.passport import pathways, verification
    from learningcity.passport.models import Award, Pathway

    resident = User.objects.get(email=f"resident@{names.EMAIL_DOMAIN}")
    shared = Award.objects.filter(recipient=resident, shared=True)
    assert shared.count() == 1
    award = shared.get()
    assert verification.verify(award.jwt).valid
    assert verification.verify(award.credential).valid
    assert Award.objects.filter(method="rule").count() >= 2  # earned by attendance
    pathway = Pathway.objects.get(city__slug=names.CITY_SLUG)
    assert 0 < pathways.progress(pathway, pathways.holdings(resident.pk)).percent < 100
