"""The passport API: verify any credential, list achievements and published pathways."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from django.test import Client

from learningcity.api import openapi_document
from learningcity.passport import services
from learningcity.passport.models import Pathway, PathwayStep, SkillAlignment, StepKind, StepRule
from tests.conftest import ROLES
from tests.factories import World, make_city, make_organisation
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def committed_schema(name: str) -> dict[str, Any]:
    """A component of the committed OpenAPI document, as a JSON Schema."""
    document = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def verify(client: Client, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        "/api/v1/passport/verify", raw, content_type="application/json", headers={"Accept-Language": "en", **headers}
    )


@pytest.fixture
def award(world: World) -> Any:
    return services.award(
        make_achievement(world), services.Holder(user=world.users["resident"]), by=None, method="hand"
    )


def test_anyone_may_verify_without_a_csrf_token(world: World, award: Any, client_for: Callable[[str], Client]) -> None:
    for role in ROLES:
        client = client_for(role)
        client.handler.enforce_csrf_checks = True
        response = verify(client, {"jwt": award.jwt})
        assert (response.status_code, response.json()["outcome"]) == (200, "valid"), role


@pytest.mark.parametrize("form", ["jwt", "credential"])
def test_it_verifies_our_credential_in_either_format(award: Any, client: Client, form: str) -> None:
    response = verify(client, {"jwt": award.jwt} if form == "jwt" else {"credential": award.credential})
    data = response.json()
    assert response.status_code == 200
    assert (data["outcome"], data["valid"]) == ("valid", True)
    assert data["format"] == ("jwt" if form == "jwt" else "data-integrity")
    assert {check["check"] for check in data["checks"]} >= {"Signature", "Revocation", "Validity dates"}
    assert data["credential"]["credentialSubject"]["achievement"]["name"] == "Atelier numérique"
    jsonschema.validate(data, committed_schema("VerificationSchema"))


def test_it_reports_tampering_and_revocation(world: World, award: Any, client: Client) -> None:
    changed = copy.deepcopy(award.credential)
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    data = verify(client, {"credential": changed}).json()
    assert (data["outcome"], data["valid"]) == ("tampered", False)
    assert any(check["ok"] is False for check in data["checks"])
    services.revoke(award, by=None, reason="Awarded by mistake")
    data = verify(client, {"jwt": award.jwt}).json()
    assert data["outcome"] == "revoked"
    assert "Awarded by mistake" in data["reason"]
    jsonschema.validate(data, committed_schema("VerificationSchema"))


def test_a_document_that_is_not_a_credential_is_answered_not_refused(world: World, client: Client) -> None:
    response = verify(client, {"credential": {"hello": "world"}})
    assert response.status_code == 200
    assert response.json()["outcome"] == "malformed"
    jsonschema.validate(response.json(), committed_schema("VerificationSchema"))


def test_it_answers_in_the_language_asked_for(award: Any, client: Client) -> None:
    english = verify(client, {"jwt": award.jwt}).json()["reason"]
    french = verify(client, {"jwt": award.jwt}, **{"Accept-Language": "fr"}).json()["reason"]
    from django.utils import translation

    with translation.override("fr"):
        from django.utils.translation import gettext

        expected = gettext("The signature holds, the issuer has not revoked it and it is within its dates.")
    assert english == "The signature holds, the issuer has not revoked it and it is within its dates."
    assert french == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "credential"),
        ({"jwt": "  "}, "jwt"),
        ({"jwt": "a.b.c", "credential": {}}, "jwt"),
        ({"jwt": 12}, "jwt"),
        ({"credential": "text"}, "credential"),
        ("{not json", None),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world: World, client: Client, body: Any, field: str | None) -> None:
    response = verify(client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    if field is not None:
        assert error["code"] == "invalid_request"
        assert field in [detail["field"] for detail in error["details"]]
    jsonschema.validate(response.json(), committed_schema("ErrorSchema"))


def test_a_body_over_1_mb_is_refused_before_reading_it(world: World, client: Client) -> None:
    response = verify(client, {"jwt": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    jsonschema.validate(response.json(), committed_schema("ErrorSchema"))


def test_it_lists_active_achievements_with_issuer_and_skills(world: World, client_for: Callable[[str], Client]) -> None:
    achievement = make_achievement(world, level="advanced")
    SkillAlignment.objects.create(achievement=achievement, framework="formacode", code="31054", label="Office tools")
    make_achievement(world, name_en="Retired", name_fr="Retiré", active=False)
    make_achievement(world, organisation=None, name_en="City helper", name_fr="Aide de la ville")
    other_city = make_city("elsewhere")
    make_achievement(world, city=other_city, organisation=make_organisation(other_city, "Far away"), name_en="Far")
    for role in ROLES:
        response = client_for(role).get("/api/v1/passport/achievements", {"city": "testville"})
        assert response.status_code == 200, role
    data = response.json()
    jsonschema.validate(data, committed_schema("PageSchema_AchievementSchema_"))
    assert [item["name"]["en"] for item in data["results"]] == ["City helper", "Digital workshop"]
    item = data["results"][1]
    assert item["uuid"] == str(achievement.uuid)
    assert item["level"] == "advanced"
    assert item["issuer"] == {
        "id": f"did:web:127.0.0.1%3A8000:organisations:{world.org_a.pk}",
        "name": "Médiathèque A",
        "organisation_id": world.org_a.pk,
    }
    assert item["skills"] == [{"framework": "formacode", "code": "31054", "label": "Office tools"}]
    assert data["results"][0]["issuer"]["organisation_id"] is None
    assert Client().get("/api/v1/passport/achievements").json()["count"] == 3


def test_an_unknown_city_is_a_400_naming_it(world: World, client: Client) -> None:
    for path in ("/api/v1/passport/achievements", "/api/v1/passport/pathways"):
        response = client.get(path, {"city": "atlantis"})
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "city"


def test_it_lists_published_pathways_with_their_steps(world: World, client_for: Callable[[str], Client]) -> None:
    first, second, done = (make_achievement(world, name_en=name, name_fr=name) for name in ("One", "Two", "Done"))
    pathway = Pathway.objects.create(
        city=world.city, organisation=world.org_a, name_en="Helper", name_fr="Aide", completion_achievement=done,
        published=True, rule=StepRule.ALL,
    )  # fmt: skip
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=first, position=0)
    group = PathwayStep.objects.create(
        pathway=pathway, kind=StepKind.GROUP, rule=StepRule.ANY, title_en="Practice", position=1
    )
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.ACHIEVEMENT, achievement=second)
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    Pathway.objects.create(city=world.city, name_en="Draft", published=False)
    for role in ROLES:
        response = client_for(role).get("/api/v1/passport/pathways")
        assert response.status_code == 200, role
    data = response.json()
    jsonschema.validate(data, committed_schema("PageSchema_PathwaySchema_"))
    assert data["count"] == 1
    item = data["results"][0]
    assert (item["name"], item["rule"], item["completion_achievement"]) == (
        {"fr": "Aide", "en": "Helper"},
        "all",
        str(done.uuid),
    )
    assert [step["kind"] for step in item["steps"]] == ["achievement", "group"]
    assert item["steps"][0]["achievement"] == str(first.uuid)
    inner = item["steps"][1]
    assert (inner["rule"], inner["title"]["en"]) == ("any", "Practice")
    assert [(step["kind"], step["opportunity_id"]) for step in inner["steps"]] == [
        ("achievement", None),
        ("opportunity", world.published.pk),
    ]


def test_the_committed_openapi_document_describes_the_passport_endpoints() -> None:
    served = json.loads(openapi_document())
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    paths = ["/api/v1/passport/verify", "/api/v1/passport/achievements", "/api/v1/passport/pathways"]
    assert [committed["paths"].get(path) for path in paths] == [served["paths"][path] for path in paths]
    verify_operation = served["paths"]["/api/v1/passport/verify"]["post"]
    assert set(verify_operation["responses"]) == {"200", "400", "413", "429"}  # 429: PASSPORT_VERIFICATIONS_PER_MINUTE
    assert "security" not in verify_operation  # anonymous clients are welcome
