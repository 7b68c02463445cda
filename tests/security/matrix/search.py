"""Search: the public search and completions, saved searches and suggestions, what residents search for."""

from __future__ import annotations

from typing import Any

from learningcity.search import services
from learningcity.search.models import SavedSearch
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    COORDINATORS,
    HIDDEN,
    LOGIN,
    POST_ONLY,
    PUBLIC,
    REDIRECT,
    Expect,
    Route,
)
from tests.security.scene import Scene

# The resident's saved search: for anyone else it does not exist.
OWNER_ACTS = Expect(LOGIN, REDIRECT, HIDDEN, HIDDEN, HIDDEN, HIDDEN)


def build(scene: Scene) -> None:
    scene.add(
        "saved_search",
        services.saved_search_create(user=scene.resident, city=scene.world.city, name="Mine", query="q=aquarelle"),
    )


def saved_state(scene: Scene) -> Any:
    return list(SavedSearch.objects.filter(pk=scene["saved_search"].pk).values())


ENTRIES = [
    Route("search:search", get=PUBLIC, query="?q=aquarelle"),
    Route("search:suggest", get=PUBLIC, query="?q=aqua"),
    Route("search:saved", get=ACCOUNT, post=ACCOUNT_ACTS, post_data=lambda s: {"name": "Free", "query": "free=on"}),
    Route(
        "search:saved-delete",
        get=POST_ONLY,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["saved_search"].pk},
        watch=saved_state,
    ),
    Route(
        "search:saved-alerts",
        get=POST_ONLY,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["saved_search"].pk},
        post_data=lambda s: {"alerts": "off"},
        watch=saved_state,
    ),
    Route("search:for-you", get=ACCOUNT, post=ACCOUNT_ACTS, post_data=lambda s: {"suggestions": "on"}),
    Route("search:demand", get=COORDINATORS),
    Route("search:demand", get=COORDINATORS, query="?download=csv", label="CSV"),
]
