"""Show a service's `ValidationError` on the form that asked for the change, field by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def add_service_errors(form: Any, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put each error on its field (`aliases` maps a service's field name to the form's), or above the
    form when the form has no such field or the error names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_errors in error.message_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, field_errors)
