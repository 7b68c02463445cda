"""Catalogue: the public listings, the provider workspace, the review queue."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import Opportunity
from tests.security.matrix import (
    ACTS,
    COORDINATORS,
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    POST_ONLY,
    PROVIDERS,
    PUBLIC,
    REDIRECT,
    STAFF_A,
    Expect,
    Route,
)
from tests.security.scene import Scene

# Unpublished listings exist only for their provider's staff and the city's coordinators.
UNPUBLISHED = Expect(HIDDEN, HIDDEN, HIDDEN, OK, HIDDEN, OK)
STAFF_A_ACTS = Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, DENIED)


def listing_state(scene: Scene) -> Any:
    """Every listing's fields: what a refused action must leave alone."""
    return list(Opportunity.objects.order_by("pk").values())


ENTRIES = [
    Route("catalogue:opportunity-list", get=PUBLIC),
    Route("catalogue:opportunity", get=PUBLIC, args=lambda s: {"pk": s.world.published.pk}, label="published"),
    Route(
        "catalogue:opportunity",
        get=PUBLIC,
        args=lambda s: {"pk": s.world.published.pk, "slug": s.world.published.slug},
        label="published, with its slug",
    ),
    Route("catalogue:opportunity", get=UNPUBLISHED, args=lambda s: {"pk": s.world.draft.pk}, label="draft"),
    Route("catalogue:opportunity", get=UNPUBLISHED, args=lambda s: {"pk": s.world.pending.pk}, label="pending"),
    Route("catalogue:organisation", get=PUBLIC, args=lambda s: {"pk": s.world.org_a.pk}),
    Route("catalogue:venue", get=PUBLIC, args=lambda s: {"pk": s.world.org_a.venues.get().pk}),
    Route("catalogue:provider", get=PROVIDERS),
    Route(
        "catalogue:opportunity-create",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=lambda s: {"organisation_pk": s.world.org_a.pk},
        post_data=lambda s: {"title_fr": "Intrus", "title_en": "Intruder"},
    ),
    Route(
        "catalogue:opportunity-edit",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=lambda s: {"pk": s.world.draft.pk},
        post_data=lambda s: {"title_fr": "Changé", "title_en": "Changed"},
        watch=listing_state,
    ),
    Route(
        "catalogue:session-add",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=lambda s: {"pk": s.world.draft.pk},
        post_data=lambda s: {"date": "2031-01-06", "start_time": "10:00", "end_time": "12:00"},
    ),
    Route(
        "catalogue:opportunity-submit",
        get=POST_ONLY,
        post=Expect(LOGIN, DENIED, DENIED, REDIRECT, DENIED, DENIED),
        args=lambda s: {"pk": s.world.draft.pk},
        watch=listing_state,
    ),
    Route("catalogue:review", get=COORDINATORS),
    Route(
        "catalogue:review-decide",
        get=POST_ONLY,
        post=Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT),
        args=lambda s: {"pk": s.world.pending.pk},
        post_data=lambda s: {"decision": "publish"},
        watch=listing_state,
    ),
]
