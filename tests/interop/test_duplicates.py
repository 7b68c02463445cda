"""Likely duplicates: found across sources, decided by a coordinator (merged with provenance, or dismissed)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from itertools import combinations
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import Opportunity, Session, Status, Topic, Venue
from learningcity.enrolment.models import Registration
from learningcity.interop import curation_services, duplicates
from learningcity.interop.curation_models import DuplicateCandidate, DuplicateStatus, MergeRecord
from learningcity.interop.duplicates import Listing, find_matches
from learningcity.interop.models import SourceRecord
from learningcity.interop.pipeline import run_import
from tests.conftest import ROLES
from tests.factories import World, make_opportunity
from tests.interop.conftest import run_worker

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 3, 1)
HERE = (47.3900, 0.6900)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def listing(pk: int, *titles: str, venue: int | None = 1, position: tuple[float, float] | None = HERE,
            days: tuple[date, date] | None = (MONDAY, MONDAY), sources: tuple[str, ...] = ()) -> Listing:  # fmt: skip
    return Listing(
        pk=pk, titles=tuple(duplicates.normalise_title(title) for title in titles), venue_id=venue,
        position=position, days=days, sources=frozenset(sources),
    )  # fmt: skip


def pairs(*listings: Listing) -> list[tuple[int, int]]:
    return [(match.a, match.b) for match in find_matches(listings, reference_latitude=HERE[0])]


def metres_north(metres: float) -> tuple[float, float]:
    return (HERE[0] + metres / 111_195, HERE[1])


# ---------------------------------------------------------------- detection rules


def test_it_normalises_titles() -> None:
    assert duplicates.normalise_title("L'Atelier d'AQUARELLE du Musée !") == "atelier aquarelle musee"


def test_it_finds_the_same_offer_from_two_sources() -> None:
    found = find_matches(
        [listing(1, "Atelier d'aquarelle du samedi", sources=("agenda",)),
         listing(2, "Aquarelle : atelier du samedi", sources=("lheo",))],
        reference_latitude=HERE[0],
    )  # fmt: skip
    [match] = found
    assert (match.a, match.b, match.score) == (1, 2, 100.0)
    assert match.reasons == {"title": 100.0, "place": "same_venue", "distance_m": 0, "dates": "overlap"}


def test_it_leaves_different_events_at_the_same_venue_alone() -> None:
    assert pairs(
        listing(1, "Atelier d'aquarelle"), listing(2, "Atelier de poterie"), listing(3, "Heure du conte"),
        listing(4, "Concert de jazz"), listing(5, "Club de lecture"),
    ) == []  # fmt: skip


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (listing(2, "Atelier aquarelle", venue=2, position=metres_north(150)), [(1, 2)]),
        (listing(2, "Atelier aquarelle", venue=2, position=metres_north(260)), []),
        (listing(2, "Atelier aquarelle", venue=None, position=None), []),
        (listing(2, "Atelier aquarelle", days=(MONDAY + timedelta(days=1), MONDAY + timedelta(days=9))), []),
        (listing(2, "Atelier aquarelle", days=(MONDAY - timedelta(days=30), MONDAY)), [(1, 2)]),
        (listing(2, "Atelier aquarelle", days=None), []),
        (listing(2, "Atelier aquarelle", sources=("agenda",)), []),
        (listing(2, "Watercolour workshop", "Atelier aquarelle"), [(1, 2)]),
    ],
    ids=["venue 150 m away", "venue 260 m away", "online", "later dates", "dates touch", "undated",
         "same source", "French title of a bilingual listing"],
)  # fmt: skip
def test_it_needs_a_similar_title_the_same_place_and_the_same_time(second: Listing, expected: list[Any]) -> None:
    assert pairs(listing(1, "Atelier d'aquarelle", sources=("agenda",)), second) == expected


def test_undated_listings_and_online_listings_pair_among_themselves() -> None:
    assert pairs(listing(1, "Cours d'anglais", days=None), listing(2, "Cours anglais", days=None)) == [(1, 2)]
    first = listing(1, "Python débutants", venue=None, position=None)
    assert pairs(first, listing(2, "Python pour débutants", venue=None, position=None)) == [(1, 2)]


def test_titles_with_different_numbers_are_different_offers() -> None:
    assert pairs(listing(1, "Français langue étrangère A1"), listing(2, "Français langue étrangère A2")) == []
    assert pairs(listing(1, "Français langue étrangère A1"), listing(2, "Français langue étrangère (A1)")) == [(1, 2)]


def _random_catalogue(seed: int, size: int) -> list[Listing]:
    """Listings whose titles are variants of a few base titles, at a few nearby venues, on a few dates."""
    rng = random.Random(seed)
    words = ["atelier", "cours", "aquarelle", "poterie", "anglais", "yoga", "conte", "jazz", "numerique",
             "enfants", "adultes", "debutants", "samedi", "soir", "famille", "initiation", "robotique", "echecs",
             "chant"]  # fmt: skip
    bases = [" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(40)]
    venues = [(index, (HERE[0] + rng.uniform(0, 0.004), HERE[1] + rng.uniform(0, 0.004))) for index in range(12)]
    listings = []
    for pk in range(1, size + 1):
        title = rng.choice(bases).split()
        if rng.random() < 0.3:
            title.insert(rng.randrange(len(title) + 1), rng.choice(words))
        if rng.random() < 0.3 and len(title) > 2:
            title.pop(rng.randrange(len(title)))
        rng.shuffle(title) if rng.random() < 0.2 else None
        venue, position = rng.choice(venues)
        start = MONDAY + timedelta(days=rng.randint(0, 20))
        days = None if rng.random() < 0.1 else (start, start + timedelta(days=rng.choice([0, 0, 7])))
        sources = (rng.choice(["a", "b", "c"]),) if rng.random() < 0.5 else ()
        listings.append(listing(pk, " ".join(title), venue=venue, position=position, days=days, sources=sources))
    return listings


def test_blocking_finds_what_comparing_every_pair_finds() -> None:
    catalogue = _random_catalogue(seed=6, size=300)
    every_pair = {
        (match.a, match.b)
        for first, second in combinations(catalogue, 2)
        if (match := duplicates.compare(first, second)) is not None
    }
    assert len(every_pair) > 100, "the sample holds many duplicates"
    assert set(pairs(*catalogue)) == every_pair


def test_blocking_compares_a_small_share_of_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(1)
    catalogue = [
        listing(pk, f"atelier {rng.randrange(500)} theme{rng.randrange(300)} public{rng.randrange(50)}",
                venue=pk % 200, position=(HERE[0] + (pk % 200) * 0.003, HERE[1]))
        for pk in range(1, 4001)
    ]  # fmt: skip
    compared = []
    real_compare = duplicates.compare

    def counting_compare(first: Listing, second: Listing, **options: Any) -> Any:
        compared.append(1)
        return real_compare(first, second, **options)

    monkeypatch.setattr(duplicates, "compare", counting_compare)
    find_matches(catalogue, reference_latitude=HERE[0])
    all_pairs = len(catalogue) * (len(catalogue) - 1) // 2
    assert len(compared) < all_pairs / 500, f"{len(compared)} of {all_pairs} pairs compared"


# ---------------------------------------------------------------- finding them in a city


def item(identifier: str, title: str, *, day: int = 10, **fields: Any) -> dict[str, Any]:
    """One record of the pipeline's test format, at the Maison des Lilas."""
    values: dict[str, Any] = {
        "id": identifier, "title_fr": title, "description_fr": "On apprend ensemble.", "age_min": 10,
        "venue": {"name": "Maison des Lilas", "address": "3 rue des Lilas", "latitude": 47.40, "longitude": 0.70},
        "sessions": [[f"2027-03-{day:02d}T18:00:00+01:00", f"2027-03-{day:02d}T20:00:00+01:00"]],
    }  # fmt: skip
    values.update(fields)
    return values


