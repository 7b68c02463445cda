"""The API under /api/v1/: public open data (published listings only), a person's registrations, rosters, imports,
HSDS, the passport's verification; plus the OpenAPI document and its pages.

Entries are named by the path template of the OpenAPI document; `get` and `post` are the path's operations.
Session authentication stands in for the API's authentication: LOGIN is 401 here.
"""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import BuildingBlock
from learningcity.enrolment.models import Registration
from learningcity.interop import hsds
from learningcity.interop.formats.hsds import BUILDING_BLOCKS_TAXONOMY_ID
from learningcity.interop.models import ImportJob
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    BAD,
    DENIED,
    HIDDEN,
    LOGIN,
    PUBLIC,
    STAFF_A_OR_COORDINATOR,
    Expect,
    Route,
    every,
)
from tests.security.scene import Scene

OWNER_ACTS = Expect(LOGIN, ACTS, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
CSV = b"title_fr,title_en\nAtelier,Workshop\n"


def registrations(scene: Scene) -> Any:
    return list(Registration.objects.order_by("pk").values())


def imports(scene: Scene) -> Any:
    return list(ImportJob.objects.order_by("pk").values("pk", "status", "organisation_id"))


def _published(scene: Scene) -> dict[str, Any]:
    return {"opportunity_id": scene.world.published.pk}


def _hsds(kind: str) -> Any:
    def args(scene: Scene) -> dict[str, Any]:
        return {"id": hsds.hsds_id(kind, scene.world.published.pk)}

    return args


CATALOGUE = [
    Route("/api/v1/opportunities", get=PUBLIC),
    Route("/api/v1/opportunities/{opportunity_id}", get=PUBLIC, args=_published),
    # The API serves published listings only, to anyone (even their provider: it is open data).
    Route(
        "/api/v1/opportunities/{opportunity_id}",
        get=every(HIDDEN),
        args=lambda s: {"opportunity_id": s.world.draft.pk},
        label="draft",
    ),
    Route("/api/v1/sessions", get=PUBLIC),
    Route("/api/v1/organisations", get=PUBLIC),
    Route("/api/v1/organisations/{organisation_id}", get=PUBLIC, args=lambda s: {"organisation_id": s.world.org_a.pk}),
    Route("/api/v1/venues", get=PUBLIC),
    Route("/api/v1/venues/{venue_id}", get=PUBLIC, args=lambda s: {"venue_id": s.world.org_a.venues.get().pk}),
    Route("/api/v1/districts", get=PUBLIC),
    Route(
        "/api/v1/districts/{district_id}",
        get=PUBLIC,
        args=lambda s: {"district_id": s.world.city.districts.order_by("pk")[0].pk},
    ),
    Route("/api/v1/building-blocks", get=PUBLIC),
    Route("/api/v1/topics", get=PUBLIC),
    Route("/api/v1/search", get=PUBLIC, query="?q=aquarelle"),
    Route("/api/v1/search/suggest", get=PUBLIC, query="?q=aqua"),
]

ENROLMENT = [
    Route(
        "/api/v1/registrations",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"session_id": s["session"].pk},
        watch=registrations,
    ),
    # One person naming another's family member: refused for the field, nothing booked.
    Route(
        "/api/v1/registrations",
        get=None,
        post=Expect(LOGIN, ACTS, BAD, BAD, BAD, BAD),
        post_data=lambda s: {"session_id": s["session"].pk, "family_member_id": s["family_member"].pk},
        watch=registrations,
        label="with the resident's family member",
    ),
    Route(
        "/api/v1/registrations",
        get=None,
        post=Expect(LOGIN, DENIED, DENIED, ACTS, BAD, DENIED),  # 403: works for no organisation at all
        post_data=lambda s: {
            "session_id": s["session"].pk,
            "group_name": "Class 4B",
            "group_organisation_id": s.world.org_a.pk,
            "places": 2,
        },
        watch=registrations,
        only=("provider_staff",),
        label="a group in provider A's name",
    ),
    Route(
        "/api/v1/registrations/{registration_id}/cancel",
        get=None,
        post=OWNER_ACTS,
        args=lambda s: {"registration_id": s["registration"].pk},
        watch=registrations,
    ),
    Route(
        "/api/v1/registrations/{registration_id}/confirm",
        get=None,
        post=OWNER_ACTS,
        args=lambda s: {"registration_id": s["offered"].pk},
        watch=registrations,
    ),
    Route(
        "/api/v1/sessions/{session_id}/roster",
        get=STAFF_A_OR_COORDINATOR,
        args=lambda s: {"session_id": s["session"].pk},
    ),
]

IMPORTS = [
    # Uploading into provider A: its staff and the coordinators; provider B's staff naming A is refused.
    Route(
        "/api/v1/imports",
        get=None,
        post=Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, ACTS),
        post_data=lambda s: {"organisation_id": s.world.org_a.pk, "format": "csv"},
        extra={"files": {"file": ("a.csv", CSV)}},
        watch=imports,
    ),
    Route("/api/v1/imports/{job_id}", get=STAFF_A_OR_COORDINATOR, args=lambda s: {"job_id": s["import_job"].pk}),
    Route(
        "/api/v1/imports/{job_id}/commit",
        get=None,
        post=Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, ACTS),
        args=lambda s: {"job_id": s["import_job"].pk},
        watch=imports,
    ),
]

HSDS = [
    Route("/api/v1/hsds/", get=PUBLIC),
    Route("/api/v1/hsds/services", get=PUBLIC),
    Route("/api/v1/hsds/services/{id}", get=PUBLIC, args=_hsds("opportunity")),
    Route(
        "/api/v1/hsds/services/{id}",
        get=every(HIDDEN),
        args=lambda s: {"id": hsds.hsds_id("opportunity", s.world.draft.pk)},
        label="draft",
    ),
    Route("/api/v1/hsds/organizations", get=PUBLIC),
    Route(
        "/api/v1/hsds/organizations/{id}",
        get=PUBLIC,
        args=lambda s: {"id": hsds.hsds_id("organisation", s.world.org_a.pk)},
    ),
    Route("/api/v1/hsds/service_at_locations", get=PUBLIC),
    Route("/api/v1/hsds/service_at_locations/{id}", get=PUBLIC, args=_hsds("opportunity_venue")),
    Route("/api/v1/hsds/taxonomies", get=PUBLIC),
    Route("/api/v1/hsds/taxonomies/{id}", get=PUBLIC, args=lambda s: {"id": BUILDING_BLOCKS_TAXONOMY_ID}),
    Route("/api/v1/hsds/taxonomy_terms", get=PUBLIC),
    Route(
        "/api/v1/hsds/taxonomy_terms/{id}",
        get=PUBLIC,
        args=lambda s: {"id": hsds.building_block_term(BuildingBlock.objects.order_by("pk")[0])["id"]},
    ),
]

PASSPORT = [
    Route("/api/v1/passport/verify", get=None, post=every(ACTS), post_data=lambda s: {"jwt": "not.a.jwt"}),
    Route("/api/v1/passport/achievements", get=PUBLIC),
    Route("/api/v1/passport/pathways", get=PUBLIC),
]

DOCUMENTS = [
    Route("api:openapi-json", get=PUBLIC),
    Route("api:openapi-view", get=PUBLIC),
    Route("api:api-root", get=every(HIDDEN)),
]

ENTRIES = [*CATALOGUE, *ENROLMENT, *IMPORTS, *HSDS, *PASSPORT, *DOCUMENTS]
