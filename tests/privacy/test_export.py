"""Self-service export: one JSON file with every kind of data held about the person, and nobody else's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from learningcity.calendars.models import FeedToken
from learningcity.credits.models import Account, Scheme
from learningcity.festival.models import Festival, Submission
from learningcity.privacy import audit
from learningcity.privacy.models import AccessKind, ConsentMethod, ConsentRecord, Purpose
from learningcity.search.models import SavedSearch
from tests.factories import World
from tests.privacy.conftest import Household, persona

EXPORT = "/en/privacy/my-data/export.json"


def download(client: Client) -> dict[str, Any]:
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return dict(json.loads(response.content))


def test_it_holds_every_kind_of_data(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    world, alice = household.world, household.alice
    ConsentRecord.objects.create(user=alice, purpose=Purpose.PRIVACY_NOTICE, notice_version="v1",
                                 method=ConsentMethod.SIGNUP)  # fmt: skip
    FeedToken.objects.create(user=alice, digest="a" * 64)
    SavedSearch.objects.create(user=alice, city=world.city, name="Pottery near me", query="q=pottery")
    scheme = Scheme.objects.create(city=world.city, name_fr="Pass", name_en="Pass", amount=30, budget=100,
                                   created_by=persona(world, "coordinator"),
                                   valid_from=timezone.localdate(), valid_until=timezone.localdate())  # fmt: skip
    Account.objects.create(user=alice, scheme=scheme)
    subjects = audit.Subjects(world.city.pk, [alice.pk], "session:1")
    audit.staff_access_record(staff=persona(world, "provider_staff"), what=AccessKind.ROSTER, subjects=subjects,
                              path="/en/x")  # fmt: skip
    document = download(client_for("resident"))
    assert document["account"]["email"] == "alice@resident.test"
    assert document["account"]["year_of_birth"] == 1985
    assert [m["name"] for m in document["family_members"]] == ["Zoé"]
    assert sorted(r["for"] for r in document["registrations"]) == ["Alice", "Zoé"]
    assert {r["attended"] for r in document["registrations"]} == {True}
    feedback = [r["feedback"] for r in document["registrations"] if r["feedback"]]
    assert feedback[0]["comment"] == "Alice loved the teacher, Mr Durand."
    assert document["learning_credit"]["accounts"][0]["scheme"] == "Pass"
    assert document["calendar_feed"]["made_at"]
    assert "a" * 64 not in json.dumps(document), "the calendar token's secret never leaves"
    assert document["preferences"]["saved_searches"][0]["name"] == "Pottery near me"
    assert document["consents"][0]["notice_version"] == "v1"
    assert document["staff_access"][0]["by"] == "Carol"
    assert document["staff_access"][0]["what"] == "roster"
    assert document["passport"]["format"] == "learningcity-passport-export"


def test_it_lists_api_tokens_without_their_secret(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    from learningcity.privacy.tokens import token_models

    models = list(token_models())
    if not models:
        return  # this instance has no API tokens
    model, owner = models[0]
    fields = {f.name for f in model._meta.concrete_fields}
    values: dict[str, Any] = {owner: household.alice, "name": "My script"}
    for name, value in [("scopes", ["read"]), ("prefix", "abcd1234"), ("token_hash", "f" * 64)]:
        if name in fields:
            values[name] = value
    model._default_manager.create(**values)
    document = download(client_for("resident"))
    assert document["api_tokens"][0]["name"] == "My script"
    assert "f" * 64 not in json.dumps(document)
    assert "abcd1234" not in json.dumps(document)


def test_it_holds_festival_submissions_the_person_made(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    festival = Festival.objects.create(city=world.city, slug="fair", name_fr="Fête", name_en="Fair",
                                       starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=32),
                                       call_opens_on=today - timedelta(days=1),
                                       call_closes_on=today + timedelta(days=10))  # fmt: skip
    staff = persona(world, "provider_staff")
    Submission.objects.create(festival=festival, opportunity=world.published, submitted_by=staff,
                              note="Un atelier pour tous")  # fmt: skip
    document = download(client_for("provider_staff"))
    assert document["festival_submissions"][0]["note"] == "Un atelier pour tous"
    assert document["account"]["roles"]["provider_staff_of"] == ["Médiathèque A"]
    assert download(client_for("resident"))["festival_submissions"] == []


def test_another_residents_data_never_appears(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(download(client_for("other_resident")), ensure_ascii=False)
    assert "bob@resident.test" in text
    for foreign in ("alice@resident.test", "Alice", "Zoé", "Mr Durand"):
        assert foreign not in text
    assert "Bob" in text


def test_a_guardians_export_covers_their_family_members(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    document = download(client_for("resident"))
    child = document["family_members"][0]
    assert (child["name"], child["year_of_birth"]) == ("Zoé", 2016)
    assert [r["family_member_id"] for r in document["registrations"] if r["for"] == "Zoé"] == [household.child.pk]