def import_items(world: World, records_format: str, source: str, *items: dict[str, Any]) -> None:
    """Import as the operator: the agenda's events are provider A's, the training catalogue's provider B's."""
    organisation = world.org_a if source == "agenda" else world.org_b
    result = run_import(
        city=world.city, format=records_format, content=json.dumps(list(items)).encode(), organisation=organisation,
        source=source, target_status=Status.PUBLISHED, dry_run=False,
    )  # fmt: skip
    assert result.committed, result.rows


def from_source(source: str, external_id: str) -> Opportunity:
    return Opportunity.objects.get(source_records__source=source, source_records__external_id=external_id)


def candidate_for(first: Opportunity, second: Opportunity) -> DuplicateCandidate:
    a, b = sorted([first.pk, second.pk])
    return DuplicateCandidate.objects.get(a_id=a, b_id=b)


@pytest.fixture
def two_sources(world: World, records_format: str) -> dict[str, Opportunity]:
    """The same Saturday workshop from an agenda and from a training catalogue, plus another event there."""
    import_items(world, records_format, "agenda", item("e1", "Atelier d'aquarelle du samedi"),
                 item("e2", "Concert de jazz"))  # fmt: skip
    import_items(world, records_format, "training", item("t9", "Aquarelle : atelier du samedi", age_min=12,
                                                         description_fr="Pinceaux fournis. " * 20))  # fmt: skip
    return {
        "agenda": from_source("agenda", "e1"),
        "concert": from_source("agenda", "e2"),
        "training": from_source("training", "t9"),
    }


