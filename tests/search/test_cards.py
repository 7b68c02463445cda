"""Result cards kept in memory (search/cards.py): reused between searches, never older than the snapshot."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learningcity.search import cards
from learningcity.search.cards import CardCache
from learningcity.search.selectors import SearchParams, search
from tests.search.conftest import Catalogue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def titles(catalogue: Catalogue, text: str) -> list[str]:
    return [opportunity.title_fr for opportunity in search(catalogue.city, SearchParams(text=text)).opportunities]


def test_it_shows_an_edit_in_the_next_search(catalogue: Catalogue) -> None:
    assert titles(catalogue, "aquarelle") == [catalogue.watercolour.title_fr]
    catalogue.watercolour.title_fr = "Aquarelle pour tous"
    catalogue.watercolour.save()
    assert titles(catalogue, "aquarelle") == ["Aquarelle pour tous"]


def test_it_shows_a_renamed_organisation_in_the_next_search(catalogue: Catalogue) -> None:
    search(catalogue.city, SearchParams(text="aquarelle"))
    catalogue.watercolour.organisation.name = "Médiathèque François-Mitterrand"
    catalogue.watercolour.organisation.save()
    (card,) = search(catalogue.city, SearchParams(text="aquarelle")).opportunities
    assert card.organisation.name == "Médiathèque François-Mitterrand"


def test_it_asks_the_database_less_for_a_page_seen_before(catalogue: Catalogue) -> None:
    search(catalogue.city, SearchParams(text="atelier"))  # loads the snapshot
    cards.forget_all()
    with CaptureQueriesContext(connection) as first_time:
        search(catalogue.city, SearchParams(text="atelier"))
    with CaptureQueriesContext(connection) as again:
        search(catalogue.city, SearchParams(text="atelier"))
    assert len(again.captured_queries) < len(first_time.captured_queries)


def test_it_refuses_a_card_read_before_its_listing_changed() -> None:
    cache = CardCache()
    card = SimpleNamespace(pk=7)
    cache.forget([7], generation=5)  # another thread's refresh saw the listing change at generation 5
    cache.put_many([card], generation=4)  # this thread read it when the snapshot was at generation 4
    assert cache.get_many([7]) == {}
    cache.put_many([card], generation=5)
    assert cache.get_many([7]) == {7: card}


def test_it_lets_cards_expire_and_keeps_at_most_its_limit() -> None:
    expired = CardCache(max_age=-1)
    expired.put_many([SimpleNamespace(pk=1)], generation=0)
    assert expired.get_many([1]) == {}
    small = CardCache(limit=2)
    small.put_many([SimpleNamespace(pk=pk) for pk in (1, 2, 3)], generation=0)
    assert sorted(small.get_many([1, 2, 3])) == [2, 3]


def test_it_drops_every_card_after_a_full_reload() -> None:
    cache = CardCache()
    cache.put_many([SimpleNamespace(pk=1)], generation=3)
    cache.clear(generation=9)
    assert cache.get_many([1]) == {}
    cache.put_many([SimpleNamespace(pk=1)], generation=8)  # read before the reload
    assert cache.get_many([1]) == {}
