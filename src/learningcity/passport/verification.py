"""Verify an Open Badges 3.0 credential, ours or issued elsewhere, and say why it is (not) valid.

Accepts a VC-JWT (compact JWS) or a JSON credential with an `eddsa-rdfc-2022` Data Integrity proof.
Keys are resolved without the network: `did:key` from the identifier itself, and `did:web` DIDs of
this instance from the database. Another instance's `did:web` cannot be resolved offline: the
result then says the issuer is unknown rather than pretending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from learningcity.passport import crypto, documents
from learningcity.passport.models import Award, SigningKey, StatusList

MAX_CREDENTIAL_BYTES = 1024 * 1024


class Outcome(TextChoices):
    VALID = "valid", pgettext_lazy("credential", "Valid")
    REVOKED = "revoked", pgettext_lazy("credential", "Revoked")
    EXPIRED = "expired", pgettext_lazy("credential", "Expired")
    NOT_YET_VALID = "not_yet_valid", pgettext_lazy("credential", "Not valid yet")
    TAMPERED = "tampered", pgettext_lazy("credential", "Tampered with")
    UNKNOWN_ISSUER = "unknown_issuer", pgettext_lazy("credential", "Issuer cannot be checked")
    MALFORMED = "malformed", pgettext_lazy("credential", "Not a credential")


@dataclass
class Check:
    """One thing verified: `ok` True, False, or None when it could not be checked."""

    label: str
    ok: bool | None
    detail: str = ""


@dataclass
class Verification:
    outcome: str
    reason: str
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    proof_format: str = ""
    award: Award | None = None

    @property
    def valid(self) -> bool:
        return self.outcome == Outcome.VALID

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "valid": self.valid,
            "reason": self.reason,
            "format": self.proof_format,
            "checks": [{"check": item.label, "ok": item.ok, "detail": item.detail} for item in self.checks],
            "credential": self.credential,
        }


class _Verdict(Exception):  # noqa: N818  (a verdict, not an error)
    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


def parse(value: str | bytes | dict[str, Any]) -> tuple[str, Any]:
    """("jwt", token) or ("data-integrity", document) from pasted text, a file's bytes or a dict."""
    if isinstance(value, dict):
        return "data-integrity", value
    if isinstance(value, bytes):
        if len(value) > MAX_CREDENTIAL_BYTES:
            raise _Verdict(Outcome.MALFORMED, _("The file is larger than 1 MB: it is not a credential."))
        try:
            value = value.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _Verdict(Outcome.MALFORMED, _("The file is not text (UTF-8): it is not a credential.")) from error
    text = value.strip()
    if not text:
        raise _Verdict(Outcome.MALFORMED, _("Paste a credential (JSON or JWT) or choose its file."))
    if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise _Verdict(Outcome.MALFORMED, _("The text is larger than 1 MB: it is not a credential."))
    if text.count(".") == 2 and not text.startswith(("{", "[")):
        return "jwt", text
    try:
        document = json.loads(text)
    except RecursionError as error:
        raise _Verdict(Outcome.MALFORMED, _("The JSON is nested too deeply: it is not a credential.")) from error
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        raise _Verdict(
            Outcome.MALFORMED, _("This is neither JSON nor a JWT (line %(line)s).") % {"line": line}
        ) from error
    if not isinstance(document, dict):
        raise _Verdict(Outcome.MALFORMED, _("A credential is a JSON object."))
    return "data-integrity", document


def _shape(document: dict[str, Any]) -> None:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types:
        raise _Verdict(Outcome.MALFORMED, _("This is not a Verifiable Credential (its type says otherwise)."))
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        raise _Verdict(Outcome.MALFORMED, _("This is not an Open Badges credential."))
    if not crypto.issuer_id(document):
        raise _Verdict(Outcome.MALFORMED, _("The credential names no issuer."))
    if not isinstance(document.get("credentialSubject"), dict):
        raise _Verdict(Outcome.MALFORMED, _("The credential has no subject."))


def resolve_key(verification_method: str) -> tuple[bytes, SigningKey | None]:
    """The public key a verification method names, without the network."""
    did, _sep, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        public = crypto.public_from_multikey(did[len("did:key:") :])
        if fragment and fragment != did[len("did:key:") :]:
            raise _Verdict(Outcome.UNKNOWN_ISSUER, _("The key named in the proof is not the did:key's own key."))
        return public, None
    issuer = documents.own_issuer_lookup(did)
    if issuer is None:
        raise _Verdict(
            Outcome.UNKNOWN_ISSUER,
            _("The issuer %(did)s is not on this platform and its keys cannot be fetched here.") % {"did": did},
        )
    key = None
    if fragment.startswith("key-") and fragment[4:].isdigit():
        key = (
            SigningKey.objects.filter(issuer, pk=int(fragment[4:]))
            .only("public_key", "city_id", "organisation_id")
            .first()
        )
    if key is None:
        raise _Verdict(Outcome.TAMPERED, _("The issuer has no key %(key)s.") % {"key": verification_method})
    return bytes(key.public_key), key


