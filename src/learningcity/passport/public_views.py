"""Machine-readable documents at stable, language-free addresses: DID documents, status lists, credentials.

A credential's `id` and an achievement's `id` are addresses a person may also open in a browser:
JSON clients get the document, browsers are sent to the page in their language.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language_from_request, override
from django.views.decorators.http import require_GET

from learningcity.catalogue.models import City, Organisation
from learningcity.passport import crypto, documents, services
from learningcity.passport.models import Achievement, Award, StatusList

JSON_LD = "application/ld+json"


def json_response(document: Any, content_type: str = JSON_LD, *, cache_seconds: int = 300) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"  # public documents that verifiers elsewhere read
    response["Cache-Control"] = f"public, max-age={cache_seconds}"
    return response


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.GET.get("format") in ("json", "jwt") or (
        "json" in accept and "text/html" not in accept.split(",")[0]
    )


@require_GET
def organisation_did(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("city"), pk=pk)
    return json_response(documents.did_document(organisation.city, organisation), "application/did+ld+json")


@require_GET
def city_did(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    return json_response(documents.did_document(city, None), "application/did+ld+json")


@require_GET
def status_list(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(StatusList.objects.select_related("city", "organisation"), pk=pk)
    return json_response(services.signed_status_list(found), "application/vc+ld+json", cache_seconds=60)


def _localized_redirect(request: HttpRequest, name: str, value: UUID) -> HttpResponse:
    with override(get_language_from_request(request, check_path=False)):
        return HttpResponseRedirect(reverse(name, args=[value]))


@require_GET
def credential(request: HttpRequest, value: UUID) -> HttpResponse:
    """The credential (JSON-LD with its Data Integrity proof) if its holder shared it; else the page."""
    if not wants_json(request):
        return _localized_redirect(request, "passport:credential", value)
    award = Award.objects.filter(uuid=value).first()
    if award is None or not (award.shared or award.holder_account_id == getattr(request.user, "pk", None)):
        raise Http404
    if request.GET.get("format") == "jwt":
        response = HttpResponse(award.jwt, content_type="application/vc+jwt")
    else:
        response = json_response(award.credential, "application/vc+ld+json")
    if not award.shared:  # served to its holder only: no shared cache may keep it
        response["Cache-Control"] = "private, no-store"
        del response["Access-Control-Allow-Origin"]
    return response


@require_GET
def achievement(request: HttpRequest, value: UUID) -> HttpResponse:
    """An achievement (badge class) is public: its Open Badges `Achievement` JSON, or its page."""
    if not wants_json(request):
        return _localized_redirect(request, "passport:achievement", value)
    found = get_object_or_404(Achievement.objects.select_related("city", "organisation"), uuid=value)
    return json_response({"@context": crypto.CREDENTIAL_CONTEXT, **documents.achievement_document(found)})
