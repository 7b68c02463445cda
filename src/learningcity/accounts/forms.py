"""Sign-up form for residents."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from learningcity.accounts.models import User


class SignupForm(BaseUserCreationForm[User]):
    """A resident opens an account with an e-mail address."""

    privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used to run my registrations."),
        required=True,
    )

    class Meta:
        model = User
        fields = ["email", "display_name", "preferred_language"]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email
