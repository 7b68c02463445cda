"""Forms of the privacy pages: erasing one's account, filtering the access log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    """The person confirms with their password that they want their account erased."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class AccessLogFilterForm(forms.Form):
    """Filter the access log by staff member and by person concerned (e-mail addresses)."""

    staff = forms.EmailField(label=_("Staff member (e-mail)"), required=False)
    subject = forms.EmailField(label=_("Person concerned (e-mail)"), required=False)
