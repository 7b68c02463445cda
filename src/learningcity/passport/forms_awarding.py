"""Forms of achievements and awarding; they translate HTTP input, the services hold the rules."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import Opportunity, Organisation
from learningcity.passport import awarding_csv, awarding_files
from learningcity.passport.awarding_claims import new_claim_code
from learningcity.passport.awarding_services import NewImage, RosterPerson
from learningcity.passport.models import Achievement, SkillAlignment, SkillFramework

ACHIEVEMENT_FIELDS = [
    "name_fr", "name_en", "description_fr", "description_en", "criteria_fr", "criteria_en",
    "achievement_type", "level", "valid_for_days", "opportunity", "min_sessions", "claim_code", "active",
]  # fmt: skip


class AchievementForm(forms.ModelForm):  # type: ignore[type-arg]
    """Name, description and criteria in two languages, kind, level, expiry, rule, claim code, image."""

    image_upload = forms.FileField(
        label=_("Image"), required=False, help_text=_("PNG, JPEG or SVG, at most 1 MB. Square images look best.")
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    generate_code = forms.BooleanField(
        label=_("Generate a new claim code"), required=False,
        help_text=_("People who type the code (or scan its QR code) receive the achievement."),
    )  # fmt: skip
    claim_until = forms.DateField(
        label=_("Claim code valid until (included)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Leave empty to keep the code open."),
    )  # fmt: skip

    class Meta:
        model = Achievement
        fields = ACHIEVEMENT_FIELDS
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "criteria_fr": forms.Textarea(attrs={"rows": 3}),
            "criteria_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, listings: QuerySet[Opportunity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if listings.exists():
            self.fields["opportunity"].queryset = listings  # type: ignore[attr-defined]
            self.fields["opportunity"].help_text = _(
                "Awarded automatically to whoever attends this many sessions of the listing."
            )
        else:
            del self.fields["opportunity"], self.fields["min_sessions"]
        self.fields["claim_code"].help_text = _("At least 6 characters. Leave empty for no claim code.")
        if self.instance.claim_open_until:
            self.initial["claim_until"] = timezone.localtime(self.instance.claim_open_until).date()
        if not self.instance.image:
            del self.fields["remove_image"]

    def clean_image_upload(self) -> NewImage | None:
        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return None
        data = awarding_files.read_upload(upload, awarding_files.IMAGE_MAX_BYTES)
        return NewImage(data=data, kind=awarding_files.image_kind(data))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("generate_code"):
            cleaned["claim_code"] = new_claim_code()  # written to the instance, then checked, like a typed one
        until = cleaned.get("claim_until")
        cleaned["claim_open_until"] = timezone.make_aware(datetime.combine(until, time(23, 59, 59))) if until else None
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """The achievement's own fields, as the service takes them."""
        fields = {name: self.cleaned_data[name] for name in ACHIEVEMENT_FIELDS if name in self.cleaned_data}
        fields["claim_open_until"] = self.cleaned_data.get("claim_open_until")
        return fields


class SkillForm(forms.Form):
    """One skill the achievement stands for: ESCO (its address), Formacode (5 digits) or ROME (a job code)."""

    framework = forms.ChoiceField(label=_("Framework"), required=False, choices=[("", "—"), *SkillFramework.choices])
    code = forms.CharField(
        label=_("Code or address"), required=False, max_length=300,
        help_text=_("ESCO: http://data.europa.eu/esco/skill/…; Formacode: 5 digits; ROME: e.g. K2111."),
    )  # fmt: skip
    label = forms.CharField(label=_("Label"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(name) for name in ("framework", "code", "label")]
        if not any(values):
            return cleaned
        for name in ("framework", "code", "label"):
            if not cleaned.get(name):
                self.add_error(name, _("Give the framework, the code and the label of the skill."))
        if all(values):
            try:
                SkillAlignment(framework=cleaned["framework"], code=cleaned["code"], label=cleaned["label"]).clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


SkillFormSet = forms.formset_factory(SkillForm, extra=2, max_num=20, validate_max=True, can_delete=True)


def skills_of(formset: Any) -> list[dict[str, str]]:
    """The filled, not deleted skills of a valid formset."""
    return [
        {name: form.cleaned_data[name] for name in ("framework", "code", "label")}
        for form in formset.forms
        if form.cleaned_data.get("code") and not form.cleaned_data.get("DELETE")
    ]


class HandAwardForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person's account"), max_length=254)
    narrative = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written in the credential: what the person did."),
    )  # fmt: skip
    evidence_url = forms.URLField(label=_("Evidence link (optional)"), required=False, max_length=500)


class RosterChoiceForm(forms.Form):
    session = forms.ChoiceField(label=_("Session"))

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = choices  # type: ignore[attr-defined]


class RosterAwardForm(forms.Form):
    people = forms.MultipleChoiceField(label=_("People to award"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: list[RosterPerson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.key, p.name) for p in people if p.awardable]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["people"] = [p.key for p in people if p.awardable and p.attended]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One row per person. Columns: email (required), name, note, evidence_url. Separated by , or ;."),
    )

    def clean_file(self) -> list[awarding_csv.CsvLine]:
        data = awarding_files.read_upload(self.cleaned_data["file"], awarding_csv.CSV_MAX_BYTES)
        try:
            return awarding_csv.parse(data)
        except awarding_csv.CsvRejected as error:
            raise ValidationError(str(error)) from error


class CsvAwardForm(forms.Form):
    valid_rows_only = forms.BooleanField(
        label=_("Award the valid rows and leave out the rows with errors"), required=False
    )


class ClaimForm(forms.Form):
    code = forms.CharField(label=_("Claim code"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("What did you do to earn it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence_url = forms.URLField(label=_("Evidence link (optional)"), required=False, max_length=500)
    evidence_file = forms.FileField(
        label=_("Evidence file (optional)"), required=False, help_text=_("A PDF, PNG or JPEG file.")
    )

    def clean_evidence_file(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        data = awarding_files.read_upload(upload, awarding_files.evidence_max_bytes())
        return data, awarding_files.evidence_kind(data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = (cleaned.get("message") or "").strip() or cleaned.get("evidence_url") or cleaned.get("evidence_file")
        if not self.errors and not given:
            self.add_error("message", _("Say what you did to earn it, or add evidence."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept and award the achievement")), ("decline", _("Decline"))],
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note to the person"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you decline: say what is missing."),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "decline" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Tell the person why, so they know what is missing."))
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The holder reads this, and so does anyone who checks the credential."),
    )  # fmt: skip


class EndorseForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Endorse on behalf of"), queryset=Organisation.objects.none())
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why your organisation vouches for this achievement."),
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.initial["organisation"] = organisations[0].pk


class RotateForm(forms.Form):
    issuer = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("Yes, sign from now on with a new key (credentials already issued stay valid)"),
        error_messages={"required": _("Tick the box to confirm.")},
    )