def _status(document: dict[str, Any], key: SigningKey | None, checks: list[Check]) -> str | None:
    """Outcome REVOKED if the credential's status list says so; None otherwise."""
    status = document.get("credentialStatus")
    if status is None:
        checks.append(Check(_("Revocation"), None, _("The credential has no status list: it cannot be revoked.")))
        return None
    entries = status if isinstance(status, list) else [status]
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            checks.append(Check(_("Revocation"), None, _("A status of an unknown kind was not checked.")))
            continue
        url = str(entry.get("statusListCredential") or "")
        prefix = f"{documents.site_url()}/credentials/status/"
        ident = url[len(prefix) :] if url.startswith(prefix) else ""
        lists = StatusList.objects.only("bits", "purpose", "city_id", "organisation_id")
        status_list = lists.filter(pk=int(ident)).first() if ident.isdigit() else None
        if status_list is not None and (
            key is None
            or (status_list.city_id, status_list.organisation_id) != (key.city_id, key.organisation_id)
            or entry.get("statusPurpose") != status_list.purpose
        ):
            raise _Verdict(Outcome.TAMPERED, _("The credential points to a status list that is not its issuer's."))
        if status_list is None:
            checks.append(
                Check(_("Revocation"), None, _("The status list %(url)s is not on this platform.") % {"url": url})
            )
            continue
        try:
            index = int(str(entry.get("statusListIndex")))
            revoked = crypto.bit_is_set(bytes(status_list.bits), index)
        except (ValueError, crypto.ProofError):
            raise _Verdict(Outcome.TAMPERED, _("The credential's status index is not valid.")) from None
        if revoked and entry.get("statusPurpose") == "revocation":
            checks.append(Check(_("Revocation"), False, _("The issuer revoked this credential.")))
            return Outcome.REVOKED
        checks.append(Check(_("Revocation"), True, _("The issuer has not revoked it.")))
    return None


def _dates(document: dict[str, Any], now: datetime, checks: list[Check]) -> str | None:
    try:
        valid_from = crypto.parse_time(str(document["validFrom"])) if document.get("validFrom") else None
        valid_until = crypto.parse_time(str(document["validUntil"])) if document.get("validUntil") else None
    except crypto.ProofError as error:
        raise _Verdict(Outcome.MALFORMED, str(error)) from error
    if valid_until is not None and now > valid_until:
        checks.append(Check(_("Validity dates"), False, _("It expired on %(date)s.") % {"date": valid_until.date()}))
        return Outcome.EXPIRED
    if valid_from is not None and now < valid_from:
        checks.append(Check(_("Validity dates"), False, _("It is valid from %(date)s.") % {"date": valid_from.date()}))
        return Outcome.NOT_YET_VALID
    checks.append(Check(_("Validity dates"), True, _("It is within its validity dates.")))
    return None


def _issuer_check(document: dict[str, Any], key: SigningKey | None) -> Check:
    """Who the issuer is: one of this platform's (established), or only what a did:key says of itself."""
    issuer = document.get("issuer")
    name = str(issuer.get("name") or "") if isinstance(issuer, dict) else ""
    if key is not None:
        return Check(_("Issuer"), True, _("Issued on this platform by %(name)s.") % {"name": name or "—"})
    return Check(
        _("Issuer"),
        None,
        _("The issuer is known only by its own key (did:key): the name it gives, %(name)s, is what it says of itself.")
        % {"name": name or "—"},
    )


def _recorded(award: Award | None, now: datetime, checks: list[Check]) -> str | None:
    """For one of our awards, what the platform recorded also counts (revoked or expired here)."""
    if award is None:
        return None
    if award.revoked_at is not None:
        checks.append(Check(_("Revocation"), False, _("The issuer revoked this credential.")))
        return Outcome.REVOKED
    if award.valid_until is not None and now > award.valid_until:
        return Outcome.EXPIRED
    return None


