"""Ed25519 keys, JSON-LD canonicalisation and the two proof formats of an Open Badges 3.0 credential.

Pure functions (no database): keys are raw 32-byte values, documents are dicts.

- **VC-JWT** (Open Badges 3.0 §8.2, JOSE): header `{"alg": "EdDSA", "typ": "JWT", "kid": <key id>}`,
  payload the credential itself plus the registered claims `iss`, `jti`, `nbf`, `exp`, `sub`.
- **Data Integrity** `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa):
  the proof options and the document are canonicalised with RDFC-1.0 (URDNA2015), hashed with
  SHA-256, and the two hashes (options first) are signed; `proofValue` is base58btc multibase.

JSON-LD contexts come only from `contexts/` (or from `extra` documents the caller passes, such as
our own DID documents): nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import base58
import jwt
import pyld.canon
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from pyld import jsonld

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
CREDENTIAL_CONTEXT = [CREDENTIALS_V2, OPEN_BADGES_V3]
CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_MULTICODEC = b"\xed\x01"
CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-context-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
}

Loader = Callable[..., dict[str, Any]]


SIGNATURE_MISMATCH, NO_PROOF, BAD_PROOF, BAD_JSON_LD, OFFLINE, BAD_JWT, BAD_KEY, BAD_DATE, BAD_STATUS = (
    "signature-mismatch",
    "no-proof",
    "bad-proof",
    "bad-json-ld",
    "offline",
    "bad-jwt",
    "bad-key",
    "bad-date",
    "bad-status",
)
NOT_PLAIN, TOO_COMPLEX = "not-plain", "too-complex"
# What a credential this platform reads may hold (ours are far below): nesting, objects, list items,
# and the canonicalisation work (permutations of look-alike blank nodes), so that a crafted
# document cannot keep a worker busy (RDFC-1.0 asks implementations to bound it).
MAX_DEPTH, MAX_OBJECTS, MAX_LIST_ITEMS, MAX_PERMUTATIONS = 16, 500, 200, 2_000
TERM = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class ProofError(Exception):
    """A proof that cannot be checked or does not hold: `code` says which case, the message (English) why.

    Callers that show it to people translate by `code` (verification.py); `detail` is the variable part.
    """

    def __init__(self, message: str, code: str = BAD_PROOF, detail: str = "") -> None:
        super().__init__(message)
        self.code, self.detail = code, detail


@cache
def context_document(url: str) -> dict[str, Any]:
    """A JSON-LD context shipped with the application."""
    document: dict[str, Any] = json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))
    return document


def document_loader(extra: Mapping[str, Any] | None = None) -> Loader:
    """A pyld document loader that knows the bundled contexts and `extra` documents, and nothing else."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url in CONTEXT_FILES:
            document = context_document(url)
        elif extra is not None and url in extra:
            document = extra[url]
        else:
            raise ProofError(f"The document {url} is not available offline.", OFFLINE, url)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def check_plain(document: Mapping[str, Any]) -> None:
    """Refuse a document this platform does not read as written: ProofError(NOT_PLAIN or TOO_COMPLEX).

    A signature covers a document's RDF meaning, and JSON-LD lets the same meaning be written in other
    ways: a full IRI as a key, an inline context renaming a term, an explicit blank node. The checks
    that follow the signature (status, dates, issuer) read the JSON, so the JSON must say plainly
    what was signed: the bundled contexts only, every key a term of theirs (or `@context` at the
    top), no blank node identifiers; and it must be small enough to canonicalise quickly.
    """
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(item, str) and item in CONTEXT_FILES for item in contexts):
        raise ProofError("The credential uses contexts other than the standard ones.", NOT_PLAIN)
    objects = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ProofError("The credential is nested too deeply.", TOO_COMPLEX)
        if isinstance(value, dict):
            objects += 1
            if objects > MAX_OBJECTS:
                raise ProofError("The credential holds too many objects.", TOO_COMPLEX)
            for key, item in value.items():
                if not (TERM.fullmatch(key) or (key == "@context" and value is document)):
                    raise ProofError(f"The credential has a key that is not a plain term: {key[:80]}", NOT_PLAIN, key)
                if key == "id" and isinstance(item, str) and item.startswith("_:"):
                    raise ProofError("The credential names a blank node.", NOT_PLAIN)
                if key != "@context":
                    stack.append((item, depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise ProofError("The credential holds a list that is too long.", TOO_COMPLEX)
            stack.extend((item, depth + 1) for item in value)


_permutations_left: ContextVar[list[int] | None] = ContextVar("permutations_left", default=None)
_pyld_permutations = pyld.canon.permutations


def _counted_permutations(elements: Any) -> Any:
    """pyld's permutations, counted against the current canonicalisation's budget."""
    for permutation in _pyld_permutations(elements):
        left = _permutations_left.get()
        if left is not None:
            left[0] -= 1
            if left[0] < 0:
                raise ProofError("The credential is too complex to canonicalise.", TOO_COMPLEX)
        yield permutation


pyld.canon.permutations = _counted_permutations  # pyld has no work limit of its own


def canonize(document: Mapping[str, Any], loader: Loader | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (terms a context does not define are an error)."""
    token = _permutations_left.set([MAX_PERMUTATIONS])
    try:
        return str(
            jsonld.normalize(
                dict(document),
                {
                    "algorithm": "URDNA2015",
                    "format": "application/n-quads",
                    "documentLoader": loader or document_loader(),
                    "safe": True,
                },
            )
        )
    except ProofError:
        raise
    except RecursionError as error:
        raise ProofError("The credential is nested too deeply.", TOO_COMPLEX) from error
    except jsonld.JsonLdError as error:
        if isinstance(_root_exception(error), ProofError):
            raise _root_exception(error) from error
        cause = _root_cause(error)
        raise ProofError(f"The document is not valid JSON-LD: {cause}", BAD_JSON_LD, cause) from error
    finally:
        _permutations_left.reset(token)


def _root_exception(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error.args[0] if error.args else error)


# Keys


def generate_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as raw bytes: (private, public)."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def multikey(public: bytes) -> str:
    """The `publicKeyMultibase` of an Ed25519 public key: base58btc of the multicodec prefix and the key."""
    return "z" + base58.b58encode(ED25519_MULTICODEC + bytes(public)).decode("ascii")


def public_from_multikey(value: str) -> bytes:
    """The raw Ed25519 public key in a `z6Mk…` multibase value."""
    if not value.startswith("z"):
        raise ProofError("The key is not base58btc multibase.", BAD_KEY)
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("The key is not valid base58.", BAD_KEY) from error
    if not raw.startswith(ED25519_MULTICODEC) or len(raw) != 34:
        raise ProofError("The key is not an Ed25519 public key.", BAD_KEY)
    return raw[2:]


def did_key(public: bytes) -> str:
    """The `did:key` of an Ed25519 public key."""
    return "did:key:" + multikey(public)


def _private(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(raw))


def _public(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def public_jwk(public: bytes) -> dict[str, str]:
    """The public key as a JWK (OKP, Ed25519)."""
    return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(bytes(public)).rstrip(b"=").decode()}


# Data Integrity (eddsa-rdfc-2022)


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second, with a Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=256)
def _options_hash(options_json: str) -> bytes:
    """SHA-256 of the canonical proof options (the same for every credential signed in one batch)."""
    return hashlib.sha256(canonize(json.loads(options_json)).encode("utf-8")).digest()


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any], loader: Loader) -> bytes:
    check_plain(document)
    contexts = options.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if all(isinstance(item, str) and item in CONTEXT_FILES for item in contexts):  # bundled contexts only: cacheable
        proof_hash = _options_hash(json.dumps(options, sort_keys=True))
    else:
        proof_hash = hashlib.sha256(canonize(options, loader).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(document, loader).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign_data_integrity(
    document: Mapping[str, Any],
    private: bytes,
    verification_method: str,
    *,
    created: datetime,
    loader: Loader | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The document with an `eddsa-rdfc-2022` `DataIntegrityProof` added."""
    loader = loader or document_loader()
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = {
        "@context": unsigned["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = _private(private).sign(_hash_data(unsigned, options, loader))
    proof = {key: value for key, value in options.items() if key != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    return {**unsigned, "proof": proof}


def data_integrity_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    """The one `eddsa-rdfc-2022` proof of a document, or ProofError saying what is wrong with it."""
    proof = document.get("proof")
    if isinstance(proof, list):
        proofs = [item for item in proof if isinstance(item, dict) and item.get("cryptosuite") == CRYPTOSUITE]
        proof = proofs[0] if len(proofs) == 1 else None
    if not isinstance(proof, dict):
        raise ProofError("The credential carries no eddsa-rdfc-2022 proof.", NO_PROOF)
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("The proof is not a DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite.")
    for key in ("verificationMethod", "proofValue", "proofPurpose"):
        if not isinstance(proof.get(key), str):
            raise ProofError(f"The proof has no {key}.")
    return proof


def verify_data_integrity(document: Mapping[str, Any], public: bytes, loader: Loader | None = None) -> None:
    """Check the document's `eddsa-rdfc-2022` proof with `public`; ProofError if it does not hold."""
    loader = loader or document_loader()
    proof = data_integrity_proof(document)
    if proof["proofPurpose"] != "assertionMethod":
        raise ProofError("The proof is not made for assertions.")
    value = proof["proofValue"]
    if not value.startswith("z"):
        raise ProofError("The proof value is not base58btc multibase.")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("The proof value is not valid base58.") from error
    unsigned = {key: item for key, item in document.items() if key != "proof"}
    options = {key: item for key, item in proof.items() if key != "proofValue"}
    options["@context"] = unsigned.get("@context")
    try:
        _public(public).verify(signature, _hash_data(unsigned, options, loader))
    except InvalidSignature as error:
        raise ProofError(
            "The signature does not match the content: it was changed after signing.", SIGNATURE_MISMATCH
        ) from error


# VC-JWT


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT registered claims an Open Badges 3.0 credential carries beside its own fields."""
    claims: dict[str, Any] = {"iss": issuer_id(credential), "jti": credential.get("id")}
    if credential.get("validFrom"):
        claims["nbf"] = int(parse_time(str(credential["validFrom"])).timestamp())
    if credential.get("validUntil"):
        claims["exp"] = int(parse_time(str(credential["validUntil"])).timestamp())
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    return {key: value for key, value in claims.items() if value is not None}


def sign_jwt(credential: Mapping[str, Any], private: bytes, kid: str) -> str:
    """The credential as a compact JWS (EdDSA)."""
    payload = {**{key: value for key, value in credential.items() if key != "proof"}, **jwt_claims(credential)}
    return jwt.encode(payload, _private(private), algorithm="EdDSA", headers={"kid": kid, "typ": "JWT"})


def jwt_header(token: str) -> dict[str, Any]:
    """The unverified header of a compact JWS, or ProofError."""
    try:
        return dict(jwt.get_unverified_header(token))
    except jwt.PyJWTError as error:
        raise ProofError("This is not a valid JWT.", BAD_JWT) from error


def jwt_payload_unverified(token: str) -> dict[str, Any]:
    try:
        return dict(jwt.decode(token, options={"verify_signature": False}))
    except jwt.PyJWTError as error:
        raise ProofError("This is not a valid JWT.", BAD_JWT) from error


def verify_jwt(token: str, public: bytes) -> dict[str, Any]:
    """The payload of a JWT signed with `public` (EdDSA only); expiry is left to the caller."""
    if jwt_header(token).get("alg") != "EdDSA":
        raise ProofError("The JWT is not signed with EdDSA.", BAD_JWT)
    try:
        return dict(
            jwt.decode(
                token,
                _public(public),
                algorithms=["EdDSA"],
                options={"verify_exp": False, "verify_nbf": False, "verify_aud": False, "verify_iat": False},
            )
        )
    except jwt.InvalidSignatureError as error:
        raise ProofError(
            "The signature does not match the content: it was changed after signing.", SIGNATURE_MISMATCH
        ) from error
    except jwt.PyJWTError as error:
        raise ProofError(f"The JWT cannot be verified: {error}", BAD_JWT) from error


# Helpers over credential documents


def issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        return str(issuer.get("id") or "")
    return str(issuer or "")


def parse_time(value: str) -> datetime:
    """An XML Schema dateTime (with Z or an offset) as an aware datetime; ProofError if malformed."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ProofError(f"{value!r} is not a date and time.", BAD_DATE, value) from error
    if moment.tzinfo is None:
        raise ProofError(f"{value!r} has no time zone.", BAD_DATE, value)
    return moment


# Bitstring Status List


def encode_status_list(bits: bytes) -> str:
    """`encodedList`: the bitstring GZIP-compressed, base64url without padding, multibase prefix `u`."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ProofError("The status list is not base64url multibase.", BAD_STATUS)
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError) as error:
        raise ProofError("The status list cannot be decoded.", BAD_STATUS) from error


def bit_is_set(bits: bytes, index: int) -> bool:
    """Bit `index`, counted from the left-most bit of the first byte."""
    if index < 0 or index >= len(bits) * 8:
        raise ProofError("The status index is outside the status list.", BAD_STATUS)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def with_bit(bits: bytes, index: int, value: bool) -> bytes:
    """The bitstring with bit `index` set to `value`."""
    data = bytearray(bits)
    mask = 0x80 >> (index % 8)
    if value:
        data[index // 8] |= mask
    else:
        data[index // 8] &= ~mask & 0xFF
    return bytes(data)
