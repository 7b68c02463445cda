"""Defining achievements, their public page, endorsements and the issuer's signing keys."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.accounts.models import Membership
from learningcity.catalogue.models import Opportunity
from learningcity.passport import crypto, documents, keys, verification
from learningcity.passport.models import (
    Achievement,
    AchievementEndorsement,
    AwardRequest,
    Pathway,
    PathwayStep,
    SigningKey,
    SkillAlignment,
)
from tests.factories import World, make_opportunity
from tests.passport.test_awarding_helpers import PNG, give, make_achievement, media, page, person, upload, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle r="4" cx="5" cy="5"/></svg>'
)


def form_data(**fields: Any) -> dict[str, Any]:
    """A valid achievement form: two skills, a generated claim code until a date."""
    data: dict[str, Any] = {
        "name_fr": "Cyclisme urbain", "name_en": "Urban cycling",
        "description_fr": "Circuler à vélo en ville.", "description_en": "Riding a bike in town.",
        "criteria_fr": "Réussir le parcours", "criteria_en": "Complete the course",
        "achievement_type": "Badge", "level": "intermediate", "valid_for_days": "365", "active": "on",
        "skills-TOTAL_FORMS": "2", "skills-INITIAL_FORMS": "0",
        "skills-0-framework": "esco", "skills-0-code": "http://data.europa.eu/esco/skill/ride-bike",
        "skills-0-label": "ride a bicycle",
        "skills-1-framework": "formacode", "skills-1-code": "15234", "skills-1-label": "Sécurité routière",
    }  # fmt: skip
    data.update(fields)
    return data


def test_a_provider_defines_an_achievement_with_skills_image_and_claim_code(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    data = form_data(generate_code="on", claim_until="2031-06-30", image_upload=upload(PNG, "badge.png", "image/png"))
    response = client.post(url("passport:achievement-add"), data)
    achievement = Achievement.objects.get(name_en="Urban cycling")
    assert response.status_code == 302
    assert response["Location"] == url("passport:achievement-manage", achievement.uuid)
    assert achievement.organisation == world.org_a
    assert achievement.created_by == person(world, "provider_staff")
    assert achievement.level == "intermediate"
    assert achievement.valid_for_days == 365
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", achievement.claim_code)
    closes = timezone.localtime(achievement.claim_open_until)
    assert (closes.date(), closes.hour, closes.minute) == (date(2031, 6, 30), 23, 59)
    assert [(a.framework, a.code) for a in achievement.alignments.all()] == [
        ("esco", "http://data.europa.eu/esco/skill/ride-bike"), ("formacode", "15234")
    ]  # fmt: skip
    assert achievement.image.name.endswith(".png")
    html = page(client, "passport:achievement-manage", achievement.uuid)
    assert achievement.claim_code in html
    assert '<svg role="img"' in html
    assert "QR code to claim Urban cycling" in html
    image = client.get(url("passport:achievement-image", achievement.uuid))
    assert image["Content-Type"] == "image/png"
    assert image.content == PNG


def test_bad_input_names_each_field_and_writes_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    data = form_data(name_fr="", name_en="", criteria_fr="", criteria_en="", valid_for_days="0")
    data.update({"skills-1-code": "12", "skills-0-code": "https://example.org/skill"})
    response = client_for("provider_staff").post(url("passport:achievement-add"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in (
        "Give the achievement a name, in French or in English.",
        "Say what someone must do to earn it.",
        "A Formacode is 5 digits.",
        "An ESCO skill is its address, starting http://data.europa.eu/esco/.",
        "Ensure this value is greater than or equal to 1.",
    ):
        assert message in html, message
    assert not Achievement.objects.exists()
    assert not SkillAlignment.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a\x01\x00", "badge.png", "The image must be a PNG, JPEG or SVG file."),
        (PNG + b"\x00" * (1024 * 1024), "big.png", "more than the 1.0\xa0MB allowed"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "contains a script"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.test/x.png"/></svg>', "x.svg", "a link"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.svg", "an event handler"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>', "x.svg", "DOCTYPE"),
    ],
    ids=["gif", "too big", "script", "external link", "handler", "doctype"],
)
def test_images_are_checked_by_their_content(
    world: World, client_for: Callable[[str], Client], content: bytes, name: str, message: str
) -> None:
    data = form_data(image_upload=upload(content, name, "image/png"))
    html = client_for("provider_staff").post(url("passport:achievement-add"), data).content.decode()
    assert message in html
    assert not Achievement.objects.exists()


def test_an_svg_image_is_served_so_that_it_cannot_run_anything(
    world: World, client_for: Callable[[str], Client]
) -> None:
    data = form_data(image_upload=upload(SVG, "badge.svg", "image/svg+xml"))
    client_for("provider_staff").post(url("passport:achievement-add"), data)
    achievement = Achievement.objects.get()
    response = client_for("anonymous").get(url("passport:achievement-image", achievement.uuid))
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_rule_counts_sessions_of_the_providers_own_listings_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    other = client.post(url("passport:achievement-add"), form_data(opportunity=world.other_draft.pk, min_sessions="2"))
    assert "Select a valid choice" in other.content.decode()
    missing = client.post(url("passport:achievement-add"), form_data(opportunity=world.published.pk))
    assert "Say how many sessions must be attended." in missing.content.decode()
    assert not Achievement.objects.exists()
    client.post(url("passport:achievement-add"), form_data(opportunity=world.published.pk, min_sessions="2"))
    assert Achievement.objects.get().opportunity == world.published


def test_two_achievements_cannot_share_a_claim_code(world: World, client_for: Callable[[str], Client]) -> None:
    make_achievement(world, claim_code="SHARED2026")
    client = client_for("provider_staff")
    response = client.post(url("passport:achievement-add"), form_data(claim_code="shared2026"))
    assert "Another achievement uses this claim code" in response.content.decode()
    odd = client.post(url("passport:achievement-add"), form_data(claim_code="été/2026"))
    assert "Use only letters without accents, digits and hyphens." in odd.content.decode()
    assert Achievement.objects.count() == 1
    client.post(url("passport:achievement-add"), form_data(claim_code="fete du livre"))
    assert Achievement.objects.get(name_en="Urban cycling").claim_code == "FETEDULIVRE"


def test_editing_changes_fields_removes_skills_and_the_image(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("provider_staff")
    client.post(url("passport:achievement-add"), form_data(image_upload=upload(PNG, "b.png", "image/png")))
    achievement = Achievement.objects.get()
    stored = achievement.image.path
    edit = url("passport:achievement-edit", achievement.uuid)
    html = page(client, "passport:achievement-edit", achievement.uuid)
    assert 'value="Urban cycling"' in html
    assert "15234" in html
    data = form_data(name_en="City cycling", remove_image="on", active="")
    data.update({"skills-TOTAL_FORMS": "4", "skills-INITIAL_FORMS": "2", "skills-1-DELETE": "on"})
    with django_capture_on_commit_callbacks(execute=True):  # the old file is deleted once the change is committed
        assert client.post(edit, data).status_code == 302
    achievement.refresh_from_db()
    assert achievement.name_en == "City cycling"
    assert not achievement.active
    assert not achievement.image
    assert [a.framework for a in achievement.alignments.all()] == ["esco"]
    assert not os.path.exists(stored)


def test_a_coordinator_defines_the_citys_own_achievement(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("coordinator")
    html = page(client, "passport:achievement-add")
    assert 'name="opportunity"' not in html  # a rule belongs to a provider's listing
    client.post(url("passport:achievement-add"), form_data())
    achievement = Achievement.objects.get()
    assert achievement.organisation is None
    assert achievement.city == world.city
    assert achievement.issuer_name() == world.city.name


def test_staff_of_two_organisations_choose_the_issuer(world: World, client_for: Callable[[str], Client]) -> None:
    staff = person(world, "provider_staff")
    Membership.objects.create(user=staff, organisation=world.org_b)
    client = client_for("provider_staff")
    html = page(client, "passport:achievement-add")
    assert "Who issues it?" in html
    assert f"?issuer=o{world.org_b.pk}" in html
    client.post(url("passport:achievement-add") + f"?issuer=o{world.org_b.pk}", form_data())
    assert Achievement.objects.get().organisation == world.org_b
    refused = client.get(url("passport:achievement-add") + f"?issuer=c{world.city.pk}")
    assert "Who issues it?" in refused.content.decode()  # not a coordinator: the city is not offered


def test_the_public_page_says_what_it_is_and_how_to_earn_it_in_both_languages(
    world: World, client_for: Callable[[str], Client]
) -> None:
    listing: Opportunity = world.published
    achievement = make_achievement(
        world, level="advanced", opportunity=listing, min_sessions=3, claim_code="EVENTCODE1", valid_for_days=30
    )
    SkillAlignment.objects.create(
        achievement=achievement, framework="esco", code="http://data.europa.eu/esco/skill/abc", label="use a computer"
    )
    SkillAlignment.objects.create(achievement=achievement, framework="rome", code="K2111", label="Formation")
    AchievementEndorsement.objects.create(achievement=achievement, organisation=world.org_b, comment="Solid work")
    pathway = Pathway.objects.create(
        city=world.city, name_en="Digital helper", name_fr="Aide numérique", published=True
    )
    PathwayStep.objects.create(pathway=pathway, kind="achievement", achievement=achievement)
    html = page(client_for("resident"), "passport:achievement", achievement.uuid)
    for text in (
        "Digital workshop", "Attend three sessions", "Médiathèque A", "Advanced", "30 days", "use a computer",
        'href="http://data.europa.eu/esco/skill/abc"', "ROME job K2111", "Musée B", "Solid work",
        "Attend 3 sessions of", "Watercolour workshop", "Claim it with the code", "Ask for this achievement",
        "Digital helper", url("passport:pathway", pathway.uuid),
    ):  # fmt: skip
        assert text in html, text
    jsonld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert jsonld["@type"] == "EducationalOccupationalCredential"
    assert jsonld["name"] == "Digital workshop"
    french = page(client_for("anonymous"), "passport:achievement", achievement.uuid, language="fr")
    for text in ("Atelier numérique", "Suivre trois séances", "Aide numérique"):
        assert text in french, text


def test_the_holder_sees_they_hold_it_and_nobody_can_ask_twice(
    world: World, client_for: Callable[[str], Client]
) -> None:
    achievement = make_achievement(world)
    give(world, achievement, "resident")
    html = page(client_for("resident"), "passport:achievement", achievement.uuid)
    assert "You hold this achievement." in html
    assert "Ask for this achievement</a>" not in html
    assert "You already hold this achievement." in page(
        client_for("resident"), "passport:achievement-request", achievement.uuid
    )


def test_another_organisation_endorses_with_a_signed_credential(
    world: World, client_for: Callable[[str], Client]
) -> None:
    achievement = make_achievement(world)
    client = client_for("other_provider_staff")
    assert "Endorse this achievement" in page(client, "passport:achievement", achievement.uuid)
    response = client.post(
        url("passport:achievement-endorse", achievement.uuid), {"organisation": world.org_b.pk, "comment": "Rigorous"}
    )
    assert response.status_code == 302
    endorsement = AchievementEndorsement.objects.get()
    assert endorsement.organisation == world.org_b
    assert endorsement.endorsed_by == person(world, "other_provider_staff")
    assert endorsement.credential is not None
    assert endorsement.credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement.credential["credentialSubject"]["id"] == documents.achievement_url(achievement)
    key = keys.current_key(world.city, world.org_b)
    crypto.verify_data_integrity(endorsement.credential, bytes(key.public_key))
    html = page(client, "passport:achievement", achievement.uuid)
    assert "Rigorous" in html
    assert "Endorse this achievement" not in html
    again = client.post(url("passport:achievement-endorse", achievement.uuid), {"organisation": world.org_b.pk})
    assert "Musée B already endorses this achievement." in again.content.decode()
    assert AchievementEndorsement.objects.count() == 1


def test_rotating_the_key_keeps_earlier_credentials_valid(world: World, client_for: Callable[[str], Client]) -> None:
    achievement = make_achievement(world)
    old = give(world, achievement, "resident")
    client = client_for("provider_staff")
    html = page(client, "passport:issuer-keys")
    assert documents.issuer_did(world.city, world.org_a) in html
    assert f"/organisations/{world.org_a.pk}/did.json" in html
    refused = client.post(url("passport:issuer-keys"), {"issuer": f"o{world.org_a.pk}"})
    assert "Tick the box to confirm." in refused.content.decode()
    assert SigningKey.objects.filter(organisation=world.org_a).count() == 1
    response = client.post(url("passport:issuer-keys"), {"issuer": f"o{world.org_a.pk}", "confirm": "on"}, follow=True)
    assert "Credentials issued before still verify." in response.content.decode()
    assert "Retired on" in response.content.decode()
    new = give(world, achievement, "other_resident")
    assert new.signing_key != old.signing_key
    assert verification.verify(old.jwt).outcome == "valid"
    assert verification.verify(old.credential).outcome == "valid"
    assert verification.verify(new.credential).outcome == "valid"
    assert len(documents.did_document(world.city, world.org_a)["verificationMethod"]) == 2


def test_the_workspace_lists_achievements_with_their_counts(world: World, client_for: Callable[[str], Client]) -> None:
    achievement = make_achievement(world)
    give(world, achievement, "resident")
    give(world, achievement, "other_resident")
    city_one = make_achievement(world, organisation=None, name_en="City volunteer")
    AwardRequest.objects.create(achievement=city_one, user=person(world, "resident"), message="Please")
    staff = page(client_for("provider_staff"), "passport:issuer")
    [row] = [row for row in re.findall(r"<tr>.*?</tr>", staff, re.S) if "Digital workshop" in row]
    assert '<td class="number">2</td><td class="number">0</td>' in row
    assert "City volunteer" not in staff
    assert "No request is waiting." in staff
    coordinator = page(client_for("coordinator"), "passport:issuer")
    assert "Digital workshop" in coordinator
    assert "City volunteer" in coordinator
    assert "Alice" in coordinator
    assert url("passport:achievement-manage", achievement.uuid) not in coordinator  # a provider's, read-only


def test_the_workspace_and_forms_exist_in_french(world: World, client_for: Callable[[str], Client]) -> None:
    make_opportunity(world.org_a)
    client = client_for("provider_staff")
    achievement = make_achievement(world, claim_code="ABCDEFGH23", claim_open_until=timezone.now() + timedelta(days=2))
    pages = [
        ("passport:issuer", ()),
        ("passport:achievement-add", ()),
        ("passport:achievement-manage", (achievement.uuid,)),
        ("passport:achievement-qr", (achievement.uuid,)),
    ]
    for name, args in pages:
        html = page(client, name, *args, language="fr")
        assert '<html lang="fr">' in html, name


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" values="javascript:alert(1)"/>'
        b"<text>x</text></a></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a>'
        b'<set attributeName="xlink:href" to="javascript:alert(1)"/></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: u\\72l(https://evil.example/x) }</style></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@\\69mport "https://evil.example/x.css";</style></svg>',
    ],
    ids=["animate href", "set xlink:href", "escaped url()", "escaped @import"],
)
def test_svg_tricks_that_act_after_the_checks_are_refused(svg: bytes) -> None:
    from django.core.exceptions import ValidationError

    from learningcity.passport.awarding_files import check_svg

    with pytest.raises(ValidationError):
        check_svg(svg)
