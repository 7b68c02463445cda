"""The upload form of the import pipeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import Organisation
from learningcity.interop.models import Format, TargetStatus
from learningcity.interop.pipeline import file_problem

AUTO = "auto"


def detect_format(filename: str, content: bytes) -> str | None:
    """The format a file most likely is, from its extension and first bytes."""
    name = filename.lower()
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith((".csv", ".tsv", ".txt")):
        return Format.CSV
    if name.endswith((".xlsx", ".xlsm")) or head.startswith(b"PK"):
        return Format.XLSX
    if name.endswith((".ics", ".ical")) or head.upper().startswith(b"BEGIN:VCALENDAR"):
        return Format.ICS
    if name.endswith(".xml") or head.startswith(b"<"):
        return Format.LHEO
    if name.endswith((".json", ".jsonl", ".geojson")) or head[:1] in {b"[", b"{"}:
        hsds_markers = (b'"service_at_locations"', b'"organization', b'"contents"', b'"schedules"')
        return Format.HSDS if any(marker in content[:200_000] for marker in hsds_markers) else Format.OPENAGENDA
    return None


class UploadForm(forms.Form):
    """A file, its format, whose listings they are and what state they start in."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, Excel, iCalendar, OpenAgenda JSON, LHÉO XML or HSDS JSON; at most %(size)d MB.")
        % {"size": settings.IMPORT_MAX_BYTES // 1_048_576},
    )
    format = forms.ChoiceField(label=_("Format"), choices=[(AUTO, _("Recognise it from the file")), *Format.choices])
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    target_status = forms.ChoiceField(label=_("Imported listings are"), choices=TargetStatus.choices)

    def __init__(self, *args: Any, organisations: list[Organisation], coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _limit_choices(self, organisations, coordinator)
        if coordinator:
            field.empty_label = _("Each row names its provider")
            field.help_text = _("Providers named in the file are matched by SIRET or name, or added.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = file_problem(upload.size, blank=upload.size == 0)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and data.get("format") == AUTO:
            upload.seek(0)
            detected = detect_format(upload.name or "", upload.read(200_000))
            upload.seek(0)
            if detected is None:
                self.add_error("format", _("The format could not be recognised: choose it in the list."))
            else:
                data["format"] = detected
        return data


class SubscriptionForm(forms.Form):
    """Follow a calendar published at an address (a library's or a museum's agenda)."""

    url = forms.URLField(
        label=_("Calendar address (.ics)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("It is fetched now, then again each time the city's scheduled refresh runs."),
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    target_status = forms.ChoiceField(label=_("Imported listings are"), choices=TargetStatus.choices)

    def __init__(self, *args: Any, organisations: list[Organisation], coordinator: bool, **kwargs: Any) -> None:
        kwargs["prefix"] = "subscription"
        super().__init__(*args, **kwargs)
        _limit_choices(self, organisations, coordinator).required = True


def _limit_choices(
    form: forms.Form, organisations: list[Organisation], coordinator: bool
) -> forms.ModelChoiceField[Organisation]:
    """The organisations one may import into; only coordinators may publish straight away."""
    field = form.fields["organisation"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")
    if not coordinator:
        field.required = True
        field.empty_label = None
        status = form.fields["target_status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [choice for choice in TargetStatus.choices if choice[0] != TargetStatus.PUBLISHED]
    return field
