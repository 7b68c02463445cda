"""Awarding by hand, from a roster, with a claim code, on request; revoking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from learningcity.accounts.models import FamilyMember
from learningcity.enrolment.models import Registration
from learningcity.passport import verification
from learningcity.passport.awarding_claims import CLAIM_ATTEMPTS_PER_HOUR
from learningcity.passport.models import Achievement, Award, AwardRequest, GuardianConsent
from tests.factories import World
from tests.passport.test_awarding_helpers import PNG, give, make_achievement, media, page, person, upload, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture(autouse=True)
def in_english_with_an_empty_cache() -> Iterator[None]:
    """Messages in English; no claim attempt counted by an earlier test (ids are reused)."""
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def achievement(world: World) -> Achievement:
    return make_achievement(world)


# By hand


def test_a_provider_awards_one_person_by_their_e_mail(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    data = {"email": "ALICE@resident.test", "narrative": "Led the last session", "evidence_url": "https://a.test/p"}
    response = client_for("provider_staff").post(url("passport:award-hand", achievement.uuid), data, follow=True)
    assert "Alice now holds “Digital workshop”." in response.content.decode()
    award = Award.objects.get(recipient=person(world, "resident"))
    assert award.method == "hand"
    assert award.awarded_by == person(world, "provider_staff")
    assert {"type": ["Evidence"], "id": "https://a.test/p"} in award.credential["evidence"]
    assert {"type": ["Evidence"], "narrative": "Led the last session"} in award.credential["evidence"]
    assert verification.verify(award.credential).outcome == "valid"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@resident.test", "No account uses this e-mail address: the person must sign up first."),
        ("bob@resident.test", "Bob already holds this achievement."),
        ("not an address", "Enter a valid email address."),
    ],
    ids=["no account", "already holds it", "invalid"],
)
def test_awarding_by_hand_explains_what_is_wrong(
    world: World, achievement: Achievement, client_for: Callable[[str], Client], email: str, message: str
) -> None:
    give(world, achievement, "other_resident")
    response = client_for("provider_staff").post(url("passport:award-hand", achievement.uuid), {"email": email})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f"E-mail address of the person&#x27;s account: {message}" in html
    assert Award.objects.count() == 1


def test_an_achievement_no_longer_active_cannot_be_awarded(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    achievement.active = False
    achievement.save()
    response = client_for("provider_staff").post(
        url("passport:award-hand", achievement.uuid), {"email": "alice@resident.test"}
    )
    assert "This achievement can no longer be awarded." in response.content.decode()
    assert not Award.objects.exists()


# From a roster


def roster(world: World) -> tuple[int, FamilyMember, FamilyMember]:
    """Yesterday's session of provider A's listing: Alice came, Bob did not, Alice's two children came
    (one with her consent for a learning record, one without), and a group came."""
    session = world.published.sessions.get()
    session.start = timezone.now() - timedelta(days=1)
    session.end = session.start + timedelta(hours=2)
    session.save()
    alice, bob = person(world, "resident"), person(world, "other_resident")
    year = timezone.now().year
    lea = FamilyMember.objects.create(account=alice, name="Léa", year_of_birth=year - 9)
    tom = FamilyMember.objects.create(account=alice, name="Tom", year_of_birth=year - 7)
    GuardianConsent.objects.create(family_member=lea, guardian=alice)
    for fields in ({"user": alice, "attended": True}, {"user": bob, "attended": False},
                   {"user": alice, "family_member": lea, "attended": True},
                   {"user": alice, "family_member": tom, "attended": True},
                   {"user": bob, "group_name": "Scouts", "places": 5, "attended": True}):  # fmt: skip
        Registration.objects.create(session=session, **fields)
    return session.pk, lea, tom


def test_the_roster_pre_ticks_who_came_and_awards_those_ticked(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    session_id, lea, tom = roster(world)
    client = client_for("provider_staff")
    choices = page(client, "passport:award-roster", achievement.uuid)
    assert f'value="s:{session_id}"' in choices
    assert f'value="o:{world.published.pk}"' in choices
    html = page(client, "passport:award-roster", achievement.uuid, query=f"?session=s:{session_id}")
    alice_key, bob_key, lea_key = (
        f"u{person(world, 'resident').pk}",
        f"u{person(world, 'other_resident').pk}",
        f"f{lea.pk}",
    )
    assert f'value="{alice_key}" id="person-{alice_key}" checked' in html
    assert f'value="{lea_key}" id="person-{lea_key}" checked' in html
    assert f'value="{bob_key}" id="person-{bob_key}">' in html  # not present: not ticked
    assert f'value="f{tom.pk}"' not in html
    assert "no guardian's consent for a learning record" in html
    assert "Scouts" not in html
    data = {"session": f"s:{session_id}", "people": [alice_key, lea_key, bob_key]}
    response = client.post(url("passport:award-roster", achievement.uuid), data, follow=True)
    assert "3 people awarded." in response.content.decode()
    assert achievement.awards.filter(method="bulk").count() == 3
    child = achievement.awards.get(family_member=lea)
    assert child.recipient == person(world, "resident")
    assert "Léa" not in str(child.credential)
    again = page(client, "passport:award-roster", achievement.uuid, query=f"?session=o:{world.published.pk}")
    assert again.count("already holds it") == 3


def test_the_roster_refuses_people_it_does_not_list(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    session_id, _lea, tom = roster(world)
    client = client_for("provider_staff")
    for forged in (f"f{tom.pk}", f"u{person(world, 'coordinator').pk}"):
        response = client.post(
            url("passport:award-roster", achievement.uuid), {"session": f"s:{session_id}", "people": [forged]}
        )
        assert "Select a valid choice" in response.content.decode()
    nobody = client.post(url("passport:award-roster", achievement.uuid), {"session": f"s:{session_id}"})
    assert "Tick at least one person." in nobody.content.decode()
    other = client.get(
        url("passport:award-roster", achievement.uuid) + f"?session=s:{world.other_draft.sessions.get().pk}"
    )
    assert "Select a valid choice" in other.content.decode()
    assert not Award.objects.exists()


# Revoking


def test_revoking_makes_the_credential_read_revoked(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    award = give(world, achievement, "resident")
    client = client_for("provider_staff")
    empty = client.post(url("passport:award-revoke", award.uuid), {"reason": " "})
    assert "Why is it revoked?: This field is required." in empty.content.decode()
    response = client.post(url("passport:award-revoke", award.uuid), {"reason": "Awarded by mistake"}, follow=True)
    assert "now reads “revoked”" in response.content.decode()
    assert "Awarded by mistake" in response.content.decode()
    award.refresh_from_db()
    result = verification.verify(award.credential)
    assert result.outcome == "revoked"
    assert "Awarded by mistake" in result.reason
    assert verification.verify(award.jwt).outcome == "revoked"
    holder = page(client_for("resident"), "passport:achievement", achievement.uuid)
    assert "You hold this achievement." not in holder
    assert "Ask for this achievement" in holder


# Claim codes


@pytest.fixture
def claimable(world: World) -> Achievement:
    return make_achievement(world, claim_code="K7QX2M9HTA", claim_open_until=timezone.now() + timedelta(hours=3))


def test_the_right_code_gives_the_achievement(
    world: World, claimable: Achievement, client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    typed = client.post(url("passport:claim"), {"code": " k7qx 2m9h ta "})
    assert typed["Location"] == url("passport:claim-code", "K7QX2M9HTA")
    html = page(client, "passport:claim-code", "K7QX2M9HTA")
    assert "Digital workshop" in html
    assert "Receive this achievement" in html
    client.post(url("passport:claim-code", "K7QX2M9HTA"))
    award = Award.objects.get(recipient=person(world, "resident"))
    assert award.method == "claim"
    assert verification.verify(award.jwt).valid
    assert "You already hold this achievement." in page(client, "passport:claim-code", "K7QX2M9HTA")
    client.post(url("passport:claim-code", "K7QX2M9HTA"))
    assert Award.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"claim_open_until": timezone.now() - timedelta(minutes=1)},
            "This code has expired: it can no longer be used.",
        ),
        ({"active": False}, "This code has expired: it can no longer be used."),
        ({"claim_code": "OTHERCODE9"}, "This code is not valid. Check it and type it again."),
    ],
    ids=["expired", "achievement closed", "wrong"],
)
def test_wrong_and_expired_codes_say_so(
    world: World, claimable: Achievement, client_for: Callable[[str], Client], change: dict[str, object], message: str
) -> None:
    Achievement.objects.filter(pk=claimable.pk).update(**change)
    client = client_for("resident")
    assert message in page(client, "passport:claim-code", "K7QX2M9HTA")
    assert message in client.post(url("passport:claim"), {"code": "K7QX2M9HTA"}).content.decode()
    assert client.post(url("passport:claim-code", "K7QX2M9HTA")).status_code == 200
    assert not Award.objects.exists()


def test_too_many_wrong_codes_stop_the_guessing(
    world: World, claimable: Achievement, client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    for attempt in range(CLAIM_ATTEMPTS_PER_HOUR):
        assert client.post(url("passport:claim"), {"code": f"GUESS{attempt:05d}"}).status_code == 200
    blocked = client.post(url("passport:claim"), {"code": "K7QX2M9HTA"})  # even the right code, for now
    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.content.decode()
    assert client.get(url("passport:claim-code", "K7QX2M9HTA")).status_code == 429
    assert not Award.objects.exists()
    other = client_for("other_resident")  # counted per person
    assert other.post(url("passport:claim"), {"code": "K7QX2M9HTA"}).status_code == 302


def test_the_printable_qr_code_leads_to_the_claim_page(
    world: World, claimable: Achievement, client_for: Callable[[str], Client]
) -> None:
    html = page(client_for("provider_staff"), "passport:achievement-qr", claimable.uuid)
    assert '<svg role="img"' in html
    assert "K7QX2M9HTA" in html
    assert "/en/claim/" in html
    assert "@media print" in html


# On request


def test_a_resident_asks_with_evidence_and_the_provider_sees_it(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    data = {
        "message": "I ran three workshops",
        "evidence_file": upload(b"%PDF-1.4 my work", "work.pdf", "application/pdf"),
    }
    response = client.post(url("passport:achievement-request", achievement.uuid), data, follow=True)
    assert "Your request was sent to Médiathèque A." in response.content.decode()
    assert "waiting for the issuer's answer" in response.content.decode()
    request = AwardRequest.objects.get()
    assert request.status == "pending"
    assert request.evidence_file.name.endswith(".pdf")
    again = client.post(url("passport:achievement-request", achievement.uuid), {"message": "Again"})
    assert "You have already asked" in again.content.decode()
    assert AwardRequest.objects.count() == 1
    staff = client_for("provider_staff")
    assert "I ran three workshops" not in page(staff, "passport:issuer")  # the list links to the request
    review = page(staff, "passport:request-review", request.pk)
    assert "I ran three workshops" in review
    assert url("passport:request-evidence", request.pk) in review
    evidence = staff.get(url("passport:request-evidence", request.pk))
    assert evidence.content == b"%PDF-1.4 my work"
    assert "attachment" in evidence["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say what you did to earn it, or add evidence."),
        (
            {"evidence_file": upload(b"GIF89a...", "x.pdf", "application/pdf")},
            "Evidence must be a PDF, PNG or JPEG file.",
        ),
        ({"evidence_file": upload(PNG + b"\0" * 2048, "x.png", "image/png")}, "more than the 1.0\xa0KB allowed"),
        ({"evidence_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
    ids=["nothing", "wrong kind", "too big", "bad link"],
)
def test_a_request_with_bad_evidence_is_refused_clearly(
    world: World, achievement: Achievement, client_for: Callable[[str], Client], settings: object,
    data: dict[str, object], message: str,
) -> None:  # fmt: skip
    settings.PASSPORT_EVIDENCE_MAX_BYTES = 1024  # type: ignore[attr-defined]
    response = client_for("resident").post(url("passport:achievement-request", achievement.uuid), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert not AwardRequest.objects.exists()


def test_accepting_awards_with_the_evidence_in_the_credential(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    request = AwardRequest.objects.create(
        achievement=achievement,
        user=person(world, "resident"),
        message="My portfolio",
        evidence_url="https://p.test/me",
    )
    response = client_for("provider_staff").post(
        url("passport:request-review", request.pk), {"decision": "accept", "note": "Well done"}, follow=True
    )
    assert "Accepted: Alice now holds the achievement" in response.content.decode()
    request.refresh_from_db()
    award = request.award
    assert request.status == "accepted"
    assert award is not None
    assert award.method == "request"
    assert {"type": ["Evidence"], "id": "https://p.test/me", "narrative": "My portfolio"} in award.credential[
        "evidence"
    ]
    assert verification.verify(award.credential).valid
    assert "This request has already been answered." not in page(
        client_for("provider_staff"), "passport:request-review", request.pk
    )
    client_for("provider_staff").post(url("passport:request-review", request.pk), {"decision": "accept"})
    assert Award.objects.count() == 1


def test_declining_needs_a_note_and_the_resident_reads_it(
    world: World, achievement: Achievement, client_for: Callable[[str], Client]
) -> None:
    request = AwardRequest.objects.create(achievement=achievement, user=person(world, "resident"), message="Please")
    staff = client_for("provider_staff")
    empty = staff.post(url("passport:request-review", request.pk), {"decision": "decline"})
    assert "Tell the person why, so they know what is missing." in empty.content.decode()
    staff.post(url("passport:request-review", request.pk), {"decision": "decline", "note": "Send your certificate"})
    request.refresh_from_db()
    assert request.status == "declined"
    assert request.reviewed_by == person(world, "provider_staff")
    html = page(client_for("resident"), "passport:achievement", achievement.uuid)
    assert "Your request was declined" in html
    assert "Send your certificate" in html
    assert not Award.objects.exists()
