"""Passport endpoints: verify any credential, and the public lists of achievements and pathways.

Anonymous clients are welcome: verifying needs no account (nothing sent is kept), and
achievements and published pathways are public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.params import functions as param
from pydantic import Field

from learningcity.catalogue.api import PageParams, absolute, paginate, text
from learningcity.catalogue.models import City
from learningcity.catalogue.schemas import ErrorSchema, LocalizedTextSchema, PageSchema
from learningcity.passport import documents, throttle, verification
from learningcity.passport.models import Achievement, Pathway, PathwayStep, StepKind
from learningcity.passport.pathway_display import safe_reverse

router = Router(tags=["passport"])
ERRORS: dict[int, Any] = {400: ErrorSchema}
# The credential itself may take 1 MB; the JSON around it (and escaping) a little more.
MAX_BODY_BYTES = verification.MAX_CREDENTIAL_BYTES + 64 * 1024

OutcomeName = Literal["valid", "revoked", "expired", "not_yet_valid", "tampered", "unknown_issuer", "malformed"]


# Verify


class CheckSchema(Schema):
    check: str = Field(description="What was checked")
    ok: bool | None = Field(description="true passed, false failed, null could not be checked")
    detail: str


class VerificationSchema(Schema):
    """Whether a credential holds, why, and each check made."""

    outcome: OutcomeName
    valid: bool
    reason: str = Field(description="Why, in the language asked for (Accept-Language)")
    format: Literal["jwt", "data-integrity", ""] = Field(description="The proof format read; empty if unreadable")
    checks: list[CheckSchema]
    credential: dict[str, Any] | None = Field(
        description="What the credential says (a JWT's payload), even when it does not verify: not proven then"
    )


def limit_body(run: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a body larger than a credential can be, before it is parsed."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        from learningcity.api import error_response  # the API module imports this router

        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            return error_response(
                request,
                status=413,
                code="too_large",
                message="A credential is at most 1 MB.",
                details=[{"field": None, "message": "The request body is larger than 1 MB."}],
            )
        return run(request, *args, **kwargs)

    return checked


def _invalid(request: HttpRequest, field: str, message: str) -> HttpResponse:
    from learningcity.api import validation_error_response  # the API module imports this router

    return validation_error_response(request, ValidationError({field: message}))


@router.post(
    "/verify",
    response={200: VerificationSchema, 413: ErrorSchema, 429: ErrorSchema, **ERRORS},
    summary="Verify a credential",
)
@decorate_view(limit_body)
def verify(
    request: HttpRequest,
    credential: dict[str, Any] | None = param.Body(  # noqa: B008  (how django-ninja declares a body field)
        None, description="The credential as a JSON object, with its embedded Data Integrity proof"
    ),
    jwt: str | None = param.Body(None, description="Or the credential as a VC-JWT (compact JWS)"),
) -> Any:
    """Verify an Open Badges 3.0 credential, issued here or elsewhere; send `credential` or `jwt`, not both.

    A credential that does not verify is still a 200: `outcome` says why (`tampered`, `revoked`,
    `expired`, `unknown_issuer` for another site's did:web, `malformed` when it is not a credential).
    """
    if credential is not None and jwt is not None:
        return _invalid(request, "jwt", "Send either credential or jwt, not both.")
    if credential is None and jwt is None:
        return _invalid(request, "credential", "Send the credential as JSON (credential) or as a JWT (jwt).")
    if jwt is not None and not jwt.strip():
        return _invalid(request, "jwt", "The JWT is empty.")
    value: str | dict[str, Any] = credential if credential is not None else str(jwt)
    if not throttle.verification_allowed(request):
        from learningcity.api import error_response  # the API module imports this router

        return error_response(
            request,
            status=429,
            code="rate_limited",
            message="Too many verifications from this address: wait a minute.",
            details=[{"field": None, "message": "PASSPORT_VERIFICATIONS_PER_MINUTE reached."}],
        )
    return verification.verify(value).as_json()


# Achievements


class CityParams(Schema):
    city: str | None = Field(None, max_length=100, description="Slug of a city; every city when empty")


class IssuerSchema(Schema):
    """Who issues: a provider organisation, or the city itself."""

    id: str = Field(description="The issuer's DID")
    name: str
    organisation_id: int | None = Field(description="Empty when the city itself issues")


class SkillSchema(Schema):
    framework: Literal["esco", "formacode", "rome", "other"]
    code: str = Field(description="ESCO skill URI, Formacode code, ROME code...")
    label: str


class AchievementSchema(Schema):
    """An achievement (Open Badges badge class) that can be awarded."""

    uuid: UUID
    id: str = Field(description="The Open Badges Achievement id (its JSON at this address)")
    url: str | None = Field(description="Its public page")
    city: str
    name: LocalizedTextSchema
    description: LocalizedTextSchema
    criteria: LocalizedTextSchema
    achievement_type: str
    level: Literal["discovery", "intermediate", "advanced", "expert"]
    valid_for_days: int | None = Field(description="How long an award stays valid; empty: no end")
    issuer: IssuerSchema
    skills: list[SkillSchema]


def _city(request: HttpRequest, params: CityParams) -> City | HttpResponse | None:
    if not params.city:
        return None
    city = City.objects.filter(slug=params.city).first()
    return city if city is not None else _invalid(request, "city", "No city has this slug.")


def _issuer(city: City, organisation: Any) -> dict[str, Any]:
    return {
        "id": documents.issuer_did(city, organisation),
        "name": organisation.name if organisation else city.name,
        "organisation_id": organisation.pk if organisation else None,
    }


def _page(name: str, value: UUID) -> str | None:
    path = safe_reverse(name, value)
    return absolute(path) if path else None


def achievement_data(achievement: Achievement) -> dict[str, Any]:
    """An achievement as the API shows it (alignments prefetched)."""
    return {
        "uuid": achievement.uuid,
        "id": documents.achievement_url(achievement),
        "url": _page("passport:achievement", achievement.uuid),
        "city": achievement.city.slug,
        "name": text(achievement.name_fr, achievement.name_en),
        "description": text(achievement.description_fr, achievement.description_en),
        "criteria": text(achievement.criteria_fr, achievement.criteria_en),
        "achievement_type": achievement.achievement_type,
        "level": achievement.level,
        "valid_for_days": achievement.valid_for_days,
        "issuer": _issuer(achievement.city, achievement.organisation),
        "skills": [
            {"framework": item.framework, "code": item.code, "label": item.label}
            for item in achievement.alignments.all()
        ],
    }


@router.get("/achievements", response={200: PageSchema[AchievementSchema], **ERRORS}, summary="List achievements")
def list_achievements(request: HttpRequest, filters: Query[CityParams], page: Query[PageParams]) -> Any:
    """Achievements that can be awarded now, by name."""
    city = _city(request, filters)
    if isinstance(city, HttpResponse):
        return city
    queryset: QuerySet[Achievement] = Achievement.objects.filter(active=True).select_related("city", "organisation")
    if city is not None:
        queryset = queryset.filter(city=city)
    return paginate(queryset.prefetch_related("alignments"), page, achievement_data)


# Pathways


class PathwayStepSchema(Schema):
    """A step inside a group: hold an achievement, or attend a listing."""

    kind: Literal["achievement", "opportunity", "group"]
    title: LocalizedTextSchema
    achievement: UUID | None = Field(description="The achievement to hold")
    opportunity_id: int | None = Field(description="The listing to attend (see /opportunities)")


class PathwayTopStepSchema(PathwayStepSchema):
    """A step of the pathway; a group has its own rule and steps."""

    rule: Literal["all", "any", "n_of_m"] | None = Field(description="A group's rule")
    required_count: int | None = Field(description="For n_of_m: how many of its steps")
    steps: list[PathwayStepSchema]


class PathwaySchema(Schema):
    """A published pathway: steps toward a goal, combined by a rule, and what completing it awards."""

    uuid: UUID
    url: str | None = Field(description="Its public page")
    city: str
    name: LocalizedTextSchema
    goal: LocalizedTextSchema
    issuer: IssuerSchema
    rule: Literal["all", "any", "n_of_m"]
    required_count: int | None = Field(description="For n_of_m: how many of its steps")
    completion_achievement: UUID | None = Field(description="The achievement awarded on completion")
    steps: list[PathwayTopStepSchema]


def _step_title(step: PathwayStep) -> dict[str, str]:
    if step.kind == StepKind.ACHIEVEMENT and step.achievement is not None:
        return text(step.achievement.name_fr, step.achievement.name_en)
    if step.kind == StepKind.OPPORTUNITY and step.opportunity is not None:
        return text(step.opportunity.title_fr, step.opportunity.title_en)
    return text(step.title_fr, step.title_en)


def _step_data(step: PathwayStep, children_of: dict[int | None, list[PathwayStep]]) -> dict[str, Any]:
    group = step.kind == StepKind.GROUP
    data: dict[str, Any] = {
        "kind": step.kind,
        "title": _step_title(step),
        "achievement": step.achievement.uuid if step.achievement is not None else None,
        "opportunity_id": step.opportunity_id,
    }
    if step.parent_id is None:
        data["rule"] = step.rule if group else None
        data["required_count"] = step.required_count if group else None
        data["steps"] = [_step_data(child, children_of) for child in children_of.get(step.pk, [])]
    return data


def pathway_data(pathway: Pathway) -> dict[str, Any]:
    """A pathway as the API shows it (steps prefetched in order)."""
    children_of: dict[int | None, list[PathwayStep]] = {}
    for step in pathway.steps.all():
        children_of.setdefault(step.parent_id, []).append(step)
    completion = pathway.completion_achievement
    return {
        "uuid": pathway.uuid,
        "url": _page("passport:pathway", pathway.uuid),
        "city": pathway.city.slug,
        "name": text(pathway.name_fr, pathway.name_en),
        "goal": text(pathway.goal_fr, pathway.goal_en),
        "issuer": _issuer(pathway.city, pathway.organisation),
        "rule": pathway.rule,
        "required_count": pathway.required_count,
        "completion_achievement": completion.uuid if completion is not None else None,
        "steps": [_step_data(step, children_of) for step in children_of.get(None, [])],
    }


@router.get("/pathways", response={200: PageSchema[PathwaySchema], **ERRORS}, summary="List pathways")
def list_pathways(request: HttpRequest, filters: Query[CityParams], page: Query[PageParams]) -> Any:
    """Published pathways with their steps, by name."""
    city = _city(request, filters)
    if isinstance(city, HttpResponse):
        return city
    queryset = Pathway.objects.filter(published=True).select_related("city", "organisation", "completion_achievement")
    if city is not None:
        queryset = queryset.filter(city=city)
    steps = PathwayStep.objects.select_related("achievement", "opportunity").order_by("position", "id")
    return paginate(queryset.prefetch_related(Prefetch("steps", queryset=steps)), page, pathway_data)
