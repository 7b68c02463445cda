"""Credentials issued elsewhere, kept in the record exactly as they came, so they can be verified again.

A JSON credential (Data Integrity proof) is kept as is. A VC-JWT is kept as the W3C data model 2.0
writes a credential secured by an envelope: an `EnvelopedVerifiableCredential` whose `id` is a
`data:` URL holding the token, so the record holds one shape of JSON and the signature survives.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from learningcity.passport import crypto, documents
from learningcity.passport.verification import Verification

JWT_MEDIA_TYPE = "application/vc+jwt"
ENVELOPED = "EnvelopedVerifiableCredential"


def stored_form(result: Verification, value: str | bytes) -> dict[str, Any]:
    """What the record keeps of a verified credential: the document, or the JWT in its envelope."""
    assert result.credential is not None
    if result.proof_format != "jwt":
        return result.credential
    token = value.decode("utf-8-sig") if isinstance(value, bytes) else value
    return {
        "@context": [crypto.CREDENTIALS_V2],
        "id": f"data:{JWT_MEDIA_TYPE},{token.strip()}",
        "type": ENVELOPED,
    }


def original(stored: dict[str, Any]) -> dict[str, Any] | str:
    """What to verify again: the JSON credential, or the token out of its envelope."""
    if stored.get("type") == ENVELOPED and str(stored.get("id", "")).startswith(f"data:{JWT_MEDIA_TYPE},"):
        return str(stored["id"]).split(",", 1)[1]
    return stored


def credential_document(stored: dict[str, Any]) -> dict[str, Any]:
    """The credential's claims, also for a JWT (read without checking: this is for display)."""
    value = original(stored)
    if isinstance(value, str):
        try:
            return crypto.jwt_payload_unverified(value)
        except crypto.ProofError:
            return {}
    return value


def credential_key(stored: Any) -> str:
    """What identifies a credential, to refuse importing it twice: its id, or a digest of its content."""
    if not isinstance(stored, dict):
        return ""
    document = credential_document(stored)
    if document.get("id"):
        return f"id:{document['id']}"
    return "sha256:" + hashlib.sha256(json.dumps(stored, sort_keys=True).encode("utf-8")).hexdigest()


def _text(value: Any) -> str:
    """A plain string from an Open Badges text (a string, or a language map)."""
    if isinstance(value, dict):
        return str(value.get("@value") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def issuer_name(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        return _text(issuer.get("name")) or _text(issuer.get("id"))
    return _text(issuer)


def achievement(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, dict) else None
    return found if isinstance(found, dict) else {}


def names_someone_else(document: dict[str, Any], email: str) -> bool:
    """Whether the credential identifies its holder by an e-mail address that is not `email`.

    Open Badges identify the holder by an `IdentityObject`, usually the hash of an e-mail address
    with a salt. A credential naming nobody this way (a child's, or a DID only) cannot be checked.
    """
    subject = document.get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    if not isinstance(identifiers, list):
        return False
    emails = [item for item in identifiers if isinstance(item, dict) and item.get("identityType") == "emailAddress"]
    if not emails:
        return False
    return not any(_same_email(item, email) for item in emails)


def _same_email(identity: dict[str, Any], email: str) -> bool:
    value = str(identity.get("identityHash") or "")
    if not identity.get("hashed"):
        return value.strip().lower() == email.strip().lower()
    return value == documents.identity_hash(email, str(identity.get("salt") or ""))


def entry_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Title, details, issuer and date of a record entry, from the credential's claims."""
    title = _text(document.get("name")) or _text(achievement(document).get("name"))
    awarded = None
    for claim in ("validFrom", "awardedDate", "issuanceDate"):
        if document.get(claim):
            try:
                awarded = timezone.localtime(crypto.parse_time(str(document[claim]))).date()
            except crypto.ProofError:
                continue
            break
    if awarded is not None and awarded > timezone.localdate():
        awarded = None
    return {
        "title": (title or "Open Badge")[:200],
        "description": _text(achievement(document).get("description"))[:4000],
        "provider_name": issuer_name(document)[:200],
        "ended_on": awarded,
    }
