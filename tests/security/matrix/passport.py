"""Passport: the learning record and its sharing, awarding, verification, pathways, and the public documents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from learningcity.passport import services
from learningcity.passport.models import (
    Achievement,
    Award,
    AwardRequest,
    EntryKind,
    LearningEntry,
    PassportProfile,
    Pathway,
    StatusList,
)
from tests.passport.test_awarding_helpers import PNG, make_achievement
from tests.passport.test_pathway_pages import make_pathway
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    COORDINATORS,
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    OWNER,
    POST_ONLY,
    PROVIDERS,
    PROVIDERS_OR_COORDINATOR,
    PUBLIC,
    REDIRECT,
    STAFF_A,
    Expect,
    Route,
    every,
)
from tests.security.scene import Scene

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OWNER_ACTS = Expect(LOGIN, ACTS, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
OWNER_DONE = Expect(LOGIN, REDIRECT, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
STAFF_A_DONE = Expect(LOGIN, DENIED, DENIED, REDIRECT, DENIED, DENIED)
STAFF_A_ACTS = Expect(LOGIN, DENIED, DENIED, ACTS, DENIED, DENIED)
ISSUERS_ACT = Expect(LOGIN, DENIED, DENIED, ACTS, ACTS, ACTS)
# The holder, and the issuer's staff (they signed it), see an unshared credential; for anyone else it does not exist.
HOLDER_OR_ISSUER = Expect(HIDDEN, OK, HIDDEN, OK, HIDDEN, HIDDEN)
# Evidence is seen by its owner and by the provider asked to endorse it (or to award on it).
OWNER_OR_ASKED = Expect(LOGIN, OK, HIDDEN, OK, HIDDEN, HIDDEN)


def build(scene: Scene) -> None:
    """Alice holds an award of provider A, declared learning with evidence (endorsement asked of A), asks
    for another achievement of A with a file, and has a public profile; pathways of A and of the city."""
    world = scene.world
    achievement = make_achievement(world, claim_code="OPENCODE42", claim_open_until=timezone.now() + timedelta(days=1))
    achievement.image.save("badge.png", ContentFile(PNG))
    scene.add("achievement", achievement)
    scene.add("city_achievement", make_achievement(world, organisation=None, name_en="Volunteer", name_fr="Bénévole"))
    award = services.award(achievement, services.Holder(user=scene.resident), by=None, method="hand")
    scene.add("award", award)
    scene.add("status_list", StatusList.objects.filter(organisation=world.org_a).first())
    asked = make_achievement(world, name_en="Reading club", name_fr="Club de lecture")
    request = AwardRequest.objects.create(achievement=asked, user=scene.resident, message="I came")
    request.evidence_file.save("proof.pdf", ContentFile(PDF))
    scene.add("award_request", request)
    entry = LearningEntry.objects.create(
        user=scene.resident, kind=EntryKind.DECLARED, title="Pottery", setting="informal",
        endorsement_requested_from=world.org_a, evidence_file=ContentFile(PDF, "e.pdf"),
    )  # fmt: skip
    scene.add("entry", entry)
    scene.add("profile", PassportProfile.objects.create(user=scene.resident, public=True))
    scene.add("pathway", make_pathway(world))
    scene.add("pathway_draft", Pathway.objects.create(city=world.city, organisation=world.org_a, name_en="A's draft"))
    scene.add("city_pathway_draft", Pathway.objects.create(city=world.city, name_en="City draft"))


def record_state(scene: Scene) -> Any:
    return (
        list(LearningEntry.objects.order_by("pk").values()),
        list(Award.objects.order_by("pk").values("pk", "shared", "revoked_at")),
        list(AwardRequest.objects.order_by("pk").values("pk", "status")),
        list(PassportProfile.objects.order_by("pk").values()),
    )


def alices_record(scene: Scene) -> Any:
    """The resident's own record and profile: each person changes or erases only theirs."""
    user = scene.resident
    return (
        list(LearningEntry.objects.filter(user=user).order_by("pk").values()),
        list(Award.objects.filter(recipient=user).order_by("pk").values("pk", "shared", "revoked_at")),
        list(PassportProfile.objects.filter(user=user).values()),
    )


def issuer_state(scene: Scene) -> Any:
    return (
        list(Achievement.objects.order_by("pk").values("pk", "name_en", "active")),
        list(Award.objects.order_by("pk").values("pk", "revoked_at")),
        list(Pathway.objects.order_by("pk").values("pk", "name_en", "published")),
    )


def _award(scene: Scene) -> dict[str, Any]:
    return {"value": scene["award"].uuid}


def _achievement(scene: Scene) -> dict[str, Any]:
    return {"value": scene["achievement"].uuid}


