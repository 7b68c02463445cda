"""The learning record's pages: who sees what (the permission matrix), the record, a child's record and consent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.accounts.models import FamilyMember, User
from learningcity.passport import services, verification
from learningcity.passport.models import (
    Achievement,
    Award,
    EntryKind,
    GuardianConsent,
    LearningEntry,
    PassportProfile,
    Pathway,
    PathwayStep,
    StepKind,
)
from tests.conftest import ROLES
from tests.factories import World

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person(world: World, role: str = "resident") -> User:
    """The persona's account (every role but anonymous has one)."""
    user = world.users[role]
    assert user is not None
    return user


def make_achievement(world: World, name_en: str = "Digital workshop", **fields: object) -> Achievement:
    values: dict[str, object] = {
        "city": world.city, "organisation": world.org_a, "name_fr": name_en, "name_en": name_en,
        "criteria_fr": "Suivre trois séances", "criteria_en": "Attend three sessions",
    }  # fmt: skip
    values.update(fields)
    return Achievement.objects.create(**values)


def award_to(world: World, user: User | None = None, name_en: str = "Digital workshop", **fields: object) -> Award:
    holder = services.Holder(user=user or person(world))
    return services.award(make_achievement(world, name_en, **fields), holder, by=None, method="hand")


def declared(user: User | None, **fields: object) -> LearningEntry:
    values: dict[str, object] = {"user": user, "kind": EntryKind.DECLARED, "title": "Pottery", "setting": "informal"}
    values.update(fields)
    return LearningEntry.objects.create(**values)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Uploaded files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass
class Record:
    """The resident's record: an award, declared learning with evidence asked of provider A, attendance."""

    world: World
    award: Award
    entry: LearningEntry
    attended: LearningEntry
    profile: PassportProfile
    child: FamilyMember


@pytest.fixture
def record(world: World, media: Path) -> Record:
    resident = person(world)
    assert resident is not None
    award = award_to(world)
    entry = declared(resident, endorsement_requested_from=world.org_a, evidence_file=ContentFile(PDF_BYTES, "e.pdf"))
    attended = LearningEntry.objects.create(
        user=resident, kind=EntryKind.ATTENDED, title="Watercolour workshop", ended_on=date(2025, 3, 1)
    )
    profile = PassportProfile.objects.create(user=resident, public=True)
    child = FamilyMember.objects.create(account=resident, name="Léa", year_of_birth=timezone.now().year - 9)
    return Record(world, award, entry, attended, profile, child)