def _own_award(document: dict[str, Any], key: SigningKey | None) -> Award | None:
    """Our award this credential is, only if it was verified with the very key that signed that award."""
    if key is None:
        return None
    ident = str(document.get("id") or "")
    prefix = f"{documents.site_url()}/credentials/"
    tail = ident[len(prefix) :] if ident.startswith(prefix) else ""
    if len(tail) != 36:
        return None
    try:
        return Award.objects.defer("credential", "jwt").filter(uuid=tail, signing_key=key).first()
    except ValueError:
        return None


def verify(value: str | bytes | dict[str, Any], *, now: datetime | None = None) -> Verification:
    """Verify a credential and say, with the checks made, whether it is valid and why."""
    now = now or timezone.now()
    checks: list[Check] = []
    result = Verification(Outcome.MALFORMED, "", checks)
    try:
        proof_format, content = parse(value)
        result.proof_format = proof_format
        if proof_format == "jwt":
            header = crypto.jwt_header(content)
            document = crypto.jwt_payload_unverified(content)
            method = str(header.get("kid") or "")
            if not method:
                raise _Verdict(Outcome.MALFORMED, _("The JWT names no key (kid)."))
        else:
            document = content
            method = crypto.data_integrity_proof(document)["verificationMethod"]
        result.credential = document
        crypto.check_plain(document)
        _shape(document)
        checks.append(Check(_("Open Badges 3.0 credential"), True, crypto.issuer_id(document)))
        if method.partition("#")[0] != crypto.issuer_id(document):
            raise _Verdict(Outcome.TAMPERED, _("It was signed by a key that is not the named issuer's."))
        public, key = resolve_key(method)
        if proof_format == "jwt":
            payload = crypto.verify_jwt(content, public)
            if payload.get("iss") not in (None, crypto.issuer_id(document)):
                raise _Verdict(Outcome.TAMPERED, _("The JWT's issuer claim differs from the credential's issuer."))
        else:
            crypto.verify_data_integrity(document, public)
        checks.append(Check(_("Signature"), True, _("Signed by %(key)s; nothing changed since.") % {"key": method}))
        checks.append(_issuer_check(document, key))
        result.award = _own_award(document, key)
        outcome = (
            _status(document, key, checks)
            or _dates(document, now, checks)
            or _recorded(result.award, now, checks)
            or Outcome.VALID
        )
        result.outcome = outcome
        result.reason = _reason(outcome, result.award)
    except _Verdict as stop:
        result.outcome, result.reason = stop.outcome, stop.reason
    except crypto.ProofError as error:
        tampered = error.code == crypto.SIGNATURE_MISMATCH
        result.outcome = Outcome.TAMPERED if tampered else Outcome.MALFORMED
        result.reason = _proof_error_text(error)
        if tampered:
            checks.append(Check(_("Signature"), False, result.reason))
    return result


def _proof_error_text(error: crypto.ProofError) -> str:
    """The proof error in the reader's language (crypto.py is pure and speaks English)."""
    texts = {
        crypto.SIGNATURE_MISMATCH: _("The signature does not match the content: it was changed after signing."),
        crypto.NO_PROOF: _("The credential carries no eddsa-rdfc-2022 proof."),
        crypto.BAD_PROOF: _("The proof is incomplete or not of a kind this platform checks."),
        crypto.BAD_JSON_LD: _("The credential is not valid JSON-LD: %(detail)s") % {"detail": error.detail},
        crypto.OFFLINE: _("The credential needs a document that cannot be fetched here: %(detail)s")
        % {"detail": error.detail},
        crypto.BAD_JWT: _("This is not a valid JWT."),
        crypto.NOT_PLAIN: _(
            "The credential is written in a way this platform does not read (other contexts, keys that are "
            "not plain terms, or blank node names)."
        ),
        crypto.TOO_COMPLEX: _("The credential is too large or too intricate to check."),
        crypto.BAD_KEY: _("The key named in the proof is not a valid Ed25519 key."),
        crypto.BAD_DATE: _("A date of the credential is not a date and time: %(detail)s") % {"detail": error.detail},
    }
    return str(texts.get(error.code, str(error)))


def _reason(outcome: str, award: Award | None) -> str:
    if outcome == Outcome.VALID:
        return _("The signature holds, the issuer has not revoked it and it is within its dates.")
    if outcome == Outcome.REVOKED:
        if award is not None and award.revocation_reason:
            return _("The issuer revoked it: %(reason)s") % {"reason": award.revocation_reason}
        return _("The issuer revoked it.")
    if outcome == Outcome.EXPIRED:
        return _("It has expired.")
    return _("It is not valid yet.")
