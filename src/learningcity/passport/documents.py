"""The JSON documents the passport publishes: credentials, issuer DID documents, status list credentials.

Issuers are `did:web` DIDs of this instance (from `SITE_URL`):
`did:web:<host>:organisations:<id>` for a provider, `did:web:<host>:cities:<slug>` for the city.
Their DID documents are served at `/organisations/<id>/did.json` and `/cities/<slug>/did.json` and
list every key the issuer ever signed with (retired ones too), so old credentials keep verifying.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from learningcity.catalogue.models import City, Organisation
from learningcity.passport import crypto
from learningcity.passport.models import (
    Achievement,
    Award,
    SigningKey,
    SkillFramework,
    StatusList,
)

STATUS_PURPOSE = "revocation"


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def did_host() -> str:
    """The host part of this instance's did:web DIDs (a port is written %3A)."""
    return quote(urlsplit(site_url()).netloc, safe="")


def issuer_did(city: City, organisation: Organisation | None) -> str:
    if organisation is not None:
        return f"did:web:{did_host()}:organisations:{organisation.pk}"
    return f"did:web:{did_host()}:cities:{city.slug}"


def key_did(key: SigningKey) -> str:
    return issuer_did(key.city, key.organisation)


def key_id(key: SigningKey) -> str:
    """The verification method id of a key: the issuer's DID with a fragment."""
    return f"{key_did(key)}#key-{key.pk}"


def did_document_url(did: str) -> str | None:
    """The https address a did:web resolves to (`.../did.json`), or None if `did` is not did:web."""
    if not did.startswith("did:web:"):
        return None
    parts = did.split("#", 1)[0].split(":")[2:]
    host, path = unquote(parts[0]), [unquote(part) for part in parts[1:]]
    scheme = urlsplit(site_url()).scheme if host == unquote(did_host()) else "https"
    return f"{scheme}://{host}/" + ("/".join(path) if path else ".well-known") + "/did.json"


def own_issuer_lookup(did: str) -> Q | None:
    """A filter on SigningKey for the issuer a DID of this instance names, or None if it is not ours."""
    prefix = f"did:web:{did_host()}:"
    did = did.split("#", 1)[0]
    if not did.startswith(prefix):
        return None
    kind, _, ident = did[len(prefix) :].partition(":")
    if kind == "organisations" and ident.isdigit():
        return Q(organisation_id=int(ident))
    if kind == "cities" and ident:
        return Q(city__slug=ident, organisation__isnull=True)
    return None


