"""The independent verifier itself, tested without any platform code.

Credentials here are made by hand: JWTs signed with PyJWT and `cryptography`, Data Integrity
proofs signed by the reference libraries (sign.mjs). The verifier must accept each genuine one,
reject each altered one, read revocation bits, and agree with pyld on canonical N-Quads, which is
what lets the platform's Python signer produce proofs the reference implementation accepts.
"""

from __future__ import annotations

import base64
import copy
import gzip
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from tests.passport import independent
from tests.passport.independent import (
    OB_CONTEXT_URL,
    IndependentVerifierError,
    canonize_with_reference,
    ob_context,
    sign_with_reference,
    verify_independently,
)

DID = "did:web:127.0.0.1%3A8123:organisations:7"
OTHER_DID = "did:web:127.0.0.1%3A8123:organisations:8"
CURRENT_KEY = f"{DID}#key-2"
RETIRED_KEY = f"{DID}#key-1"
NODE_LIST = "http://127.0.0.1:8123/status/7/1"  # status list built by the reference library
PYTHON_LIST = "http://127.0.0.1:8123/status/7/2"  # status list encoded here, in Python
REVOKED_INDEX = 5
VALID_INDEX = 6
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin base58 (no checksum), to write `publicKeyMultibase` values independently of node."""
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, remainder = divmod(number, 58)
        digits = BASE58_ALPHABET[remainder] + digits
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + digits


@dataclass
class Key:
    """An Ed25519 key as both sides need it: PyJWT signs with `private`, node with `seed`."""

    id: str
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def seed(self) -> str:
        return self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()

    @property
    def multibase(self) -> str:
        """Multikey: base58btc of the ed25519-pub multicodec prefix (0xed 0x01) and the raw key."""
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "z" + base58btc(b"\xed\x01" + raw)

    def method(self) -> dict[str, str]:
        return {"id": self.id, "type": "Multikey", "controller": DID, "publicKeyMultibase": self.multibase}


def did_document(*keys: Key, assertion: list[str] | None = None) -> dict[str, Any]:
    """A did:web document listing `keys` (retired ones too, so older credentials still verify)."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [key.method() for key in keys],
        "assertionMethod": [key.id for key in keys] if assertion is None else assertion,
    }


def badge(index: int, *, status_list: str = NODE_LIST, **changes: Any) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 credential of our issuer, with a revocation entry at `index`."""
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2", OB_CONTEXT_URL],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Atelier de la Cité"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Poterie : les bases",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$6b1f8e0c0e7d5cbbcf2a8d2e4c4b8a3a1f1b4a39d8f0f1a2b3c4d5e6f7a8b9c0",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "pepper",
                }
            ],
            "achievement": {
                "id": "http://127.0.0.1:8123/achievements/3",
                "type": ["Achievement"],
                "name": "Poterie",
                "description": "Tourner un bol.",
                "criteria": {"narrative": "Assister à trois séances."},
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list,
        },
    }
    credential.update(changes)
    return credential


def encoded_list(revoked: list[int], length: int = 131072) -> str:
    """A Bitstring Status List value written by the spec: GZIP, base64url, multibase `u`; bit 0 = MSB of byte 0."""
    bits = bytearray(length // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()


def status_list_credential(url: str, revoked: list[int]) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
        },
    }


@dataclass
class Issuer:
    """One organisation's keys, published documents and reference-signed credentials."""

    current: Key
    retired: Key
    documents: dict[str, Any]
    signed: dict[str, dict[str, Any]]
    public_key_multibase: str

    def jwt(self, payload: dict[str, Any], key: Key | None = None, **headers: Any) -> str:
        key = key or self.current
        return jwt.encode(payload, key.private, algorithm="EdDSA", headers={"kid": key.id, **headers})


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    """Everything signed in one call to the reference libraries, to keep the module fast."""
    current, retired = Key(CURRENT_KEY), Key(RETIRED_KEY)
    documents: dict[str, Any] = {OB_CONTEXT_URL: ob_context(), DID: did_document(current, retired)}
    requests: dict[str, dict[str, Any]] = {
        "node list": {
            "kind": "status-list",
            "id": NODE_LIST,
            "issuer": DID,
            "revoked": [REVOKED_INDEX],
            "validFrom": "2025-01-01T00:00:00Z",
        },
        "python list": {"kind": "sign-di", "credential": status_list_credential(PYTHON_LIST, [REVOKED_INDEX])},
        "valid": {"kind": "sign-di", "credential": badge(VALID_INDEX), "created": "2025-01-02T03:04:05Z"},
        "revoked": {"kind": "sign-di", "credential": badge(REVOKED_INDEX)},
        "expired": {"kind": "sign-di", "credential": badge(VALID_INDEX, validUntil="2025-06-01T00:00:00Z")},
    }
    items: list[dict[str, Any]] = [
        {"seed": current.seed, "verificationMethod": current.id, **item} for item in requests.values()
    ]
    items.append({"kind": "sign-di", "seed": retired.seed, "verificationMethod": retired.id, "credential": badge(7)})
    results = sign_with_reference(items, documents)
    signed = {name: result["credential"] for name, result in zip([*requests, "by retired key"], results, strict=True)}
    documents[NODE_LIST] = signed.pop("node list")
    documents[PYTHON_LIST] = signed.pop("python list")
    return Issuer(current, retired, documents, signed, results[0]["publicKeyMultibase"])


