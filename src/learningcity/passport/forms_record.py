"""Forms of the learning record: declared learning, consent, import, erasing, endorsement answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from learningcity.catalogue.models import Organisation
from learningcity.passport.models import EntryKind, LearningSetting
from learningcity.passport.record_files import KINDS
from learningcity.passport.verification import MAX_CREDENTIAL_BYTES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    """Learning a resident declares: what, how, where or with whom, when, and the evidence."""

    label_suffix = ""

    title = forms.CharField(label=_("What you learned"), max_length=200)
    setting = forms.ChoiceField(
        label=_("How you learned it"), choices=LearningSetting.choices, widget=forms.RadioSelect,
        initial=LearningSetting.NON_FORMAL,
    )  # fmt: skip
    description = forms.CharField(
        label=_("Details"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you did and what you can do now."),
    )  # fmt: skip
    provider_name = forms.CharField(label=_("Where or with whom"), required=False, max_length=200)
    started_on = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)
    evidence_file = forms.FileField(
        label=_("Evidence: a file"), required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(kind.content_type for kind in KINDS)}),
    )  # fmt: skip
    evidence_url = forms.URLField(
        label=_("Evidence: a link"), required=False, max_length=500, assume_scheme="https",
        help_text=_("A web page that shows the work, for example."),
    )  # fmt: skip
    endorsement_requested_from = forms.ModelChoiceField(
        label=_("Ask this provider to endorse it"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("Nobody"),
        help_text=_("The provider sees this entry and its evidence, and can vouch for it."),
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["endorsement_requested_from"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        self.fields["evidence_file"].help_text = _("A PDF or an image (PNG, JPEG, GIF, WebP), up to %(size)s.") % {
            "size": filesizeformat(max_bytes)
        }

    def fields_for_service(self) -> dict[str, Any]:
        """The content fields, named as the model's (call after is_valid)."""
        skipped = ("evidence_file", "remove_evidence")
        return {name: value for name, value in self.cleaned_data.items() if name not in skipped}


class EntryEditForm(EntryForm):
    """The same, with a choice to remove the evidence file already sent."""

    remove_evidence = forms.BooleanField(label=_("Remove the file sent before"), required=False)

    field_order = [
        "title", "setting", "description", "provider_name", "started_on", "ended_on",
        "evidence_file", "remove_evidence", "evidence_url", "endorsement_requested_from",
    ]  # fmt: skip


class ConsentForm(forms.Form):
    """A guardian's explicit agreement (an unticked box says nothing)."""

    label_suffix = ""

    agree = forms.BooleanField(
        label=_("I agree"), error_messages={"required": _("Tick the box to say that you agree.")}
    )

    def __init__(self, *args: Any, name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = _(
            "I agree that the city keeps a learning record and credentials for %(name)s."
        ) % {"name": name}


class ImportForm(forms.Form):
    """A credential issued elsewhere: pasted (JSON or JWT) or as a file."""

    label_suffix = ""

    text = forms.CharField(
        label=_("Paste the credential"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("The JSON of an Open Badges 3.0 credential, or its JWT."),
    )  # fmt: skip
    file = forms.FileField(label=_("Or choose its file"), required=False, help_text=_("Up to 1 MB."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload is not None and upload.size is not None and upload.size > MAX_CREDENTIAL_BYTES:
            self.add_error("file", _("The file is larger than 1 MB: it is not a credential."))
        elif upload is not None and text:
            self.add_error("text", _("Paste the credential or choose a file, not both."))
        elif upload is None and not text:
            self.add_error("text", _("Paste a credential (JSON or JWT) or choose its file."))
        return data

    def value(self) -> str | bytes:
        """What to verify (call after is_valid)."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return b"".join(upload.chunks())
        return str(self.cleaned_data["text"])


class EraseForm(forms.Form):
    label_suffix = ""

    confirm = forms.BooleanField(
        label=_("I understand: my learning record is deleted for good and my credentials are revoked."),
        error_messages={"required": _("Tick the box to confirm that you want to erase everything.")},
    )


class EndorsementForm(forms.Form):
    decision = forms.ChoiceField(choices=[("endorse", _("Endorse")), ("decline", _("Decline"))])


KIND_CHOICES = [
    ("", pgettext_lazy("learning record filter", "Everything")),
    (EntryKind.ATTENDED, pgettext_lazy("learning record filter", "Sessions attended")),
    (EntryKind.AWARD, pgettext_lazy("learning record filter", "Achievements")),
    (EntryKind.DECLARED, pgettext_lazy("learning record filter", "Declared learning")),
    (EntryKind.IMPORTED, pgettext_lazy("learning record filter", "Credentials from elsewhere")),
]


def kind_filter(value: str | None) -> str:
    """The kind of entries asked for, or "" (everything) for anything unknown."""
    return value if value in EntryKind.values else ""
