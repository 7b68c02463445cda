"""Forms of the voucher pages: schemes, identity and job-seeker checks, corrections, the ledger's filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.accounts.models import User
from learningcity.catalogue.models import City, District
from learningcity.credits.models import DocumentKind, EntryKind, EvidenceKind, Scheme
from learningcity.credits.selectors import LedgerFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchemeForm(forms.ModelForm[Scheme]):
    """What a coordinator sets for a scheme: names, amount, budget, validity and who is eligible."""

    class Meta:
        model = Scheme
        fields = [
            "name_fr", "name_en", "description_fr", "description_en", "amount", "budget", "valid_from",
            "valid_until", "age_min", "age_max", "job_seekers_only", "districts",
        ]  # fmt: skip
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "valid_from": DATE_INPUT,
            "valid_until": DATE_INPUT,
            "districts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = District.objects.filter(city=city)  # type: ignore[attr-defined]
        for name in ("amount", "budget"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_fr") and not data.get("name_en"):
            self.add_error("name_fr", _("Give a name in French or in English."))
        if data.get("amount") is not None and data["amount"] <= 0:
            self.add_error("amount", _("The credit per resident must be more than zero."))
        if data.get("budget") is not None and data["budget"] < 0:
            self.add_error("budget", _("The budget cannot be negative."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date must be on or after the start date."))
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", _("The maximum age must be at least the minimum age."))
        return data

    def _post_clean(self) -> None:
        # The model's clean() runs in the service, with the city and the budget already committed.
        pass

    def split(self) -> tuple[dict[str, Any], list[District]]:
        """Plain fields and the chosen districts, for the services."""
        data = dict(self.cleaned_data)
        return data, list(data.pop("districts"))


class IdentityCheckForm(forms.Form):
    """A coordinator records an identity check: whose, which kind of document, and that they saw it."""

    email = forms.EmailField(label=_("Resident's e-mail address"))
    document_kind = forms.ChoiceField(label=_("Kind of document seen"), choices=DocumentKind.choices)
    seen = forms.BooleanField(
        label=_("I have seen the original document and the person in front of me matches it"),
        error_messages={"required": _("Confirm that you have seen the original document.")},
    )
    year_of_birth = forms.IntegerField(
        label=_("Year of birth on the document"), required=False, min_value=1900,
        help_text=_("Optional: schemes for an age group use it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    district = forms.ModelChoiceField(
        label=_("District where the resident lives"), queryset=District.objects.none(), required=False,
        help_text=_("Optional: schemes grant only to residents of the city's districts."),
    )  # fmt: skip

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(city=city)  # type: ignore[attr-defined]

    def clean_year_of_birth(self) -> int | None:
        year = self.cleaned_data.get("year_of_birth")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account has this e-mail address."))
        return user


class JobSeekerForm(forms.Form):
    """A resident declares they are looking for work."""

    evidence_kind = forms.ChoiceField(label=_("Your proof"), choices=EvidenceKind.choices, widget=forms.RadioSelect)
    evidence_reference = forms.CharField(
        label=_("Reference on your proof"), max_length=64,
        help_text=_(
            "For example your job-seeker identifier. Bring the document when the city asks; "
            "we keep only this reference."
        ),
    )  # fmt: skip
    honest = forms.BooleanField(
        label=_("I declare that I am looking for work and that this information is true"),
        error_messages={"required": _("Tick the box to confirm your declaration.")},
    )


class JobSeekerDecisionForm(forms.Form):
    """A coordinator's decision on a job-seeker declaration."""

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept: the proof is valid")), ("reject", _("Do not accept"))],
    )  # fmt: skip
    valid_until = forms.DateField(
        label=_("Job-seeker status valid until"), required=False, widget=DATE_INPUT,
        help_text=_("Needed to accept: the date on the proof, or in six months at most."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note to the resident"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you do not accept: say why."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=182)


class CorrectionForm(forms.Form):
    """A coordinator corrects a balance with a new entry."""

    amount = forms.DecimalField(
        label=_("Amount (EUR)"), max_digits=10, decimal_places=2,
        help_text=_("Positive to add credit, negative (for example -5.00) to take it back."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerFilterForm(forms.Form):
    """Filters of the coordinator's ledger (GET)."""

    label_suffix = ""

    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.none(), required=False,
                                    empty_label=_("All"))  # fmt: skip
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *EntryKind.choices], required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(city=city)  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.filter(city=city)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> LedgerFilters:
        """The selector's filters (every entry when the form is empty or not valid)."""
        if not self.is_valid():
            return LedgerFilters()
        data = self.cleaned_data
        return LedgerFilters(
            scheme=data.get("scheme"), district=data.get("district"), kind=data.get("kind") or "",
            date_from=data.get("date_from"), date_to=data.get("date_to"),
        )  # fmt: skip
