"""API tokens a person made, found by shape: the API clients app may or may not be installed.

A token model is any model named "...Token" with a foreign key to the user (the calendar feed token
is handled by name elsewhere). Secrets are never exported: fields whose name says digest, hash,
secret or key are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models

SECRET_WORDS = ("digest", "hash", "secret", "key", "prefix")


def _owner_field(model: type[models.Model]) -> str | None:
    from learningcity.accounts.models import User

    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model is User and field.name in {"user", "owner"}:
            return field.name
    return None


def token_models() -> Iterator[tuple[type[models.Model], str]]:
    """(model, name of the field naming its owner) for every API token model installed."""
    for model in apps.get_models():
        if (model._meta.object_name or "").endswith("Token") and model._meta.app_label != "calendars":
            owner = _owner_field(model)
            if owner:
                yield model, owner


def _value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    return str(value)


def tokens_export(user: Any) -> list[dict[str, Any]]:
    """Each token's non-secret fields (name, scopes, dates...)."""
    rows = []
    for model, owner in token_models():
        names = [
            field.attname for field in model._meta.concrete_fields
            if field.name != owner and not any(word in field.name.lower() for word in SECRET_WORDS)
        ]  # fmt: skip
        for token in model._default_manager.filter(**{owner: user}):
            rows.append({"kind": model._meta.label, **{name: _value(getattr(token, name)) for name in names}})
    return rows


def tokens_delete(user: Any) -> int:
    """Delete the person's API tokens (they stop working at once)."""
    return sum(model._default_manager.filter(**{owner: user}).delete()[0] for model, owner in token_models())


def second_factors_delete(user: Any) -> int:
    """The person's two-factor devices (django-otp's apps), when the instance has them."""
    count = 0
    for model in apps.get_models():
        if model._meta.app_label.startswith("otp_") and _owner_field(model) == "user":
            count += model._default_manager.filter(user=user).delete()[0]
    return count
