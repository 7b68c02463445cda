"""The documents a verifier needs for the platform's credentials, as the platform publishes them.

`documents_for(awards, get=...)` gathers, for the independent verifier, every issuer's DID document
and every status list credential the awards point to, plus the Open Badges context. With `get` (a
Django test client's `get`), they are read from the public addresses a verifier elsewhere would fetch
(`/organisations/<id>/did.json`, `/credentials/status/<id>`); without it (the benchmark), from the
functions behind those addresses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from tests.passport.independent import OB_CONTEXT_URL, ob_context


def documents_for(awards: Iterable[Any], get: Callable[..., Any] | None = None) -> dict[str, Any]:
    from learningcity.passport import documents, services
    from learningcity.passport.models import StatusList

    found: dict[str, Any] = {OB_CONTEXT_URL: ob_context()}
    for award in awards:
        credential = award.credential
        issuer = credential["issuer"]["id"]
        status_url = credential["credentialStatus"]["statusListCredential"]
        if issuer not in found:
            if get is not None:
                found[issuer] = _json(get(urlsplit(documents.did_document_url(issuer)).path))
            else:
                found[issuer] = documents.did_document(award.achievement.city, award.achievement.organisation)
        if status_url not in found:
            if get is not None:
                found[status_url] = _json(get(urlsplit(status_url).path))
            else:
                found[status_url] = services.signed_status_list(StatusList.objects.get(pk=award.status_list_id))
    return found


def _json(response: Any) -> Any:
    assert response.status_code == 200, response
    return json.loads(response.content)