def test_it_finds_true_duplicates_across_two_imported_sources(
    world: World, two_sources: dict[str, Opportunity]
) -> None:
    open_count = curation_services.find_duplicates(world.city)
    agenda, training = two_sources["agenda"], two_sources["training"]
    candidate = candidate_for(agenda, training)
    assert candidate.a_id < candidate.b_id
    assert candidate.city == world.city
    assert candidate.status == DuplicateStatus.OPEN
    assert candidate.reasons == {"title": 100.0, "place": "same_venue", "distance_m": 0, "dates": "overlap"}
    concert = two_sources["concert"].pk
    assert not DuplicateCandidate.objects.filter(a_id=concert).exists()
    assert not DuplicateCandidate.objects.filter(b_id=concert).exists()
    assert open_count == DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).count()


def test_searching_again_keeps_decisions_and_drops_pairs_that_no_longer_match(
    world: World, two_sources: dict[str, Opportunity]
) -> None:
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(two_sources["agenda"], two_sources["training"])
    curation_services.duplicate_dismiss(candidate=candidate, by=world.users["coordinator"])
    curation_services.find_duplicates(world.city)
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.DISMISSED, "a dismissed pair is not suggested again"
    assert DuplicateCandidate.objects.filter(a=candidate.a, b=candidate.b).count() == 1

    copy = make_opportunity(world.org_b, title_fr="Concert de jazz", venue=two_sources["concert"].venue)
    copy.sessions.update(
        start=two_sources["concert"].sessions.get().start, end=two_sources["concert"].sessions.get().end
    )
    curation_services.find_duplicates(world.city)
    jazz = candidate_for(two_sources["concert"], copy)
    Opportunity.objects.filter(pk=copy.pk).update(title_fr="Chorale des enfants", title_en="")
    curation_services.find_duplicates(world.city)
    assert not DuplicateCandidate.objects.filter(pk=jazz.pk).exists()


def test_the_command_function_takes_a_city_or_its_slug(world: World, two_sources: dict[str, Opportunity]) -> None:
    assert curation_services.find_duplicates_command("testville") >= 1
    with pytest.raises(ValidationError, match="No city has the slug"):
        curation_services.find_duplicates_command("atlantis")


# ---------------------------------------------------------------- merging and dismissing


def resident(world: World) -> Any:
    user = world.users["resident"]
    assert user is not None
    return user


def database_state() -> tuple[Any, ...]:
    return (
        list(Opportunity.objects.order_by("pk").values_list("pk", "status", "title_fr", "age_min", "last_verified")),
        list(Session.objects.order_by("pk").values_list("pk", "opportunity_id")),
        list(SourceRecord.objects.order_by("pk").values_list("pk", "opportunity_id")),
        list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "status")),
        MergeRecord.objects.count(),
    )


def test_a_merge_keeps_one_listing_with_the_chosen_values_and_their_provenance(
    world: World, records_format: str, two_sources: dict[str, Opportunity]
) -> None:
    agenda, training = two_sources["agenda"], two_sources["training"]
    Session.objects.create(
        opportunity=training,
        start=timezone.now() + timedelta(days=60),
        end=timezone.now() + timedelta(days=60, hours=2),
    )
    topic = Topic.objects.create(code="painting", name_fr="Peinture", name_en="Painting")
    training.topics.set([topic])
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(agenda, training)

    record = curation_services.duplicate_merge(
        candidate=candidate, by=world.users["coordinator"], keep_id=agenda.pk,
        choices={"description_fr": training.pk, "ages": training.pk, "topics": training.pk, "title_fr": agenda.pk},
    )  # fmt: skip

    agenda.refresh_from_db()
    training.refresh_from_db()
    assert agenda.status == Status.PUBLISHED
    assert agenda.title_fr == "Atelier d'aquarelle du samedi"
    assert agenda.description_fr.startswith("Pinceaux fournis.")
    assert (agenda.age_min, agenda.age_max) == (12, 120)
    assert list(agenda.topics.all()) == [topic]
    assert training.status == Status.ARCHIVED, "archived, never deleted"
    assert f"no. {agenda.pk}" in training.review_note
    assert agenda.sessions.count() == 2, "the session that did not overlap moved; the same evening did not"
    assert training.sessions.count() == 1
    assert sorted(agenda.source_records.values_list("source", flat=True)) == ["agenda", "training"]
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by) == (DuplicateStatus.MERGED, world.users["coordinator"])
    assert record.provenance["description_fr"] == {
        "value": training.description_fr, "shown": training.description_fr,
        "from_opportunity": training.pk, "from_source": "training: t9",
    }  # fmt: skip
    assert record.provenance["title_fr"]["from_source"] == "agenda: e1"
    assert record.provenance["topics"]["value"] == [topic.pk]
    assert (record.moved_sessions, record.moved_source_records) == (1, 1)

    # Importing the archived listing's source again now updates the kept listing.
    import_items(world, records_format, "training", item("t9", "Aquarelle : atelier du samedi", age_min=14))
    agenda.refresh_from_db()
    assert agenda.age_min == 14
    assert Opportunity.objects.filter(source_records__source="training").get() == agenda


