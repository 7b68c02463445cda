"""The verify page's form: a credential pasted as text, or its file (at most 1 MB of text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from learningcity.passport.verification import MAX_CREDENTIAL_BYTES


class VerifyForm(forms.Form):
    """One credential to verify: pasted JSON or JWT, or an uploaded file."""

    credential = forms.CharField(
        label=_("Paste the credential"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Its JSON (starting with “{”) or its JWT (three parts separated by dots)."),
    )
    file = forms.FileField(
        label=_("Or choose its file"),
        required=False,
        help_text=_("A .json or .jwt file of at most 1 MB."),
    )

    def clean_credential(self) -> str:
        text: str = self.cleaned_data.get("credential") or ""
        if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The text is larger than 1 MB: a credential is much smaller."))
        return text

    def clean_file(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size is not None and upload.size > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB: a credential is much smaller."))
        content: bytes = upload.read(MAX_CREDENTIAL_BYTES + 1)
        if len(content) > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB: a credential is much smaller."))
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            raise forms.ValidationError(_("The file is not text: choose the credential's .json or .jwt file."))
        if not text.strip():
            raise forms.ValidationError(_("The file is empty."))
        return content

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        text, content = data.get("credential"), data.get("file")
        if not text and not content:
            self.add_error("credential", _("Paste a credential or choose its file."))
        elif text and content:
            self.add_error("file", _("Give one credential: paste it or choose its file, not both."))
        return data

    def value(self) -> str | bytes:
        """What to verify (after is_valid)."""
        value: str | bytes = self.cleaned_data.get("file") or self.cleaned_data["credential"]
        return value
