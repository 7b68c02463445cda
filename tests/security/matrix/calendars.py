"""Calendars: public feeds (the same for whoever asks: a calendar application carries no login) and the private feed."""

from __future__ import annotations

from typing import Any

from learningcity.calendars.models import FeedToken
from learningcity.calendars.services import feed_token_issue
from tests.security.matrix import ACCOUNT, ACCOUNT_ACTS, HIDDEN, PUBLIC, Route, every
from tests.security.scene import Scene


def build(scene: Scene) -> None:
    scene.add("feed_token", feed_token_issue(user=scene.resident, replacing=""))


def resident_tokens(scene: Scene) -> Any:
    return list(FeedToken.objects.filter(user=scene.resident).order_by("pk").values())


ENTRIES = [
    Route("calendars:opportunity", get=PUBLIC, args=lambda s: {"pk": s.world.published.pk}),
    Route("calendars:opportunity", get=every(HIDDEN), args=lambda s: {"pk": s.world.draft.pk}, label="draft"),
    Route("calendars:session", get=PUBLIC, args=lambda s: {"pk": s.world.published.sessions.order_by("pk")[0].pk}),
    Route(
        "calendars:session", get=every(HIDDEN), args=lambda s: {"pk": s.world.draft.sessions.get().pk}, label="draft"
    ),
    Route("calendars:organisation", get=PUBLIC, args=lambda s: {"pk": s.world.org_a.pk}),
    Route("calendars:district", get=PUBLIC, args=lambda s: {"city": s.world.city.slug, "code": "01"}),
    Route("calendars:festival", get=PUBLIC, args=lambda s: {"slug": s["festival"].slug}),
    # Each person manages their own address (POST revokes or renews theirs, never another's).
    Route(
        "calendars:private-feed",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"action": "revoke"},
        watch=resident_tokens,
        only=("resident",),
    ),
    # The private feed opens with its token, whoever holds it: the token is the credential.
    Route("calendars:private-feed-ics", get=PUBLIC, args=lambda s: {"token": s["feed_token"]}),
    Route("calendars:private-feed-ics", get=every(HIDDEN), args=lambda s: {"token": "x" * 43}, label="a wrong token"),
]
