"""Interop: imports (upload, column mapping, dry run, commit), calendar subscriptions, curation, the sitemap."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import Opportunity, Venue
from learningcity.interop import curation_services, services
from learningcity.interop.curation_models import DuplicateCandidate
from learningcity.interop.models import ImportJob, Subscription
from tests.factories import make_opportunity
from tests.security.matrix import (
    ACTS,
    BAD,
    COORDINATORS,
    DENIED,
    LOGIN,
    POST_ONLY,
    PROVIDERS_OR_COORDINATOR,
    PUBLIC,
    REDIRECT,
    STAFF_A,
    STAFF_A_OR_COORDINATOR,
    Expect,
    Route,
)
from tests.security.scene import Scene

CSV = "title_fr,title_en,kind\nAtelier importé,Imported workshop,workshop\n".encode()
IMPORTERS_ACT = Expect(LOGIN, DENIED, DENIED, ACTS, ACTS, ACTS)
MANAGERS_OF_A_REDIRECT = Expect(LOGIN, DENIED, DENIED, REDIRECT, DENIED, REDIRECT)
COORDINATOR_REDIRECT = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT)


def build(scene: Scene) -> None:
    """Provider A's import job and calendar subscription; a likely duplicate of A's listing from provider B."""
    world = scene.world
    job = services.job_create(
        city=world.city, by=scene.user("provider_staff"), format_name="csv", filename="a.csv", content=CSV,
        organisation=world.org_a,
    )  # fmt: skip
    scene.add("import_job", job)
    subscription = Subscription.objects.create(
        city=world.city, organisation=world.org_a, url="https://example.org/agenda.ics"
    )
    scene.add("subscription", subscription)
    copy = make_opportunity(world.org_b, venue=Venue.objects.get(organisation=world.org_a))
    start, end = world.published.sessions.values_list("start", "end").get()
    copy.sessions.update(start=start, end=end)
    curation_services.find_duplicates(world.city)
    first, second = sorted([world.published.pk, copy.pk])
    scene.add("duplicate", DuplicateCandidate.objects.get(a_id=first, b_id=second))


def _job(scene: Scene) -> dict[str, Any]:
    return {"job_id": scene["import_job"].pk}


def import_state(scene: Scene) -> Any:
    jobs = ImportJob.objects.order_by("pk").values("pk", "status", "organisation_id", "counts")
    return list(jobs), list(Subscription.objects.order_by("pk").values()), list(Opportunity.objects.values())


def curation_state(scene: Scene) -> Any:
    return list(DuplicateCandidate.objects.order_by("pk").values()), list(Opportunity.objects.values())


ENTRIES = [
    Route("interop:imports", get=PROVIDERS_OR_COORDINATOR, post=IMPORTERS_ACT, watch=import_state),
    # A file imported into provider A: its staff and the coordinators; provider B's staff are told it is not a choice.
    Route(
        "interop:imports",
        get=None,
        post=Expect(LOGIN, DENIED, DENIED, ACTS, BAD, ACTS),
        post_data=lambda s: {"organisation": s.world.org_a.pk, "format": "csv", "target_status": "draft"},
        extra={"files": {"file": ("a.csv", CSV)}},
        watch=lambda s: list(ImportJob.objects.filter(organisation=s.world.org_a).values("pk")),
        only=("provider_staff", "coordinator"),
        label="a file for provider A",
    ),
    Route("interop:job", get=STAFF_A_OR_COORDINATOR, args=_job),
    Route("interop:job-status", get=STAFF_A_OR_COORDINATOR, args=_job),
    Route(
        "interop:mapping",
        get=STAFF_A_OR_COORDINATOR,
        post=Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, ACTS),
        args=_job,
        watch=import_state,
    ),
    Route("interop:job-commit", get=POST_ONLY, post=MANAGERS_OF_A_REDIRECT, args=_job, watch=import_state),
    Route("interop:job-cancel", get=POST_ONLY, post=MANAGERS_OF_A_REDIRECT, args=_job, watch=import_state),
    Route("interop:job-report", get=STAFF_A_OR_COORDINATOR, args=_job),
    Route(
        "interop:subscribe",
        get=POST_ONLY,
        post=IMPORTERS_ACT,
        post_data=lambda s: {"url": "https://example.org/other.ics", "organisation": s.world.org_a.pk},
        watch=import_state,
    ),
    Route(
        "interop:subscription",
        get=POST_ONLY,
        post=MANAGERS_OF_A_REDIRECT,
        args=lambda s: {"subscription_id": s["subscription"].pk},
        post_data=lambda s: {"action": "stop"},
        watch=import_state,
    ),
    Route("interop:curation-quality", get=PROVIDERS_OR_COORDINATOR),
    Route(
        "interop:curation-quality-organisation",
        get=STAFF_A_OR_COORDINATOR,
        args=lambda s: {"organisation_pk": s.world.org_a.pk},
    ),
    Route(
        "interop:curation-confirm",
        get=STAFF_A,
        post=Expect(LOGIN, DENIED, DENIED, REDIRECT, DENIED, DENIED),
        args=lambda s: {"pk": s.world.published.pk},
        watch=curation_state,
    ),
    Route("interop:curation-listing", get=STAFF_A_OR_COORDINATOR, args=lambda s: {"pk": s.world.published.pk}),
    Route("interop:curation-stale", get=COORDINATORS),
    Route(
        "interop:curation-stale-ask",
        get=POST_ONLY,
        post=COORDINATOR_REDIRECT,
        post_data=lambda s: {"opportunity": s.world.published.pk},
        watch=curation_state,
    ),
    Route("interop:curation-duplicates", get=COORDINATORS),
    Route("interop:curation-duplicates-search", get=POST_ONLY, post=COORDINATOR_REDIRECT, watch=curation_state),
    Route(
        "interop:curation-duplicate",
        get=COORDINATORS,
        post=Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, ACTS),
        args=lambda s: {"pk": s["duplicate"].pk},
        watch=curation_state,
    ),
    Route(
        "interop:curation-duplicate-dismiss",
        get=POST_ONLY,
        post=COORDINATOR_REDIRECT,
        args=lambda s: {"pk": s["duplicate"].pk},
        watch=curation_state,
    ),
    Route("sitemap", get=PUBLIC),
    Route("sitemap-file", get=PUBLIC, args=lambda s: {"number": 1}),
]
