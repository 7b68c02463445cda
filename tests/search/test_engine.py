"""What a resident notices of search, the same on SQLite FTS5 and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from learningcity.catalogue.models import Language, Opportunity, Session, Status, Topic
from learningcity.enrolment.models import Registration
from learningcity.search import indexing
from learningcity.search.engines import engine
from learningcity.search.query import MAX_QUERY_LENGTH, QueryError, parse
from learningcity.search.selectors import Near, SearchParams, search, suggestions
from tests.factories import make_user
from tests.search.conftest import PARIS, Catalogue, local_moment, reschedule


def titles(catalogue: Catalogue, **params: object) -> list[str]:
    result = search(catalogue.city, SearchParams(**params))  # type: ignore[arg-type]
    return [opportunity.title_en for opportunity in result.opportunities]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("theatre", "Improv theatre"),  # no accent finds "Théâtre"
        ("THÉÂTRE", "Improv theatre"),  # case and accents
        ("ateliers", "Watercolour workshop"),  # French plural finds "Atelier"
        ("painting", "Painting landscapes"),
        ("paint", "Painting landscapes"),  # English stem
        ("aquarelle", "Watercolour workshop"),
        ("médiathèque", "Watercolour workshop"),  # organiser's name
        ("annexe rives", "Painting landscapes"),  # venue and district
        ("python programmation", "Introduction to Python programming"),  # two words, both required
    ],
)
def test_words_are_found_without_accents_case_or_endings(catalogue: Catalogue, typed: str, expected: str) -> None:
    assert expected in titles(catalogue, text=typed)


def test_every_word_is_required(catalogue: Catalogue) -> None:
    assert titles(catalogue, text="python aquarelle") == []


def test_a_small_typo_is_fixed_and_said(catalogue: Catalogue) -> None:
    assert titles(catalogue, text="aquarele") == ["Watercolour workshop"]  # same stem: found as typed
    result = search(catalogue.city, SearchParams(text="aqarelle"))
    assert result.corrected_text == "aquarelle"
    assert [opportunity.title_en for opportunity in result.opportunities] == ["Watercolour workshop"]
    assert titles(catalogue, text="programation") == ["Introduction to Python programming"]
    fixed = search(catalogue.city, SearchParams(text="mediateque"))
    assert fixed.corrected_text == "mediatheque"


def test_nothing_close_gives_no_results_rather_than_nonsense(catalogue: Catalogue) -> None:
    result = search(catalogue.city, SearchParams(text="zzzqqq"))
    assert result.total == 0
    assert result.corrected_text == ""


def test_quoted_phrases_keep_word_order(catalogue: Catalogue) -> None:
    assert titles(catalogue, text='"atelier d\'aquarelle"') == ["Watercolour workshop"]
    assert titles(catalogue, text='"aquarelle atelier"') == []
    assert titles(catalogue, text='"python programming"') == ["Introduction to Python programming"]


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"théâtre',
        "*",
        "théâtre*",
        "NEAR(théâtre aquarelle)",
        "-théâtre",
        "(((",
        "title_terms:théâtre",
        "{title_terms}: x",
        "théâtre AND OR NOT",
        "'; DROP TABLE search_searchentry; --",
        "théâtre\x00\x07\u200b",
        "^~!@#$%&=+[]|\\<>?/,.",
    ],
)
def test_search_syntax_is_never_an_error(catalogue: Catalogue, typed: str) -> None:
    result = search(catalogue.city, SearchParams(text=typed))
    assert result.total >= 0
    assert Opportunity.objects.count() > 0  # nothing dropped


def test_control_characters_are_removed() -> None:
    assert parse("thé\x00â\x07tre").display() == "thé â tre" or parse("thé\x00â\x07tre").words


def test_an_overlong_query_is_refused_with_a_reason() -> None:
    with pytest.raises(QueryError, match="at most"):
        parse("a" * (MAX_QUERY_LENGTH + 1))
    with pytest.raises(QueryError, match="Too many words"):
        parse(" ".join(f"mot{number}" for number in range(20)))


def test_empty_query_browses_what_is_coming_soonest_first(catalogue: Catalogue) -> None:
    result = search(catalogue.city, SearchParams())
    shown = [opportunity.title_en for opportunity in result.opportunities]
    assert result.total == 7  # published, not only in the past
    assert "Theatre: last season" not in shown
    assert "Draft theatre" not in shown
    assert shown.index("Watercolour workshop") < shown.index("Painting landscapes")  # in 3 days vs 20 days
    assert shown[-1] == "Art history online"  # no date: available any time, after dated ones


def test_past_only_listings_are_shown_when_asked(catalogue: Catalogue) -> None:
    assert "Theatre: last season" not in titles(catalogue, text="theatre")
    assert "Theatre: last season" in titles(catalogue, text="theatre", include_past=True)


def test_title_matches_come_before_description_matches(catalogue: Catalogue) -> None:
    catalogue.painting_en.description_en = "Paint the river; a change from watercolour."
    catalogue.painting_en.save()
    catalogue.painting_en.sessions.update(start=local_moment(1, 10), end=local_moment(1, 12))
    indexing.reindex([catalogue.painting_en.pk])
    assert titles(catalogue, text="watercolour") == ["Watercolour workshop", "Painting landscapes"]


def test_age_filter_keeps_what_admits_that_age(catalogue: Catalogue) -> None:
    for_70 = titles(catalogue, age=70)
    assert "Gentle yoga" in for_70
    for_10 = titles(catalogue, age=10)
    assert "Gentle yoga" not in for_10
    assert "Improv theatre" not in for_10
    assert "Watercolour workshop" in for_10


def test_evenings_weekends_and_dates(catalogue: Catalogue) -> None:
    assert titles(catalogue, times=("evening",)) == ["English conversation"]
    assert titles(catalogue, days=(5, 6)) == ["Gentle yoga"]
    day = catalogue.painting_en.sessions.get().start.astimezone(PARIS).date()
    assert titles(catalogue, date_from=day, date_to=day) == ["Painting landscapes"]


def test_price_filters(catalogue: Catalogue) -> None:
    assert "Introduction to Python programming" not in titles(catalogue, free=True)
    assert "Introduction to Python programming" not in titles(catalogue, max_price=Decimal("30"))
    assert "Introduction to Python programming" in titles(catalogue, max_price=Decimal("40"))


def test_language_mode_access_district_sector_kind_block(catalogue: Catalogue) -> None:
    assert titles(catalogue, languages=("en",)) == ["Painting landscapes"]
    assert titles(catalogue, modes=("online",)) == ["Art history online"]
    step_free = titles(catalogue, access=("step_free_access",))
    assert "Painting landscapes" not in step_free
    assert "Watercolour workshop" in step_free
    rives = catalogue.far_venue.district_id
    assert rives is not None
    assert titles(catalogue, districts=(rives,)) == ["Painting landscapes"]
    assert set(titles(catalogue, sectors=("formal",))) == {"Painting landscapes", "Gentle yoga", "Art history online"}
    assert set(titles(catalogue, kinds=("club", "online_course"))) == {"English conversation", "Art history online"}
    assert titles(catalogue, blocks=("learning-technologies",)) == ["Introduction to Python programming"]


def test_topic_filter_includes_subtopics(catalogue: Catalogue) -> None:
    parent = Topic.objects.create(code="performing-arts", name_fr="Arts de la scène", name_en="Performing arts")
    child = Topic.objects.create(code="impro", parent=parent, name_fr="Improvisation", name_en="Improv")
    catalogue.theatre.topics.set([child])
    assert titles(catalogue, topics=(parent.pk,)) == ["Improv theatre"]
    assert titles(catalogue, topics=(child.pk,)) == ["Improv theatre"]


def test_near_a_point_within_a_radius_sorted_by_distance(catalogue: Catalogue) -> None:
    centre = Near(47.39, 0.69, 3.0)
    near = search(catalogue.city, SearchParams(near=centre, sort="distance"))
    shown = [opportunity.title_en for opportunity in near.opportunities]
    assert "Painting landscapes" not in shown  # about 10 km away
    assert "Art history online" not in shown  # online: not near anywhere
    wide = search(catalogue.city, SearchParams(near=Near(47.39, 0.69, 15.0), sort="distance"))
    assert wide.opportunities[-1].title_en == "Painting landscapes"
    assert 9 < wide.distances[catalogue.painting_en.pk] < 12


def test_places_left(catalogue: Catalogue) -> None:
    reschedule(catalogue.theatre, local_moment(4, 14), capacity=1)
    assert "Improv theatre" in titles(catalogue, places=True)
    session = catalogue.theatre.sessions.get()
    Registration.objects.create(user=make_user("full@resident.test"), session=session)
    assert "Improv theatre" not in titles(catalogue, places=True)


def test_facet_counts_follow_the_other_filters(catalogue: Catalogue) -> None:
    result = search(catalogue.city, SearchParams(kinds=("course",)))
    kinds = {value.value: (value.count, value.selected) for value in result.facets["kinds"]}
    assert kinds["course"] == (3, True)
    assert kinds["club"] == (1, False)  # what choosing "club" as well would add
    price = {value.value: value.count for value in result.facets["price"]}
    assert price["free"] == 2  # among the three courses
    days = {value.value: value.count for value in result.facets["days"]}
    assert sum(days.values()) >= 3
    assert result.total == 3


def test_edits_are_searchable_at_once_and_withdrawals_disappear(catalogue: Catalogue) -> None:
    catalogue.watercolour.title_fr = "Atelier de gravure"
    catalogue.watercolour.save()
    assert "Watercolour workshop" in titles(catalogue, text="gravure")
    catalogue.watercolour.status = Status.ARCHIVED
    catalogue.watercolour.save()
    assert titles(catalogue, text="gravure") == []
    catalogue.theatre.delete()
    assert titles(catalogue, text="improvisation") == []
    catalogue.draft.status = Status.PUBLISHED
    catalogue.draft.save()
    assert "Draft theatre" in titles(catalogue, text="brouillon")


def test_index_follows_sessions_and_relations(catalogue: Catalogue) -> None:
    Session.objects.filter(opportunity=catalogue.watercolour).delete()
    start = local_moment(6, 20)
    Session.objects.create(opportunity=catalogue.watercolour, start=start, end=start + timedelta(hours=1))
    assert "Watercolour workshop" in titles(catalogue, times=("evening",))
    catalogue.watercolour.languages.add(Language.objects.get(code="en"))
    assert "Watercolour workshop" in titles(catalogue, languages=("en",))


def test_unpublished_listings_are_never_found(catalogue: Catalogue) -> None:
    assert "Draft theatre" not in titles(catalogue, text="brouillon", include_past=True)


def test_rebuild_gives_the_same_answers_as_the_live_index(catalogue: Catalogue) -> None:
    queries = [SearchParams(), SearchParams(text="theatre"), SearchParams(age=70), SearchParams(times=("evening",))]
    before = [[o.pk for o in search(catalogue.city, params).opportunities] for params in queries]
    assert indexing.rebuild() == 8
    after = [[o.pk for o in search(catalogue.city, params).opportunities] for params in queries]
    assert before == after


def test_structures_can_be_installed_again(catalogue: Catalogue) -> None:
    engine().install(connection)
    assert "Improv theatre" in titles(catalogue, text="improv")


def test_suggestions_complete_the_last_word(catalogue: Catalogue) -> None:
    assert suggestions(catalogue.city, "aqua", language="fr") == ["Atelier d'aquarelle"]
    assert suggestions(catalogue.city, "atelier aqua", language="en") == ["Watercolour workshop"]
    assert suggestions(catalogue.city, "théâ", language="en") == ["Improv theatre"]
    assert suggestions(catalogue.city, "a", language="fr") == []
