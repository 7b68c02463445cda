"""Enrolment: registering, my registrations and messages; the provider's rosters, cancellations and overview."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from learningcity.catalogue.models import Session, Status
from learningcity.enrolment.models import Registration
from tests.factories import make_opportunity
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    BAD,
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    POST_ONLY,
    REDIRECT,
    STAFF_A_OR_COORDINATOR,
    Expect,
    Route,
)
from tests.security.scene import Scene

OWNER_ACTS = Expect(LOGIN, REDIRECT, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
MANAGERS_ACT = Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, ACTS)


def build(scene: Scene) -> None:
    """A bookable session of provider A with Alice registered, one offered to her, and a draft's session."""
    now = timezone.now()
    opportunity = make_opportunity(
        scene.world.org_a, title_fr="Atelier reliure", title_en="Bookbinding workshop", registration_required=True,
        capacity=5,
    )  # fmt: skip
    session = scene.add("session", opportunity.sessions.get())
    scene.add("registration", Registration.objects.create(user=scene.resident, session=session))
    second = Session.objects.create(
        opportunity=opportunity, start=now + timedelta(days=4), end=now + timedelta(days=4, hours=2)
    )
    scene.add(
        "offered",
        Registration.objects.create(
            user=scene.resident, session=second, status="offered", offer_expires_at=now + timedelta(hours=10)
        ),
    )
    draft = make_opportunity(
        scene.world.org_a, status=Status.DRAFT, registration_required=True, title_en="Draft course"
    )
    scene.add("draft_session", draft.sessions.get())


def registrations(scene: Scene) -> Any:
    return list(Registration.objects.order_by("pk").values())


def sessions(scene: Scene) -> Any:
    return list(Session.objects.order_by("pk").values())


ENTRIES = [
    Route("enrolment:mine", get=ACCOUNT),
    Route("enrolment:preferences", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route(
        "enrolment:register",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        args=lambda s: {"pk": s["session"].pk},
    ),
    Route(
        "enrolment:register",
        get=Expect(LOGIN, HIDDEN, HIDDEN, OK, HIDDEN, OK),
        post=Expect(LOGIN, HIDDEN, HIDDEN, ACTS, HIDDEN, ACTS),
        args=lambda s: {"pk": s["draft_session"].pk},
        label="a draft's session",
    ),
    # Booking places for a group in provider A's name: only A's staff (for anyone else it is not a choice).
    Route(
        "enrolment:register",
        get=None,
        post=Expect(LOGIN, BAD, BAD, ACTS, BAD, BAD),
        args=lambda s: {"pk": s["session"].pk},
        post_data=lambda s: {
            "kind": "group",
            "group_name": "Class 4B",
            "group_organisation": s.world.org_a.pk,
            "places": "2",
        },
        watch=registrations,
        only=("provider_staff",),
        label="a group in provider A's name",
    ),
    Route(
        "enrolment:cancel",
        get=POST_ONLY,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["registration"].pk},
        watch=registrations,
    ),
    Route(
        "enrolment:confirm",
        get=POST_ONLY,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["offered"].pk},
        watch=registrations,
    ),
    Route(
        "enrolment:roster",
        get=STAFF_A_OR_COORDINATOR,
        post=MANAGERS_ACT,
        args=lambda s: {"pk": s["session"].pk},
        post_data=lambda s: {"present": [str(s["registration"].pk)]},
        watch=registrations,
    ),
    Route("enrolment:roster-csv", get=STAFF_A_OR_COORDINATOR, args=lambda s: {"pk": s["session"].pk}),
    Route(
        "enrolment:session-cancel",
        get=STAFF_A_OR_COORDINATOR,
        post=MANAGERS_ACT,
        args=lambda s: {"pk": s["session"].pk},
        post_data=lambda s: {"reason": "Intruder"},
        watch=sessions,
    ),
    Route(
        "enrolment:overview",
        get=STAFF_A_OR_COORDINATOR,
        post=MANAGERS_ACT,
        args=lambda s: {"pk": s["session"].opportunity_id},
        post_data=lambda s: {"opens_at": "2030-01-01T10:00", "closes_at": "2030-02-01T10:00"},
    ),
]
