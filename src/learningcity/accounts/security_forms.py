"""Forms of the password and two-factor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from learningcity.accounts import password_reset, security


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for the address; the e-mail is sent (or not, for an unknown address) by the task worker.

    Sending in the background gives a known and an unknown address the same answer in the same time.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter the e-mail address of your account."),
            "invalid": _("Enter a valid e-mail address, such as name@example.org."),
        },
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        request = kwargs.get("request")
        client = (security.client_ip(request) or "") if request is not None else ""
        password_reset.password_reset_request(email=self.cleaned_data["email"], client=client)


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code your authenticator app shows.")},
    )

    def clean_token(self) -> str:
        token = "".join(character for character in str(self.cleaned_data["token"]) if character.isalnum())
        if not token:
            raise forms.ValidationError(_("Enter the code your authenticator app shows."))
        return token.lower()


class FirstCodeForm(TokenForm):
    """The first code from a newly added authenticator, which proves it is set up right."""

    token = forms.CharField(
        label=_("Code from your app"),
        max_length=12,
        help_text=_("The six digits your authenticator app shows for this account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
        error_messages={"required": _("Enter the six digits your authenticator app shows.")},
    )