RECORD = [
    Route("passport:record", get=ACCOUNT),
    Route("passport:record", get=OWNER, query=lambda s: f"?member={s['family_member'].pk}", label="a child's record"),
    Route(
        "passport:consent",
        get=POST_ONLY,
        post=OWNER_DONE,
        args=lambda s: {"member": s["family_member"].pk},
        post_data=lambda s: {"action": "give", "agree": "on"},
        watch=lambda s: list(type(s["family_member"]).objects.filter(pk=s["family_member"].pk).values()),
    ),
    Route("passport:entry-add", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route(
        "passport:entry-edit",
        get=OWNER,
        post=OWNER_ACTS,
        args=lambda s: {"pk": s["entry"].pk},
        post_data=lambda s: {"title": "Changed"},
        watch=record_state,
    ),
    Route(
        "passport:entry-delete", get=OWNER, post=OWNER_DONE, args=lambda s: {"pk": s["entry"].pk}, watch=record_state
    ),
    Route("passport:evidence", get=OWNER_OR_ASKED, args=lambda s: {"pk": s["entry"].pk}),
    Route("passport:endorsements", get=PROVIDERS),
    Route(
        "passport:endorsement-decide",
        get=POST_ONLY,
        post=Expect(LOGIN, HIDDEN, HIDDEN, REDIRECT, HIDDEN, HIDDEN),
        args=lambda s: {"pk": s["entry"].pk},
        post_data=lambda s: {"decision": "endorse"},
        watch=record_state,
    ),
    Route("passport:import", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route("passport:my-credential", get=OWNER, args=_award),
    Route(
        "passport:my-credential-share",
        get=POST_ONLY,
        post=OWNER_DONE,
        args=_award,
        post_data=lambda s: {"shared": "on"},
        watch=record_state,
    ),
    Route("passport:my-credential-json", get=OWNER, args=_award),
    Route("passport:my-credential-jwt", get=OWNER, args=_award),
    Route("passport:my-credential-pdf", get=OWNER, args=_award),
    Route(
        "passport:profile-settings",
        get=POST_ONLY,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"public": "off"},
        watch=alices_record,
        only=("resident",),
    ),
    Route("passport:profile", get=PUBLIC, args=lambda s: {"slug": s["profile"].slug}),
    Route("passport:export", get=ACCOUNT),
    Route("passport:export", get=ACCOUNT, query="?format=pdf", label="PDF"),
    Route(
        "passport:erase",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"confirm": "on"},
        watch=alices_record,
        only=("resident",),
    ),
]

