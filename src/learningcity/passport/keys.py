"""Issuers' signing keys: made on first use, encrypted at rest, rotated without breaking old credentials."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from learningcity.catalogue.models import City, Organisation
from learningcity.passport import crypto
from learningcity.passport.models import SigningKey


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"learningcity passport keys").derive(
        secret_key.encode("utf-8")
    )
    # The key derived from SECRET_KEY comes last: it encrypts only when no key is set, and still decrypts
    # what was encrypted before the instance set its own keys (until `reencrypt-keys` has run).
    keys = (*keys, base64.urlsafe_b64encode(derived).decode("ascii"))
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "PASSPORT_KEY_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with `learningcity passport new-encryption-key`)."
        ) from error


def fernet() -> MultiFernet:
    """The cipher for private keys: the settings' keys (first one encrypts), else one derived from SECRET_KEY."""
    return _fernet(tuple(settings.PASSPORT_KEY_ENCRYPTION_KEYS), settings.SECRET_KEY)


def new_encryption_key() -> str:
    return Fernet.generate_key().decode("ascii")


def private_key(key: SigningKey) -> bytes:
    """The raw private key, decrypted."""
    try:
        return fernet().decrypt(key.private_key_encrypted.encode("ascii"))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A signing key cannot be decrypted: PASSPORT_KEY_ENCRYPTION_KEYS (or SECRET_KEY) changed "
            "without keeping the old key in the list."
        ) from error


def _new_key(city: City, organisation: Organisation | None) -> SigningKey:
    private, public = crypto.generate_key()
    return SigningKey.objects.create(
        city=city,
        organisation=organisation,
        public_key=public,
        private_key_encrypted=fernet().encrypt(private).decode("ascii"),
    )


def current_key(city: City, organisation: Organisation | None) -> SigningKey:
    """The issuer's key that signs now, made on first use."""
    keys = SigningKey.objects.filter(city=city, organisation=organisation, retired_at__isnull=True)
    key = keys.first()
    if key is not None:
        return key
    with transaction.atomic():
        # Lock the issuer's row so that two first awards at once do not make two keys.
        locked = Organisation.objects.select_for_update() if organisation else City.objects.select_for_update()
        locked.get(pk=(organisation or city).pk)
        return keys.first() or _new_key(city, organisation)


@transaction.atomic
def rotate(city: City, organisation: Organisation | None) -> SigningKey:
    """Retire the issuer's current key (it stays published, so what it signed still verifies) and make a new one."""
    SigningKey.objects.filter(city=city, organisation=organisation, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    return _new_key(city, organisation)


def reencrypt_all() -> int:
    """Encrypt every private key again with the first settings key (after adding a new one); the count."""
    count = 0
    cipher = fernet()
    for key in SigningKey.objects.all():
        key.private_key_encrypted = cipher.rotate(key.private_key_encrypted.encode("ascii")).decode("ascii")
        key.save(update_fields=["private_key_encrypted"])
        count += 1
    return count