OWNER_ONLY = [302, 200, 404, 404, 404, 404]
ANY_ACCOUNT = [302, 200, 200, 200, 200, 200]
PAGES: list[tuple[str, Callable[[Record], str], list[int]]] = [
    ("record", lambda r: reverse("passport:record"), ANY_ACCOUNT),
    ("child's record", lambda r: reverse("passport:record") + f"?member={r.child.pk}", OWNER_ONLY),
    ("declare", lambda r: reverse("passport:entry-add"), ANY_ACCOUNT),
    ("edit", lambda r: reverse("passport:entry-edit", args=[r.entry.pk]), OWNER_ONLY),
    ("delete", lambda r: reverse("passport:entry-delete", args=[r.entry.pk]), OWNER_ONLY),
    ("evidence", lambda r: reverse("passport:evidence", args=[r.entry.pk]), [302, 200, 404, 200, 404, 404]),
    ("endorsements", lambda r: reverse("passport:endorsements"), [302, 403, 403, 200, 200, 403]),
    ("import", lambda r: reverse("passport:import"), ANY_ACCOUNT),
    ("credential", lambda r: reverse("passport:my-credential", args=[r.award.uuid]), OWNER_ONLY),
    ("credential JSON", lambda r: reverse("passport:my-credential-json", args=[r.award.uuid]), OWNER_ONLY),
    ("credential JWT", lambda r: reverse("passport:my-credential-jwt", args=[r.award.uuid]), OWNER_ONLY),
    ("export", lambda r: reverse("passport:export"), ANY_ACCOUNT),
    ("erase", lambda r: reverse("passport:erase"), ANY_ACCOUNT),
    ("public profile", lambda r: reverse("passport:profile", args=[r.profile.slug]), [200] * 6),
]


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[row[0] for row in PAGES])
def test_it_gives_each_persona_the_right_access_to_pages(
    record: Record, client_for: Callable[[str], Client], name: str, url: Callable[[Record], str], expected: list[int]
) -> None:
    got = [client_for(role).get(url(record)).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name


def test_the_pdf_downloads_are_for_the_holder_only(record: Record, client_for: Callable[[str], Client]) -> None:
    certificate = reverse("passport:my-credential-pdf", args=[record.award.uuid])
    assert [client_for(role).get(certificate).status_code for role in ROLES] == OWNER_ONLY
    summary = reverse("passport:export") + "?format=pdf"
    assert client_for("anonymous").get(summary).status_code == 302
    assert client_for("resident").get(summary).content.startswith(b"%PDF")


def test_a_profile_turned_off_is_not_found_by_anyone(record: Record, client_for: Callable[[str], Client]) -> None:
    PassportProfile.objects.filter(pk=record.profile.pk).update(public=False)
    url = reverse("passport:profile", args=[record.profile.slug])
    assert [client_for(role).get(url).status_code for role in ROLES] == [404] * 6


ACTIONS: list[tuple[str, Callable[[Record], str], dict[str, str], list[int]]] = [
    ("consent", lambda r: reverse("passport:consent", args=[r.child.pk]), {"action": "give", "agree": "on"},
     [302, 302, 404, 404, 404, 404]),
    ("share", lambda r: reverse("passport:my-credential-share", args=[r.award.uuid]), {"shared": "on"},
     [302, 302, 404, 404, 404, 404]),
    ("endorse", lambda r: reverse("passport:endorsement-decide", args=[r.entry.pk]), {"decision": "endorse"},
     [302, 404, 404, 302, 404, 404]),
    ("delete", lambda r: reverse("passport:entry-delete", args=[r.entry.pk]), {}, [302, 302, 404, 404, 404, 404]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "url", "data", "expected"), ACTIONS, ids=[row[0] for row in ACTIONS])
def test_it_lets_only_the_right_persona_act(
    record: Record, client_for: Callable[[str], Client], name: str, url: Callable[[Record], str],
    data: dict[str, str], expected: list[int],
) -> None:  # fmt: skip
    # Everyone but the one allowed goes first, so that the allowed action does not change what others get.
    order = sorted(range(len(ROLES)), key=lambda index: expected[index] == 302 and ROLES[index] != "anonymous")
    got = {ROLES[index]: client_for(ROLES[index]).post(url(record), data).status_code for index in order}
    assert got == dict(zip(ROLES, expected, strict=True)), name


def test_anonymous_people_are_sent_to_log_in(record: Record, client: Client) -> None:
    response = client.get(reverse("passport:record"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_record_lists_every_kind_newest_first_with_statuses(
    record: Record, client_for: Callable[[str], Client]
) -> None:
    world, resident = record.world, person(record.world)
    revoked = award_to(world, name_en="First aid")
    services.revoke(revoked, by=None, reason="Awarded by mistake")
    LearningEntry.objects.create(user=resident, kind=EntryKind.IMPORTED, title="Volunteer", ended_on=date(2024, 1, 1))
    with translation.override("en"):
        page = client_for("resident").get(reverse("passport:record")).content.decode()
    titles = ["First aid", "Pottery", "Digital workshop", "Watercolour workshop", "Volunteer"]
    positions = [page.index(f">{title}<") for title in titles]
    assert sorted(positions) == positions  # by date, then the latest added first
    assert "Revoked</strong>: Awarded by mistake" in page
    assert "Valid</strong>" in page
    assert "Verified when it was added." in page
    assert "Declared learning (1)" in page
    assert "Everything (5)" in page


def test_the_record_filters_by_kind_in_french(record: Record, client_for: Callable[[str], Client]) -> None:
    with translation.override("fr"):
        response = client_for("resident").get(reverse("passport:record"), {"kind": "attended"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "Watercolour workshop" in page
    assert "Pottery" not in page
    assert "Digital workshop" not in page


def test_the_record_suggests_pathways_already_started(record: Record, client_for: Callable[[str], Client]) -> None:
    other = make_achievement(record.world, "Second step")
    pathway = Pathway.objects.create(city=record.world.city, name_en="Digital helper", published=True)
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=record.award.achievement)
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=other)
    with translation.override("en"):
        page = client_for("resident").get(reverse("passport:record")).content.decode()
    assert "Pathways you could join" in page
    assert "Digital helper" in page
    assert "50% done" in page


def test_nothing_is_kept_for_a_child_until_the_guardian_agrees(
    record: Record, client_for: Callable[[str], Client]
) -> None:
    guardian, child = client_for("resident"), record.child
    with translation.override("en"):
        url = reverse("passport:record") + f"?member={child.pk}"
        page = guardian.get(url).content.decode()
        assert "No learning record is kept for Léa" in page
        add = guardian.get(reverse("passport:entry-add"), {"member": child.pk})
        assert add.status_code == 302
        assert not LearningEntry.objects.filter(family_member=child).exists()
        unticked = guardian.post(reverse("passport:consent", args=[child.pk]), {"action": "give"})
        assert unticked.status_code == 400
        assert "Tick the box to say that you agree." in unticked.content.decode()
        assert not GuardianConsent.objects.filter(family_member=child).exists()
        guardian.post(reverse("passport:consent", args=[child.pk]), {"action": "give", "agree": "on"})
        page = guardian.get(url).content.decode()
    consent = GuardianConsent.objects.get(family_member=child)
    assert consent.active
    assert consent.guardian == person(record.world)
    assert "you agreed that the city keeps a learning record and credentials for Léa" in page


def test_withdrawing_consent_erases_the_childs_record_and_revokes_their_credentials(
    record: Record, client_for: Callable[[str], Client]
) -> None:
    child = record.child
    GuardianConsent.objects.create(family_member=child, guardian=person(record.world))
    award = services.award(make_achievement(record.world, "Swimming"), services.Holder(family_member=child), by=None,
                           method="hand")  # fmt: skip
    declared(person(record.world), family_member=child, title="Reading")
    response = client_for("resident").post(reverse("passport:consent", args=[child.pk]), {"action": "withdraw"})
    assert response.status_code == 302
    assert not LearningEntry.objects.filter(family_member=child).exists()
    assert not Award.objects.filter(family_member=child).exists()
    assert verification.verify(award.credential).outcome == "revoked"
    assert GuardianConsent.objects.get(family_member=child).withdrawn_at is not None
    assert LearningEntry.objects.filter(pk=record.entry.pk).exists()  # the guardian's own record stays


def test_a_guardian_declares_learning_for_a_child_with_consent(
    record: Record, client_for: Callable[[str], Client]
) -> None:
    GuardianConsent.objects.create(family_member=record.child, guardian=person(record.world))
    response = client_for("resident").post(
        reverse("passport:entry-add") + f"?member={record.child.pk}",
        {"title": "Learned to swim", "setting": "non_formal", "ended_on": (timezone.localdate() - timedelta(days=1))},
    )
    assert response.status_code == 302
    assert LearningEntry.objects.get(title="Learned to swim").family_member == record.child
    other = client_for("other_resident").get(reverse("passport:entry-add"), {"member": record.child.pk})
    assert other.status_code == 404


def test_the_record_costs_the_same_queries_however_long_it_is(
    record: Record, client_for: Callable[[str], Client]
) -> None:
    client, url = client_for("resident"), reverse("passport:record")
    client.get(url)  # warm caches (content types, sessions)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for number in range(3):
        award_to(record.world, name_en=f"Extra {number}")
        declared(person(record.world), title=f"Declared {number}", endorsement_requested_from=record.world.org_b,
                 endorsed_by=record.world.org_b, endorsed_at=timezone.now())  # fmt: skip
    assert queries() == before
