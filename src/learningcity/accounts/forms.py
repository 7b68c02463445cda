"""Forms of the account pages: sign-up and family members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy:notice"), _("Read the privacy notice")
        )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class FamilyMemberForm(forms.Form):
    """A child or relative the account holder will register for sessions."""

    name = forms.CharField(label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    year_of_birth = forms.IntegerField(
        label=_("Year of birth"),
        min_value=1900,
        help_text=_("Used only to check the age limits of what you register them for."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the person's name."))
        return name

    def clean_year_of_birth(self) -> int:
        year = int(self.cleaned_data["year_of_birth"])
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year
