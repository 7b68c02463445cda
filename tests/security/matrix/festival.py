"""Festival: the public programme, the call for events, the coordinators' management and summary."""

from __future__ import annotations

from typing import Any

from learningcity.festival.models import Festival, Submission
from tests.festival.conftest import make_programme
from tests.security.matrix import (
    BAD,
    COORDINATORS,
    DENIED,
    LOGIN,
    POST_ONLY,
    PROVIDERS,
    PUBLIC,
    REDIRECT,
    Expect,
    Route,
)
from tests.security.scene import Scene

COORDINATOR_ACTS = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT)


def build(scene: Scene) -> None:
    """A festival whose call is open, with events accepted, declined and waiting (see tests/festival)."""
    programme = make_programme(scene.world)
    scene.add("festival", programme.festival)
    scene.add("waiting_submission", Submission.objects.get(opportunity=programme.waiting))


def _slug(scene: Scene) -> dict[str, Any]:
    return {"slug": scene["festival"].slug}


def festival_state(scene: Scene) -> Any:
    return list(Festival.objects.order_by("pk").values()), list(Submission.objects.order_by("pk").values())


ENTRIES = [
    Route("festival:index", get=PUBLIC),
    Route("festival:programme", get=PUBLIC, args=_slug),
    Route(
        "festival:submit",
        get=PROVIDERS,
        # Staff of provider B offering provider A's listing are told it is not theirs (400), and nothing is made.
        post=Expect(LOGIN, DENIED, DENIED, REDIRECT, BAD, DENIED),
        args=_slug,
        post_data=lambda s: {"opportunity": s.world.published.pk},
        watch=festival_state,
    ),
    Route("festival:submit-new", get=PROVIDERS, args=_slug),
    Route("festival:manage-list", get=COORDINATORS),
    Route("festival:create", get=COORDINATORS),
    Route("festival:manage", get=COORDINATORS, args=_slug),
    Route("festival:edit", get=COORDINATORS, args=_slug),
    Route(
        "festival:decide",
        get=POST_ONLY,
        post=COORDINATOR_ACTS,
        args=lambda s: {"slug": s["festival"].slug, "pk": s["waiting_submission"].pk},
        post_data=lambda s: {f"s{s['waiting_submission'].pk}-decision": "accept"},
        watch=festival_state,
    ),
    Route("festival:summary", get=COORDINATORS, args=_slug),
    Route("festival:summary-csv", get=COORDINATORS, args=_slug),
]
