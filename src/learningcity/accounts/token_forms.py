"""The form that makes an API token."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.accounts.models import ApiScope
from learningcity.accounts.token_services import bindable_organisations


class ApiTokenForm(forms.Form):
    """Name, scopes, and optionally an organisation to act for and a last day."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “our booking website”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give only what the program needs. Public data needs no token."),
    )
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Act for"),
        queryset=None,
        required=False,
        empty_label=_("Myself"),
        help_text=_("A token for an organisation acts as its staff only, not with your other roles."),
    )
    expires_on = forms.DateField(
        label=_("Last day it works"),
        required=False,
        help_text=_("Optional. Format: YYYY-MM-DD. Leave empty for a token that works until revoked."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = self.fields["organisation"]
        organisations.queryset = bindable_organisations(user)  # type: ignore[attr-defined]
        if not organisations.queryset.exists():  # type: ignore[attr-defined]
            del self.fields["organisation"]

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name (what uses it)."))
        return name

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The last day cannot be in the past."))
        return day

    def expires_at(self) -> datetime | None:
        """The end of the last day, in the site's time zone (stored in UTC)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
