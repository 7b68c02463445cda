"""Credentials "from elsewhere": issued by another platform with a did:key, for the tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from learningcity.passport import crypto


def signed_elsewhere(**changes: Any) -> tuple[dict[str, Any], bytes, str]:
    """A credential another platform issued with a did:key: the signed JSON, its private key, its key id."""
    private, public = crypto.generate_key()
    did = crypto.did_key(public)
    document = {
        "@context": list(crypto.CREDENTIAL_CONTEXT),
        "id": "urn:uuid:1f0e7d3c-3b0e-4a43-9b6a-2d2f3c9e4b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Another city"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Volunteer",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:8a0f1d9e-4c57-4a0b-8f7e-0e6c1c2b3d4e", "type": ["Achievement"], "name": "Volunteer",
                "description": "Helped at the food bank", "criteria": {"narrative": "Help"},
            },
        },
        **changes,
    }  # fmt: skip
    key_id = f"{did}#{did[8:]}"
    return crypto.sign_data_integrity(document, private, key_id, created=timezone.now()), private, key_id
