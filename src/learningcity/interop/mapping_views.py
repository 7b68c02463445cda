"""The column-mapping step of a spreadsheet import: which listing field each column of the file fills.

The choice is remembered per provider and set of headings (`ColumnMapping`), so next month's file
with the same columns arrives with the same choices already made.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from learningcity.interop import permissions, services
from learningcity.interop.formats import tabular
from learningcity.interop.models import ColumnMapping, Format, ImportJob, JobStatus
from learningcity.interop.records import FileRejected

SAMPLES = 3  # sample values shown per column


class MappingForm(forms.Form):
    """One choice of listing field per column of the file."""

    label_suffix = ""

    def __init__(self, data: Any = None, *, names: list[str], initial_mapping: dict[str, str]) -> None:
        super().__init__(data)
        self.names = names
        choices = [(target, label) for target, label in tabular.TARGETS.items()]
        for index, name in enumerate(names):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name, choices=choices, required=False, initial=initial_mapping.get(name, "")
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = {name: cleaned.get(name, "") for name in self.fields}
        columns_by_target: dict[str, list[str]] = {}
        for field_name, target in chosen.items():
            if target:
                columns_by_target.setdefault(target, []).append(field_name)
        for target, field_names in columns_by_target.items():
            for field_name in field_names[1:]:
                first = self.fields[field_names[0]].label
                self.add_error(
                    field_name,
                    _("“%(target)s” is already chosen for the column “%(column)s”: choose another field or ignore.")
                    % {"target": tabular.TARGETS[target], "column": first},
                )
        if not set(columns_by_target) & set(tabular.TITLE_TARGETS):
            raise ValidationError(
                _("Choose the column that holds the title, in French or in English: every listing needs one.")
            )
        return cleaned

    def mapping(self) -> dict[str, str]:
        """Heading → target for every column ("" for ignored ones)."""
        return {name: self.cleaned_data.get(f"column_{index}", "") for index, name in enumerate(self.names)}


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """Choose what each column of an uploaded spreadsheet holds, then start the check."""
    job = get_object_or_404(ImportJob.objects.select_related("city", "organisation"), pk=job_id)
    if not permissions.can_manage_job(request.user, job):
        raise PermissionDenied(_("This import is not yours."))
    if job.status != JobStatus.QUEUED or job.format not in services.TABULAR:
        return redirect(reverse("interop:job", args=[job.pk]))
    content = bytes(job.content)
    try:
        sheets = tabular.sheet_names(content) if job.format == Format.XLSX else []
        sheet = _chosen_sheet(request, job, sheets)
        names = tabular.headings(content, job.format, sheet=sheet)
        samples = tabular.sample_rows(content, job.format, n=SAMPLES, sheet=sheet)
    except FileRejected as rejection:
        context = {"job": job, "problem": _rejection_text(rejection)}
        return render(request, "interop/mapping.html", context, status=400)
    data = request.POST if request.method == "POST" else None
    form = MappingForm(data, names=names, initial_mapping=_initial_mapping(job, names))
    if form.is_valid():
        column_mapping_save(job=job, names=names, mapping=form.mapping(), sheet=sheet)
        messages.success(request, _("Columns saved. The file is being checked: nothing is imported yet."))
        return redirect(reverse("interop:job", args=[job.pk]))
    columns = [(form[f"column_{index}"], [row[index] for row in samples if row[index]]) for index in range(len(names))]
    context = {"job": job, "form": form, "columns": columns, "sheets": sheets, "sheet": sheet}
    return render(request, "interop/mapping.html", context, status=400 if form.errors else 200)


def _chosen_sheet(request: HttpRequest, job: ImportJob, sheets: list[str]) -> str:
    """The sheet asked for (form, link, or the job's earlier choice), else the first one."""
    source = request.POST if request.method == "POST" else request.GET
    wanted = source.get("sheet") or str(job.options.get("sheet", ""))
    if wanted in sheets:
        return wanted
    return sheets[0] if sheets else ""


def _rejection_text(rejection: FileRejected) -> str:
    if rejection.line:
        return _("Line %(line)d: %(reason)s") % {"line": rejection.line, "reason": rejection.reason}
    return rejection.reason


def _initial_mapping(job: ImportJob, names: list[str]) -> dict[str, str]:
    """The provider's saved choice for these headings, else a guess from the headings themselves."""
    saved = ColumnMapping.objects.filter(
        city=job.city, organisation=job.organisation, headings_key=tabular.headings_key(names)
    ).first()
    if saved is None:
        return tabular.guess_mapping(names)
    by_normal = {tabular.normalise(heading): target for heading, target in saved.mapping.items()}
    return {name: by_normal.get(tabular.normalise(name), "") for name in names}


def column_mapping_save(*, job: ImportJob, names: list[str], mapping: dict[str, str], sheet: str = "") -> ImportJob:
    """Remember the mapping for the provider's next file, store it on the job and queue the check."""
    with transaction.atomic():
        ColumnMapping.objects.update_or_create(
            city=job.city,
            organisation=job.organisation,
            headings_key=tabular.headings_key(names),
            defaults={"headings": names, "mapping": mapping},
        )
        job.options = {**job.options, "mapping": mapping, "sheet": sheet}
        return services.job_check(job)
