"""The in-memory snapshot gives exactly the answers of the SQL path, and follows every change at once.

These tests run outside a wrapping transaction (`transaction=True`), as page and API reads do,
so `search()` takes the snapshot path; `_run_sql` is the reference.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from learningcity.catalogue.models import Opportunity, Status
from learningcity.search import indexing, snapshot
from learningcity.search.query import parse
from learningcity.search.selectors import Near, SearchParams, _run_sql, search
from tests.factories import make_opportunity
from tests.search.conftest import Catalogue

# Serialized rollback: the flush after each test then leaves no rows that a later browser test
# (which restores the migrated data) would collide with, whatever the order tests run in.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEARCHES = [
    SearchParams(),
    SearchParams(text="theatre"),
    SearchParams(text="atelier aquarelle"),
    SearchParams(text='"python programming"'),
    SearchParams(age=70),
    SearchParams(age=10, free=True),
    SearchParams(times=("evening",)),
    SearchParams(days=(5, 6)),
    SearchParams(kinds=("course",)),
    SearchParams(kinds=("course", "club"), modes=("on_site",)),
    SearchParams(max_price=Decimal("30")),
    SearchParams(languages=("en",)),
    SearchParams(access=("step_free_access",)),
    SearchParams(sectors=("formal",)),
    SearchParams(blocks=("learning-technologies",)),
    SearchParams(places=True),
    SearchParams(include_past=True),
    SearchParams(text="theatre", include_past=True),
    SearchParams(near=Near(47.39, 0.69, 3.0)),
    SearchParams(near=Near(47.39, 0.69, 15.0), sort="distance"),
    SearchParams(sort="date"),
    SearchParams(page=2),
    SearchParams(date_from=timezone.localdate(), date_to=timezone.localdate() + timedelta(days=10)),
]


def both(catalogue: Catalogue, params: SearchParams) -> tuple[object, object]:
    assert snapshot.usable()
    fast = search(catalogue.city, params)
    slow = _run_sql(catalogue.city, parse(params.text), params, facets=True, now=timezone.now())
    return fast, slow


def summary(result: object) -> tuple[object, ...]:
    return (
        [opportunity.pk for opportunity in result.opportunities],  # type: ignore[attr-defined]
        result.total,  # type: ignore[attr-defined]
        {name: [(v.value, v.count, v.selected) for v in values] for name, values in result.facets.items()},  # type: ignore[attr-defined]
        {key: round(value, 9) for key, value in result.distances.items()},  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("params", SEARCHES, ids=lambda params: repr(params)[:80])
def test_snapshot_and_sql_agree(catalogue: Catalogue, params: SearchParams) -> None:
    fast, slow = both(catalogue, params)
    assert summary(fast) == summary(slow)


def test_a_busy_catalogue_agrees_page_by_page(catalogue: Catalogue) -> None:
    for number in range(45):
        make_opportunity(catalogue.library, title_fr=f"Atelier numéro {number}", title_en=f"Workshop {number}")
    for page in (1, 2, 3):
        fast, slow = both(catalogue, SearchParams(text="atelier", page=page))
        assert summary(fast) == summary(slow)


def test_changes_reach_the_snapshot_at_once(catalogue: Catalogue) -> None:
    assert search(catalogue.city, SearchParams(text="gravure")).total == 0  # loads the snapshot
    catalogue.watercolour.title_fr = "Atelier de gravure"
    catalogue.watercolour.save()
    assert [o.pk for o in search(catalogue.city, SearchParams(text="gravure")).opportunities] == [
        catalogue.watercolour.pk
    ]
    catalogue.watercolour.status = Status.ARCHIVED
    catalogue.watercolour.save()
    assert search(catalogue.city, SearchParams(text="gravure")).total == 0
    assert catalogue.watercolour.pk not in [o.pk for o in search(catalogue.city, SearchParams()).opportunities]
    newcomer = make_opportunity(catalogue.museum, title_fr="Sculpture sur bois", title_en="Wood carving")
    assert [o.pk for o in search(catalogue.city, SearchParams(text="sculpture")).opportunities] == [newcomer.pk]
    newcomer.delete()
    assert search(catalogue.city, SearchParams(text="sculpture")).total == 0
    catalogue.seniors_yoga.age_min = 18
    catalogue.seniors_yoga.save()
    assert catalogue.seniors_yoga.pk in [o.pk for o in search(catalogue.city, SearchParams(age=30)).opportunities]


def test_a_rebuild_reloads_the_snapshot(catalogue: Catalogue) -> None:
    before = summary(search(catalogue.city, SearchParams()))
    Opportunity.objects.filter(pk=catalogue.theatre.pk).update(title_fr="Changé sans signal")
    indexing.rebuild(catalogue.city)
    after = search(catalogue.city, SearchParams(text="signal"))
    assert [o.pk for o in after.opportunities] == [catalogue.theatre.pk]
    assert summary(search(catalogue.city, SearchParams()))[1] == before[1]


def test_inside_a_transaction_search_reads_the_tables(catalogue: Catalogue) -> None:
    from django.db import transaction

    with transaction.atomic():
        assert not snapshot.usable()
        catalogue.theatre.title_fr = "Marionnettes"
        catalogue.theatre.save()
        assert search(catalogue.city, SearchParams(text="marionnettes")).total == 1
        transaction.set_rollback(True)
    assert search(catalogue.city, SearchParams(text="marionnettes")).total == 0


def test_cached_word_matches_follow_text_changes(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CLAUSE_CACHE_MIN", 0)  # cache every clause, as big catalogues do for common words
    found = search(catalogue.city, SearchParams(text="aquarelle"))
    assert [o.pk for o in found.opportunities] == [catalogue.watercolour.pk]
    assert snapshot.for_city(catalogue.city.pk).clauses  # the clause is cached now
    catalogue.theatre.title_fr = "Aquarelle et théâtre"
    catalogue.theatre.save()
    catalogue.watercolour.title_fr = "Atelier de gouache"
    catalogue.watercolour.description_fr = "Couleurs"
    catalogue.watercolour.save()
    again = search(catalogue.city, SearchParams(text="aquarelle"))
    slow = _run_sql(catalogue.city, parse("aquarelle"), SearchParams(text="aquarelle"), facets=True, now=timezone.now())
    assert summary(again) == summary(slow)
    assert catalogue.theatre.pk in [o.pk for o in again.opportunities]
    newcomer = make_opportunity(catalogue.museum, title_fr="Aquarelle au musée", title_en="Watercolour at the museum")
    latest = search(catalogue.city, SearchParams(text="aquarelle"))
    assert latest.opportunities[0].pk in {newcomer.pk, catalogue.theatre.pk}
    assert newcomer.pk in [o.pk for o in latest.opportunities]


def test_words_found_in_memory_follow_every_edit(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CLAUSE_CACHE_MIN", 10**9)  # never cache: every word is looked up afresh

    def agree(text: str) -> list[int]:
        params = SearchParams(text=text)
        fast = search(catalogue.city, params)
        assert summary(fast) == summary(_run_sql(catalogue.city, parse(text), params, facets=True, now=timezone.now()))
        return [o.pk for o in fast.opportunities]

    assert agree("aquarelle") == [catalogue.watercolour.pk]
    held = snapshot.for_city(catalogue.city.pk)
    if connection.vendor == "postgresql":
        assert held.postings is not None, "PostgreSQL hands every term over: words are looked up in memory"
    catalogue.watercolour.title_fr = "Atelier de gouache"
    catalogue.watercolour.description_fr = "Couleurs"
    catalogue.watercolour.save()
    assert agree("aquarelle") == []
    assert agree("gouache") == [catalogue.watercolour.pk]
    catalogue.watercolour.title_fr = "Atelier de fusain"
    catalogue.watercolour.save()  # edited twice: only the latest words count
    assert agree("gouache") == []
    assert agree("fusain") == [catalogue.watercolour.pk]
    newcomer = make_opportunity(catalogue.museum, title_fr="Fusain au musée", title_en="Charcoal at the museum")
    assert set(agree("fusain")) == {catalogue.watercolour.pk, newcomer.pk}
    assert agree("charcoal") == [newcomer.pk]
    newcomer.delete()
    assert agree("charcoal") == []
    assert agree('"atelier de fusain"') == [catalogue.watercolour.pk]
