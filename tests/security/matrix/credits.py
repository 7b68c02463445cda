"""Learning credit: a resident's credit and job-seeker declaration; the coordinators' schemes, checks and ledger."""

from __future__ import annotations

from typing import Any

from learningcity.credits import services
from learningcity.credits.models import Account, Entry, JobSeekerDeclaration, Scheme
from tests.credits.conftest import grant_now, make_scheme
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    COORDINATORS,
    DENIED,
    LOGIN,
    POST_ONLY,
    REDIRECT,
    Expect,
    Route,
)
from tests.security.scene import Scene

COORDINATOR_ACTS = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT)
COORDINATOR_FORM = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, ACTS)


def build(scene: Scene) -> None:
    """A scheme granted to both residents (living in the city); the other resident declared job seeking."""
    for role in ("resident", "other_resident"):
        user = scene.user(role)
        user.district = scene.world.city.districts.first()
        user.save()
    scheme = scene.add("scheme", make_scheme(scene.world))
    grant_now(scene.world, scheme)
    scene.add("credit_account", Account.objects.get(user=scene.resident, scheme=scheme))
    declaration = services.job_seeker_declare(
        user=scene.user("other_resident"), city=scene.world.city, evidence_kind="registration",
        evidence_reference="123",
    )  # fmt: skip
    scene.add("declaration", declaration)


def credit_state(scene: Scene) -> Any:
    return (
        list(Scheme.objects.order_by("pk").values()),
        list(Account.objects.order_by("pk").values()),
        list(Entry.objects.order_by("pk").values()),
        list(JobSeekerDeclaration.objects.order_by("pk").values()),
    )


ENTRIES = [
    Route("credits:mine", get=ACCOUNT),
    Route(
        "credits:job-seeker",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"evidence_kind": "registration", "evidence_reference": "42", "honest": "on"},
    ),
    Route("credits:coordinate", get=COORDINATORS),
    Route("credits:scheme-add", get=COORDINATORS, post=COORDINATOR_FORM, watch=credit_state),
    Route("credits:scheme", get=COORDINATORS, args=lambda s: {"pk": s["scheme"].pk}),
    Route(
        "credits:scheme-edit",
        get=COORDINATORS,
        post=COORDINATOR_FORM,
        args=lambda s: {"pk": s["scheme"].pk},
        post_data=lambda s: {"name_fr": "Changé"},
        watch=credit_state,
    ),
    Route(
        "credits:scheme-grant",
        get=POST_ONLY,
        post=COORDINATOR_ACTS,
        args=lambda s: {"pk": s["scheme"].pk},
        watch=credit_state,
    ),
    Route(
        "credits:identity",
        get=COORDINATORS,
        post=COORDINATOR_FORM,
        post_data=lambda s: {"email": "alice@resident.test", "document_kind": "passport", "seen": "on"},
        watch=credit_state,
    ),
    Route("credits:job-seekers", get=COORDINATORS),
    Route(
        "credits:job-seeker-decide",
        get=COORDINATORS,
        post=COORDINATOR_FORM,
        args=lambda s: {"pk": s["declaration"].pk},
        post_data=lambda s: {"decision": "reject", "note": "Out of date"},
        watch=credit_state,
    ),
    Route(
        "credits:account",
        get=COORDINATORS,
        post=COORDINATOR_FORM,
        args=lambda s: {"pk": s["credit_account"].pk},
        post_data=lambda s: {"amount": "-5.00", "note": "Intruder"},
        watch=credit_state,
    ),
    Route("credits:ledger", get=COORDINATORS),
    Route("credits:ledger", get=COORDINATORS, query="?download=csv", label="CSV"),
]
