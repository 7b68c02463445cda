"""Monitoring: learning deserts, indicators and the report (coordinators), key figures (public), learners' feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from learningcity.catalogue.models import District, Session
from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import CityIndicator
from learningcity.monitoring.services import indicators_install
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    COORDINATORS,
    DENIED,
    HIDDEN,
    LOGIN,
    OWNER,
    POST_ONLY,
    PUBLIC,
    REDIRECT,
    Expect,
    Route,
)
from tests.security.scene import Scene

COORDINATOR_ACTS = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, ACTS)
COORDINATOR_DONE = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT)
OWNER_ACTS = Expect(LOGIN, ACTS, HIDDEN, HIDDEN, HIDDEN, HIDDEN)


def rectangle(west: float, east: float) -> dict[str, Any]:
    ring = [[west, 47.38], [east, 47.38], [east, 47.395], [west, 47.395], [west, 47.38]]
    return {"type": "Polygon", "coordinates": [ring]}


def build(scene: Scene) -> None:
    """Districts with boundaries (the access map needs them), the city's default indicators; Alice came to a
    session of the published listing that ended 60 days ago."""
    for code, west in (("01", 0.68), ("02", 0.70)):
        District.objects.filter(city=scene.world.city, code=code).update(boundary=rectangle(west, west + 0.02))
    indicators_install(city=scene.world.city)
    scene.add("indicator", CityIndicator.objects.filter(city=scene.world.city).order_by("pk").first())
    end = timezone.now() - timedelta(days=60)
    session = Session.objects.create(opportunity=scene.world.published, start=end - timedelta(hours=2), end=end)
    scene.add("attended", Registration.objects.create(user=scene.resident, session=session, attended=True))


def indicator_state(scene: Scene) -> Any:
    return list(CityIndicator.objects.order_by("pk").values())


def feedback_state(scene: Scene) -> Any:
    from learningcity.monitoring import models

    return [list(model.objects.order_by("pk").values()) for model in (models.Feedback, models.FollowUp)]


def _indicator(scene: Scene) -> dict[str, Any]:
    return {"pk": scene["indicator"].pk}


ENTRIES = [
    Route("monitoring:access", get=COORDINATORS),
    Route("monitoring:access-download", get=COORDINATORS, args=lambda s: {"fmt": "csv"}),
    Route("monitoring:access-upload", get=COORDINATORS, post=COORDINATOR_ACTS),
    Route("monitoring:indicators", get=COORDINATORS),
    Route("monitoring:report", get=COORDINATORS, args=lambda s: {"fmt": "html"}),
    Route("monitoring:report-texts", get=COORDINATORS, post=COORDINATOR_ACTS),
    Route("monitoring:indicator-list", get=COORDINATORS),
    Route("monitoring:indicator-install", get=POST_ONLY, post=COORDINATOR_DONE, watch=indicator_state),
    Route("monitoring:indicator-add", get=COORDINATORS, post=COORDINATOR_ACTS, watch=indicator_state),
    Route(
        "monitoring:indicator-edit",
        get=COORDINATORS,
        post=COORDINATOR_ACTS,
        args=_indicator,
        post_data=lambda s: {"name_en": "Changed"},
        watch=indicator_state,
    ),
    Route("monitoring:indicator-retire", get=POST_ONLY, post=COORDINATOR_DONE, args=_indicator, watch=indicator_state),
    Route("monitoring:indicator-restore", get=POST_ONLY, post=COORDINATOR_DONE, args=_indicator, watch=indicator_state),
    Route("monitoring:key-figures", get=PUBLIC),
    Route("monitoring:key-figures-download", get=PUBLIC, args=lambda s: {"fmt": "csv"}),
    Route(
        "monitoring:feedback",
        get=OWNER,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["attended"].pk},
        post_data=lambda s: {"rating": "1"},
        watch=feedback_state,
    ),
    Route(
        "monitoring:follow-up",
        get=OWNER,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["attended"].pk},
        post_data=lambda s: {"outcome": "job"},
        watch=feedback_state,
    ),
    Route("monitoring:reminders", get=ACCOUNT, post=ACCOUNT_ACTS),
]