def did_document(city: City, organisation: Organisation | None) -> dict[str, Any]:
    """The issuer's DID document: every key it has signed with, as Multikey verification methods."""
    did = issuer_did(city, organisation)
    keys = list(SigningKey.objects.filter(city=city, organisation=organisation).order_by("created_at", "id"))
    methods = [
        {
            "id": f"{did}#key-{key.pk}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": crypto.multikey(bytes(key.public_key)),
        }
        for key in keys
    ]
    return {
        "@context": [crypto.DID_V1, crypto.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def issuer_profile(city: City, organisation: Organisation | None) -> dict[str, Any]:
    """The Open Badges `Profile` of an issuer."""
    profile: dict[str, Any] = {
        "id": issuer_did(city, organisation),
        "type": ["Profile"],
        "name": organisation.name if organisation else city.name,
    }
    if organisation is not None and organisation.website:
        profile["url"] = organisation.website
    elif organisation is not None and organisation.email:
        profile["email"] = organisation.email
    return profile


def credential_url(award: Award) -> str:
    return f"{site_url()}/credentials/{award.uuid}"


def achievement_url(achievement: Achievement) -> str:
    return f"{site_url()}/achievements/{achievement.uuid}"


def status_list_url(status_list: StatusList) -> str:
    return f"{site_url()}/credentials/status/{status_list.pk}"


def _alignment(framework: str, code: str, label: str) -> dict[str, Any]:
    if framework == SkillFramework.ESCO:
        return {
            "type": ["Alignment"],
            "targetName": label,
            "targetUrl": code,
            "targetType": "ceasn:Competency",
            "targetFramework": "ESCO",
        }
    names = {str(SkillFramework.FORMACODE): "Formacode", str(SkillFramework.ROME): "ROME"}
    target_url = code if code.startswith(("http://", "https://")) else f"urn:x-{framework}:{quote(code, safe='')}"
    alignment = {"type": ["Alignment"], "targetName": label, "targetUrl": target_url, "targetCode": code}
    if framework in names:
        alignment["targetFramework"] = names[framework]
    return alignment


def achievement_document(achievement: Achievement) -> dict[str, Any]:
    """The Open Badges `Achievement` (badge class), in the active language."""
    document: dict[str, Any] = {
        "id": achievement_url(achievement),
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description or achievement.name,
        "criteria": {"narrative": achievement.criteria},
        "tag": [str(achievement.get_level_display())],
    }
    if achievement.image:
        document["image"] = {"id": f"{achievement_url(achievement)}/image", "type": "Image"}
    alignments = [_alignment(item.framework, item.code, item.label) for item in achievement.alignments.all()]
    if alignments:
        document["alignment"] = alignments
    return document


def identity_hash(email: str, salt: str) -> str:
    """Open Badges' hashed identity: `sha256$` and the hex digest of the address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def is_minor(user: Any) -> bool:
    """Under PASSPORT_MINOR_AGE by the year of birth the account gives (unknown: an adult)."""
    born = getattr(user, "year_of_birth", None)
    return born is not None and timezone.localdate().year - born < settings.PASSPORT_MINOR_AGE


def credential_subject(award: Award) -> dict[str, Any]:
    """The `AchievementSubject`. A child's carries no name, e-mail or other direct identifier."""
    subject: dict[str, Any] = {"id": f"urn:uuid:{award.uuid}", "type": ["AchievementSubject"]}
    if award.family_member_id is None and award.recipient is not None and not is_minor(award.recipient):
        salt = secrets.token_hex(8)
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(award.recipient.email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    return subject


def credential_language(award: Award) -> str:
    if award.recipient is not None and award.recipient.preferred_language:
        return str(award.recipient.preferred_language)
    return str(settings.LANGUAGE_CODE)


def build_credential(award: Award, achievement_doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The unsigned `OpenBadgeCredential` of an award (VC data model 2.0), in the holder's language.

    `achievement_doc` is the achievement's document in that language when the caller already has it
    (awarding many at once).
    """
    achievement = award.achievement
    with translation.override(credential_language(award)):
        document: dict[str, Any] = {
            "@context": list(crypto.CREDENTIAL_CONTEXT),
            "id": credential_url(award),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer_profile(achievement.city, achievement.organisation),
            "validFrom": crypto.timestamp(award.awarded_at),
            "name": achievement.name,
            "credentialSubject": {
                **credential_subject(award),
                "achievement": achievement_doc or achievement_document(achievement),
            },
            "credentialStatus": {
                "id": f"{status_list_url(award.status_list)}#{award.status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": STATUS_PURPOSE,
                "statusListIndex": str(award.status_index),
                "statusListCredential": status_list_url(award.status_list),
            },
        }
        if award.valid_until is not None:
            document["validUntil"] = crypto.timestamp(award.valid_until)
        evidence = [_evidence(item) for item in award.evidence if isinstance(item, dict)]
        if award.narrative:
            evidence.insert(0, {"type": ["Evidence"], "narrative": award.narrative})
        if evidence:
            document["evidence"] = evidence
    return document


def _evidence(item: dict[str, Any]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"type": ["Evidence"]}
    if item.get("url"):
        evidence["id"] = str(item["url"])
    if item.get("name"):
        evidence["name"] = str(item["name"])
    if item.get("narrative"):
        evidence["narrative"] = str(item["narrative"])
    return evidence


def status_list_credential(status_list: StatusList) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` for a status list (signed by its issuer's key)."""
    url = status_list_url(status_list)
    return {
        "@context": [crypto.CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(status_list.city, status_list.organisation),
        "validFrom": crypto.timestamp(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": crypto.encode_status_list(bytes(status_list.bits)),
        },
    }