def test_a_merge_is_refused_when_the_listing_to_archive_has_registrations(
    world: World, two_sources: dict[str, Opportunity]
) -> None:
    agenda, training = two_sources["agenda"], two_sources["training"]
    Registration.objects.create(user=resident(world), session=training.sessions.get())
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(agenda, training)
    before = database_state()
    with pytest.raises(ValidationError) as refused:
        curation_services.duplicate_merge(
            candidate=candidate, by=world.users["coordinator"], keep_id=agenda.pk, choices={}
        )
    [reason] = refused.value.message_dict["keep"]
    assert reason == (
        "“Aquarelle : atelier du samedi” has registrations, so it cannot be archived by a merge. "
        "Keep that listing instead."
    )
    assert database_state() == before
    assert curation_services.default_keep(agenda, training) == training


def test_a_merge_making_an_impossible_listing_changes_nothing(
    world: World, two_sources: dict[str, Opportunity]
) -> None:
    agenda, training = two_sources["agenda"], two_sources["training"]
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(agenda, training)
    before = database_state()
    with pytest.raises(ValidationError) as refused:
        curation_services.duplicate_merge(
            candidate=candidate, by=world.users["coordinator"], keep_id=agenda.pk, choices={"ages": 999999}
        )
    assert "ages" in refused.value.message_dict
    assert database_state() == before


def test_only_coordinators_merge_or_dismiss(world: World, two_sources: dict[str, Opportunity]) -> None:
    from django.core.exceptions import PermissionDenied

    curation_services.find_duplicates(world.city)
    candidate = candidate_for(two_sources["agenda"], two_sources["training"])
    with pytest.raises(PermissionDenied):
        curation_services.duplicate_dismiss(candidate=candidate, by=world.users["provider_staff"])
    with pytest.raises(PermissionDenied):
        curation_services.duplicate_merge(
            candidate=candidate, by=world.users["provider_staff"], keep_id=candidate.a_id, choices={}
        )


# ---------------------------------------------------------------- pages


def test_the_list_shows_each_pair_side_by_side_with_the_reasons(
    world: World, client_for: Callable[[str], Client], two_sources: dict[str, Opportunity]
) -> None:
    curation_services.find_duplicates(world.city)
    page = client_for("coordinator").get(reverse("interop:curation-duplicates")).content.decode()
    assert "Atelier d&#x27;aquarelle du samedi" in page
    assert "Aquarelle : atelier du samedi" in page
    assert "Titles 100 % alike, same venue, dates overlap" in page
    assert "agenda: e1" in page
    assert "training: t9" in page