def verify_one(item: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    return verify_independently([item], documents)[0]


def set_path(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


# One altered claim per row: each must break verification in both formats.
CHANGES = [
    pytest.param(("name",), "Poterie avancée", id="badge name"),
    pytest.param(("issuer", "name"), "Atelier usurpé", id="issuer name"),
    pytest.param(("credentialSubject", "achievement", "name"), "Céramique", id="achievement"),
    pytest.param(("credentialSubject", "identifier", 0, "identityHash"), "sha256$00", id="recipient"),
    pytest.param(("validFrom",), "2024-01-01T00:00:00Z", id="valid from"),
    pytest.param(("credentialStatus", "statusListIndex"), "9", id="status index"),
    pytest.param(("id",), "urn:uuid:00000000-0000-4000-8000-999999999999", id="credential id"),
    pytest.param(("evidence",), [{"id": "http://127.0.0.1:8123/e/1", "type": ["Evidence"]}], id="added evidence"),
]


def tampered_jwt(token: str, path: tuple[str | int, ...], value: Any) -> str:
    """The same token with one payload claim changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    set_path(claims, path, value)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


class TestJwt:
    def test_it_verifies_a_credential_signed_with_pyjwt(self, issuer: Issuer) -> None:
        token = issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST))

        assert verify_one({"kind": "jwt", "jwt": token}, issuer.documents) == {
            "verified": True,
            "revoked": False,
            "errors": [],
        }

    def test_it_accepts_registered_claims_that_agree_with_the_credential(self, issuer: Issuer) -> None:
        credential = badge(VALID_INDEX, status_list=PYTHON_LIST)
        claims = {"iss": DID, "jti": credential["id"], "nbf": 1735689600, "exp": 4102444800}

        result = verify_one({"kind": "jwt", "jwt": issuer.jwt({**credential, **claims})}, issuer.documents)

        assert result["verified"], result["errors"]

    @pytest.mark.parametrize(("path", "value"), CHANGES)
    def test_it_rejects_a_changed_claim(self, issuer: Issuer, path: tuple[str | int, ...], value: Any) -> None:
        token = tampered_jwt(issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST)), path, value)

        result = verify_one({"kind": "jwt", "jwt": token}, issuer.documents)

        assert result["verified"] is False
        assert any("signature verification failed" in error for error in result["errors"]), result["errors"]

    def test_it_reads_a_revoked_credential_as_revoked(self, issuer: Issuer) -> None:
        token = issuer.jwt(badge(REVOKED_INDEX, status_list=PYTHON_LIST))

        result = verify_one({"kind": "jwt", "jwt": token}, issuer.documents)

        assert result == {"verified": True, "revoked": True, "errors": []}

    def test_it_says_an_expired_credential_is_expired(self, issuer: Issuer) -> None:
        expired = badge(VALID_INDEX, status_list=PYTHON_LIST, validUntil="2025-06-01T00:00:00Z")

        result = verify_one({"kind": "jwt", "jwt": issuer.jwt(expired)}, issuer.documents)

        assert result["verified"] is False
        assert result["revoked"] is False
        assert any(error.startswith("expired") for error in result["errors"]), result["errors"]

    def test_it_still_verifies_a_credential_signed_with_a_retired_key(self, issuer: Issuer) -> None:
        token = issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST), key=issuer.retired)

        assert verify_one({"kind": "jwt", "jwt": token}, issuer.documents)["verified"] is True

    def test_it_rejects_a_signature_by_another_key_under_our_key_id(self, issuer: Issuer) -> None:
        impostor = Key(CURRENT_KEY)
        token = issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST), key=impostor)

        result = verify_one({"kind": "jwt", "jwt": token}, issuer.documents)

        assert result["verified"] is False
        assert "signature verification failed" in result["errors"]

    def test_it_rejects_a_credential_naming_another_issuer(self, issuer: Issuer) -> None:
        credential = badge(VALID_INDEX, status_list=PYTHON_LIST)
        credential["issuer"] = {**credential["issuer"], "id": OTHER_DID}

        result = verify_one({"kind": "jwt", "jwt": issuer.jwt(credential)}, issuer.documents)

        assert result["verified"] is False
        assert any("does not match the signing key's DID" in error for error in result["errors"]), result["errors"]

    def test_it_rejects_a_key_that_is_not_an_assertion_method(self, issuer: Issuer) -> None:
        documents = {**issuer.documents, DID: did_document(issuer.current, issuer.retired, assertion=[CURRENT_KEY])}
        token = issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST), key=issuer.retired)

        result = verify_one({"kind": "jwt", "jwt": token}, documents)

        assert result["verified"] is False
        assert f'verification method "{RETIRED_KEY}" is not an assertionMethod of "{DID}"' in result["errors"]

    def test_it_rejects_another_algorithm(self, issuer: Issuer) -> None:
        secret = "a shared secret of at least 32 bytes"
        token = jwt.encode(badge(VALID_INDEX), secret, algorithm="HS256", headers={"kid": CURRENT_KEY})

        result = verify_one({"kind": "jwt", "jwt": token}, issuer.documents)

        assert result == {"verified": False, "revoked": None, "errors": ['header "alg" must be "EdDSA", got "HS256"']}

    def test_it_rejects_a_registered_claim_that_contradicts_the_credential(self, issuer: Issuer) -> None:
        token = issuer.jwt({**badge(VALID_INDEX, status_list=PYTHON_LIST), "jti": "urn:uuid:another"})

        result = verify_one({"kind": "jwt", "jwt": token}, issuer.documents)

        assert result["verified"] is False
        assert any(error.startswith('claim "jti"') for error in result["errors"]), result["errors"]


class TestDataIntegrity:
    def test_it_verifies_a_credential_signed_by_the_reference_issuer(self, issuer: Issuer) -> None:
        result = verify_one({"kind": "di", "credential": issuer.signed["valid"]}, issuer.documents)

        assert result == {"verified": True, "revoked": False, "errors": []}

    def test_the_proof_has_the_shape_the_python_signer_must_produce(self, issuer: Issuer) -> None:
        proof = issuer.signed["valid"]["proof"]

        assert proof == {
            "type": "DataIntegrityProof",
            "created": "2025-01-02T03:04:05Z",
            "verificationMethod": CURRENT_KEY,
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "proofValue": proof["proofValue"],
        }
        assert proof["proofValue"].startswith("z")
        assert "@context" not in proof

    @pytest.mark.parametrize(("path", "value"), [*CHANGES, pytest.param(("proof", "created"), "2025-01-03T00:00:00Z")])
    def test_it_rejects_a_changed_claim(self, issuer: Issuer, path: tuple[str | int, ...], value: Any) -> None:
        credential = copy.deepcopy(issuer.signed["valid"])
        set_path(credential, path, value)

        result = verify_one({"kind": "di", "credential": credential}, issuer.documents)

        assert result["verified"] is False
        assert "Invalid signature." in result["errors"]

    def test_it_rejects_a_term_no_context_defines(self, issuer: Issuer) -> None:
        credential = {**issuer.signed["valid"], "nickname": "unsigned, undefined"}

        result = verify_one({"kind": "di", "credential": credential}, issuer.documents)

        assert result["verified"] is False
        assert any("Safe mode" in error and '"nickname"' in error for error in result["errors"]), result["errors"]

    def test_it_reads_a_revoked_credential_as_revoked(self, issuer: Issuer) -> None:
        result = verify_one({"kind": "di", "credential": issuer.signed["revoked"]}, issuer.documents)

        assert result == {"verified": True, "revoked": True, "errors": []}

    def test_it_says_an_expired_credential_is_expired(self, issuer: Issuer) -> None:
        result = verify_one({"kind": "di", "credential": issuer.signed["expired"]}, issuer.documents)

        assert result["verified"] is False
        assert any(error.startswith("expired") for error in result["errors"]), result["errors"]

    def test_it_still_verifies_a_credential_signed_with_a_retired_key(self, issuer: Issuer) -> None:
        result = verify_one({"kind": "di", "credential": issuer.signed["by retired key"]}, issuer.documents)

        assert result["verified"] is True, result["errors"]

    def test_it_rejects_a_key_removed_from_the_did_document(self, issuer: Issuer) -> None:
        documents = {**issuer.documents, DID: did_document(issuer.current)}

        result = verify_one({"kind": "di", "credential": issuer.signed["by retired key"]}, documents)

        assert result["verified"] is False
        assert any(RETIRED_KEY in error for error in result["errors"]), result["errors"]

    def test_it_rejects_a_status_list_changed_after_signing(self, issuer: Issuer) -> None:
        status_list = copy.deepcopy(issuer.documents[NODE_LIST])
        status_list["credentialSubject"]["encodedList"] = encoded_list([])  # "un-revoke" everyone
        documents = {**issuer.documents, NODE_LIST: status_list}

        result = verify_one({"kind": "di", "credential": issuer.signed["revoked"]}, documents)

        assert result["verified"] is False
        assert result["revoked"] is None
        assert any("status list credential" in error for error in result["errors"]), result["errors"]


class TestProtocol:
    def test_it_answers_many_items_in_order_in_one_run(self, issuer: Issuer) -> None:
        items: list[dict[str, Any]] = [
            {"kind": "di", "credential": issuer.signed["revoked"]},
            {"kind": "jwt", "jwt": issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST))},
            {"kind": "jwt", "jwt": "not.a.jwt"},
            {"kind": "pdf"},
        ]

        results = verify_independently(items, issuer.documents)

        assert [(result["verified"], result["revoked"]) for result in results] == [
            (True, True),
            (True, False),
            (False, None),
            (False, None),
        ]
        assert results[3]["errors"] == ['unknown item kind "pdf"']

    def test_it_loads_nothing_that_was_not_given(self, issuer: Issuer) -> None:
        documents = {key: value for key, value in issuer.documents.items() if key != OB_CONTEXT_URL}

        result = verify_one({"kind": "di", "credential": issuer.signed["valid"]}, documents)

        assert result["verified"] is False
        assert any(f'"{OB_CONTEXT_URL}" is not among the given documents' in e for e in result["errors"])

    def test_it_needs_a_status_list_that_was_given(self, issuer: Issuer) -> None:
        documents = {key: value for key, value in issuer.documents.items() if key != PYTHON_LIST}
        token = issuer.jwt(badge(VALID_INDEX, status_list=PYTHON_LIST))

        result = verify_one({"kind": "jwt", "jwt": token}, documents)

        assert result["verified"] is False
        assert result["revoked"] is None

    def test_it_says_how_to_install_the_packages_when_they_are_missing(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setattr(independent, "NODE_MODULES", tmp_path)

        with pytest.raises(IndependentVerifierError, match=r"npm ci"):
            verify_independently([], {})

    def test_the_python_side_writes_the_same_multikey_as_the_reference(self, issuer: Issuer) -> None:
        assert issuer.public_key_multibase == issuer.current.multibase
        assert issuer.current.multibase.startswith("z6Mk")


def pyld_canonize(document: dict[str, Any], documents: dict[str, Any]) -> str:
    """pyld's RDFC-1.0 (URDNA2015) N-Quads, with the reference packages' own context files."""
    # imported by name: pyld ships no type information
    jsonld: Any = importlib.import_module("pyld.jsonld")
    bundled = independent.NODE_MODULES / "@digitalbazaar"
    contexts = {
        "https://www.w3.org/ns/credentials/v2": bundled / "credentials-context" / "contexts" / "v2.jsonld",
        "https://w3id.org/security/data-integrity/v2": bundled
        / "data-integrity-context"
        / "contexts"
        / "data-integrity-v2.jsonld",
    }

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        known = documents[url] if url in documents else json.loads(contexts[url].read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": known}

    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    return str(jsonld.normalize(copy.deepcopy(document), options))


class TestCanonicalization:
    def test_pyld_and_the_reference_canonicalize_alike(self, issuer: Issuer) -> None:
        signed = issuer.signed["valid"]
        unsigned = {key: value for key, value in signed.items() if key != "proof"}
        # what eddsa-rdfc-2022 hashes first: the proof without its value, under the document's context
        options = {"@context": signed["@context"], **{k: v for k, v in signed["proof"].items() if k != "proofValue"}}
        samples = [unsigned, options, issuer.documents[NODE_LIST]]

        reference = canonize_with_reference(samples, issuer.documents)

        assert [pyld_canonize(sample, issuer.documents) for sample in samples] == reference
        assert '<https://schema.org/name> "Poterie : les bases" .' in reference[0]


def test_the_shared_context_copy_needs_1edtechs_fix() -> None:
    """The reference JSON-LD processor refuses the unfixed copy: why `ob_context()` applies the fix."""
    unfixed: dict[str, Any] = json.loads(independent.OB_CONTEXT_FILE.read_text(encoding="utf-8"))
    credential = {key: value for key, value in badge(VALID_INDEX).items() if key != "credentialStatus"}

    with pytest.raises(IndependentVerifierError, match="protected term"):
        canonize_with_reference([credential], {OB_CONTEXT_URL: unfixed})
    assert canonize_with_reference([credential], {OB_CONTEXT_URL: ob_context()})