AWARDING = [
    Route("passport:issuer", get=PROVIDERS_OR_COORDINATOR),
    Route(
        "passport:issuer-keys",
        get=PROVIDERS_OR_COORDINATOR,
        post=STAFF_A_DONE,
        post_data=lambda s: {"issuer": f"o{s.world.org_a.pk}", "confirm": "on"},
        watch=lambda s: list(s.world.org_a.signing_keys.order_by("pk").values()),
    ),
    Route("passport:achievement-add", get=PROVIDERS_OR_COORDINATOR, post=ISSUERS_ACT, watch=issuer_state),
    # Naming provider A as the issuer: only A's staff make an achievement in A's name (others get their own issuer).
    Route(
        "passport:achievement-add",
        get=PROVIDERS_OR_COORDINATOR,
        post=ISSUERS_ACT,
        query=lambda s: f"?issuer=o{s.world.org_a.pk}",
        post_data=lambda s: {
            "name_en": "Intruder",
            "name_fr": "Intrus",
            "criteria_en": "Be there",
            "achievement_type": "Badge",
            "level": "discovery",
            "active": "on",
            "skills-TOTAL_FORMS": "0",
            "skills-INITIAL_FORMS": "0",
        },
        watch=lambda s: list(Achievement.objects.filter(organisation=s.world.org_a).order_by("pk").values()),
        only=("provider_staff",),
        label="as provider A",
    ),
    Route("passport:achievement-manage", get=STAFF_A, args=_achievement),
    Route(
        "passport:achievement-manage",
        get=COORDINATORS,
        args=lambda s: {"value": s["city_achievement"].uuid},
        label="the city's own",
    ),
    Route(
        "passport:achievement-edit",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=_achievement,
        post_data=lambda s: {"name_en": "Changed"},
        watch=issuer_state,
    ),
    Route("passport:achievement-qr", get=STAFF_A, args=_achievement),
    Route(
        "passport:award-hand",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=_achievement,
        post_data=lambda s: {"email": "bob@resident.test"},
        watch=issuer_state,
    ),
    Route("passport:award-roster", get=STAFF_A, post=STAFF_A_ACTS, args=_achievement, watch=issuer_state),
    Route("passport:award-csv", get=STAFF_A, post=STAFF_A_ACTS, args=_achievement, watch=issuer_state),
    # A preview that is not in the person's session: back to the upload.
    Route(
        "passport:award-csv-preview",
        get=STAFF_A_DONE,
        post=STAFF_A_DONE,
        args=lambda s: {"value": s["achievement"].uuid, "token": "x"},
        watch=issuer_state,
    ),
    Route(
        "passport:award-revoke",
        get=STAFF_A,
        post=STAFF_A_DONE,
        args=_award,
        post_data=lambda s: {"reason": "Given by mistake"},
        watch=issuer_state,
    ),
    Route(
        "passport:request-review",
        get=STAFF_A,
        post=STAFF_A_DONE,
        args=lambda s: {"pk": s["award_request"].pk},
        post_data=lambda s: {"decision": "decline", "note": "Not enough"},
        watch=record_state,
    ),
    Route("passport:request-evidence", get=OWNER_OR_ASKED, args=lambda s: {"pk": s["award_request"].pk}),
    Route("passport:achievement", get=PUBLIC, args=_achievement),
    Route("passport:achievement-image", get=PUBLIC, args=_achievement),
    Route("passport:achievement-request", get=ACCOUNT, post=ACCOUNT_ACTS, args=_achievement),
    # Another provider endorses A's achievement; A's own staff and everyone else may not.
    Route(
        "passport:achievement-endorse",
        get=Expect(LOGIN, DENIED, DENIED, DENIED, OK, DENIED),
        post=Expect(LOGIN, DENIED, DENIED, DENIED, REDIRECT, DENIED),
        args=_achievement,
        post_data=lambda s: {"organisation": s.world.org_b.pk, "comment": "Good"},
    ),
    Route("passport:claim", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route("passport:claim-code", get=ACCOUNT, post=ACCOUNT_ACTS, args=lambda s: {"code": "OPENCODE42"}),
]

VERIFICATION = [
    Route("passport:credential", get=HOLDER_OR_ISSUER, args=_award),
    Route("passport:credential-jwt", get=HOLDER_OR_ISSUER, args=_award),
    Route("passport:verify", get=PUBLIC, post=every(ACTS), post_data=lambda s: {"text": "{}"}),
]

PATHWAYS = [
    Route("passport:pathways", get=PUBLIC),
    Route("passport:pathway", get=PUBLIC, args=lambda s: {"value": s["pathway"].uuid}),
    Route(
        "passport:pathway",
        get=Expect(HIDDEN, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN),
        args=lambda s: {"value": s["pathway_draft"].uuid},
        label="A's draft",
    ),
    Route(
        "passport:pathway",
        get=Expect(HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK),
        args=lambda s: {"value": s["city_pathway_draft"].uuid},
        label="the city's draft",
    ),
    Route("passport:pathway-manage", get=PROVIDERS_OR_COORDINATOR),
    Route("passport:pathway-add", get=PROVIDERS_OR_COORDINATOR, post=ISSUERS_ACT, watch=issuer_state),
    Route(
        "passport:pathway-edit",
        get=STAFF_A,
        post=STAFF_A_ACTS,
        args=lambda s: {"value": s["pathway_draft"].uuid},
        post_data=lambda s: {"details-name_en": "Renamed", "details-rule": "all"},
        watch=issuer_state,
    ),
    Route(
        "passport:pathway-edit",
        get=COORDINATORS,
        args=lambda s: {"value": s["city_pathway_draft"].uuid},
        label="the city's draft",
    ),
    Route(
        "passport:pathway-step-add",
        get=POST_ONLY,
        post=STAFF_A_ACTS,
        args=lambda s: {"value": s["pathway_draft"].uuid},
        post_data=lambda s: {"kind": "group", "group-rule": "any"},
        watch=lambda s: list(s["pathway_draft"].steps.values()),
    ),
    Route(
        "passport:pathway-step",
        get=POST_ONLY,
        post=STAFF_A_ACTS,
        args=lambda s: {"value": s["pathway"].uuid, "step": s["pathway"].steps.order_by("pk").first().pk},
        post_data=lambda s: {"action": "down"},
        watch=lambda s: list(s["pathway"].steps.order_by("pk").values()),
    ),
    Route(
        "passport:pathway-publish",
        get=POST_ONLY,
        post=STAFF_A_ACTS,
        args=lambda s: {"value": s["pathway"].uuid},
        post_data=lambda s: {"action": "withdraw"},
        watch=issuer_state,
    ),
]

# Language-free addresses that verifiers and wallets fetch.
PUBLIC_DOCUMENTS = [
    Route("passport-organisation-did", get=PUBLIC, args=lambda s: {"pk": s.world.org_a.pk}),
    Route("passport-city-did", get=PUBLIC, args=lambda s: {"slug": s.world.city.slug}),
    Route("passport-status-list", get=PUBLIC, args=lambda s: {"pk": s["status_list"].pk}),
    # A browser is sent to the credential's page, which decides who sees it.
    Route("passport-credential-document", get=every(REDIRECT), args=_award),
    Route(
        "passport-credential-document",
        get=Expect(HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        args=_award,
        query="?format=json",
        label="JSON, not shared",
    ),
    Route("passport-achievement-document", get=every(REDIRECT), args=_achievement),
    Route("passport-achievement-document", get=PUBLIC, args=_achievement, query="?format=json", label="JSON"),
    Route("passport-achievement-image", get=PUBLIC, args=_achievement),
]

ENTRIES = [*RECORD, *AWARDING, *VERIFICATION, *PATHWAYS, *PUBLIC_DOCUMENTS]