def test_the_comparison_marks_the_differences_and_merges_from_the_form(
    world: World, client_for: Callable[[str], Client], two_sources: dict[str, Opportunity]
) -> None:
    agenda, training = two_sources["agenda"], two_sources["training"]
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(agenda, training)
    client = client_for("coordinator")
    url = reverse("interop:curation-duplicate", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert "<mark>10 to 120 years</mark>" in page
    assert "<mark>12 to 120 years</mark>" in page
    assert "<legend>Ages:</legend>" in page
    assert 'name="kind"' not in page, "a field with the same value needs no choice"

    response = client.post(url, {"keep": agenda.pk, "title_fr": training.pk, "description_fr": agenda.pk,
                                 "ages": training.pk}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("interop:curation-listing", args=[agenda.pk])
    page = response.content.decode()
    assert "Merged. The other listing is archived" in page
    assert "Where each field&#x27;s value comes from" in page or "Where each field's value comes from" in page
    assert "training: t9" in page
    agenda.refresh_from_db()
    assert (agenda.title_fr, agenda.age_min) == ("Aquarelle : atelier du samedi", 12)


def test_a_refused_merge_explains_why_on_the_form(
    world: World, client_for: Callable[[str], Client], two_sources: dict[str, Opportunity]
) -> None:
    agenda, training = two_sources["agenda"], two_sources["training"]
    Registration.objects.create(user=resident(world), session=training.sessions.get())
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(agenda, training)
    response = client_for("coordinator").post(
        reverse("interop:curation-duplicate", args=[candidate.pk]), {"keep": agenda.pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist-summary" role="alert"' in page
    assert "has registrations, so it cannot be archived by a merge" in page
    training.refresh_from_db()
    assert training.status == Status.PUBLISHED


def test_dismissing_from_the_page_moves_the_pair_to_not_a_duplicate(
    world: World, client_for: Callable[[str], Client], two_sources: dict[str, Opportunity]
) -> None:
    curation_services.find_duplicates(world.city)
    candidate = candidate_for(two_sources["agenda"], two_sources["training"])
    client = client_for("coordinator")
    response = client.post(reverse("interop:curation-duplicate-dismiss", args=[candidate.pk]), follow=True)
    assert "Marked as not a duplicate" in response.content.decode()
    dismissed = client.get(reverse("interop:curation-duplicates") + "?status=dismissed").content.decode()
    assert "Aquarelle : atelier du samedi" in dismissed
    assert "Not a duplicate by Erin" in dismissed


def candidate_in(world: World) -> DuplicateCandidate:
    """A likely duplicate of the world's published listing, from provider B."""
    copy = make_opportunity(world.org_b, venue=Venue.objects.get(organisation=world.org_a))
    copy.sessions.update(start=world.published.sessions.get().start, end=world.published.sessions.get().end)
    curation_services.find_duplicates(world.city)
    return candidate_for(world.published, copy)


PAGES: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("likely duplicates", lambda w: reverse("interop:curation-duplicates"), [302, 403, 403, 403, 403, 200]),
    ("one pair", lambda w: reverse("interop:curation-duplicate", args=[candidate_in(w).pk]),
     [302, 403, 403, 403, 403, 200]),
    ("a missing pair", lambda w: reverse("interop:curation-duplicate", args=[999999]), [302, 404, 404, 404, 404, 404]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[row[0] for row in PAGES])
def test_it_gives_each_persona_the_right_access_to_pages(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str], expected: list[int]
) -> None:
    # One world for the six personas: reading a page changes nothing (and keeps the suite fast).
    address = url(world)
    got = [client_for(role).get(address).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


ACTIONS: list[tuple[str, str, Callable[[DuplicateCandidate], str], list[int]]] = [
    ("dismiss", DuplicateStatus.DISMISSED, lambda c: reverse("interop:curation-duplicate-dismiss", args=[c.pk]),
     [302, 403, 403, 403, 403, 302]),
    ("merge", DuplicateStatus.MERGED, lambda c: reverse("interop:curation-duplicate", args=[c.pk]),
     [302, 403, 403, 403, 403, 302]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "decided", "url", "expected"), ACTIONS, ids=[row[0] for row in ACTIONS])
def test_it_lets_only_coordinators_decide(
    world: World, client_for: Callable[[str], Client], name: str, decided: str,
    url: Callable[[DuplicateCandidate], str], expected: list[int],
) -> None:  # fmt: skip
    # The personas act in turn on one pair; each refusal must leave it open for the next.
    candidate = candidate_in(world)
    for role, status in zip(ROLES, expected, strict=True):
        response = client_for(role).post(url(candidate), {"keep": candidate.a_id})
        assert response.status_code == status, f"{name} as {role}"
        candidate.refresh_from_db()
        assert candidate.status == (decided if role == "coordinator" else DuplicateStatus.OPEN), f"{name} as {role}"


def test_only_coordinators_start_a_search(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    for role in ROLES:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(role).post(reverse("interop:curation-duplicates-search"))
        allowed = role == "coordinator"
        assert response.status_code == (302 if allowed or role == "anonymous" else 403), role
        assert DBTaskResult.objects.exists() == allowed, role


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_search_button_runs_the_search_in_the_worker(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    copy = make_opportunity(world.org_b, venue=Venue.objects.get(organisation=world.org_a))
    copy.sessions.update(start=world.published.sessions.get().start, end=world.published.sessions.get().end)
    client = client_for("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interop:curation-duplicates-search"), follow=True)
    assert "The search for duplicates has started" in response.content.decode()
    assert not DuplicateCandidate.objects.exists()
    run_worker()
    assert candidate_for(world.published, copy).status == DuplicateStatus.OPEN
