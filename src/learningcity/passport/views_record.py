"""The resident's learning record: the record itself, family members' records and consent, declared
learning with its evidence, providers' endorsements, and credentials imported from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.selectors import current_city
from learningcity.passport import pathways, record_files, record_selectors, record_services
from learningcity.passport import record_permissions as permissions
from learningcity.passport.forms_record import (
    KIND_CHOICES,
    ConsentForm,
    EndorsementForm,
    EntryEditForm,
    EntryForm,
    ImportForm,
    kind_filter,
)
from learningcity.passport.models import EntryKind, LearningEntry, PassportProfile
from learningcity.passport.record_selectors import AwardStatus, RecordOwner
from learningcity.service_errors import add_service_errors

ENTRIES_PER_PAGE = 50


@dataclass(frozen=True)
class EntryRow:
    """An entry as the record lists it, with its credential's status for an achievement."""

    entry: LearningEntry
    status: AwardStatus | None
    kind_label: str


@dataclass(frozen=True)
class KindLink:
    """A filter of the record by kind of entry, with how many entries it holds."""

    value: str
    label: str
    count: int
    query: str


def _member(request: HttpRequest) -> FamilyMember | None:
    """The family member whose record is asked for (`?member=`), or None for the person's own; 404 if not theirs."""
    raw = request.GET.get("member") or request.POST.get("member") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(record_selectors.family_members(request.user), pk=int(raw))


def record_url(member: FamilyMember | None) -> str:
    url = reverse("passport:record")
    return f"{url}?{urlencode({'member': member.pk})}" if member else url


def _suggestions(owner: RecordOwner) -> list[pathways.PathwayProgress]:
    city = current_city()
    if city is None:
        return []
    held = pathways.holdings(owner.user.pk, owner.member.pk if owner.member else None)
    return pathways.suggestions(city.pk, held)


def _kind_links(owner: RecordOwner, member_query: dict[str, str]) -> list[KindLink]:
    counts = record_selectors.kind_counts(owner)
    return [
        KindLink(
            value,
            str(label),
            counts.get(value, 0) if value else sum(counts.values()),
            urlencode({**member_query, **({"kind": value} if value else {})}),
        )
        for value, label in KIND_CHOICES
    ]


def _render_record(
    request: HttpRequest, owner: RecordOwner, consent_form: ConsentForm | None = None, status: int = 200
) -> HttpResponse:
    kind = kind_filter(request.GET.get("kind"))
    member_query: dict[str, str] = {"member": str(owner.member.pk)} if owner.member else {}
    context: dict[str, Any] = {
        "owner": owner, "members": list(record_selectors.family_members(owner.user)), "kind": kind,
        "member_query": urlencode(member_query),
    }  # fmt: skip
    if owner.keeps_record:
        page = Paginator(record_selectors.entries(owner, kind), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        statuses = [record_selectors.award_status(entry.award) if entry.award else None for entry in page]
        context.update(
            page=page,
            rows=[
                EntryRow(entry, state, record_selectors.kind_label(entry.kind))
                for entry, state in zip(page, statuses, strict=True)
            ],
            kinds=_kind_links(owner, member_query),
            suggestions=_suggestions(owner),
            query=urlencode({**member_query, **({"kind": kind} if kind else {})}),
        )
    if owner.member is not None:
        context["consent_form"] = consent_form or ConsentForm(name=owner.member.name)
    else:
        context["profile"] = PassportProfile.objects.filter(user=owner.user).first()
    return render(request, "passport/record/record.html", context, status=status)


@login_required
@require_GET
def record(request: HttpRequest) -> HttpResponse:
    """My learning record (or a family member's), newest first, filterable by kind."""
    owner = record_selectors.record_owner(request.user, _member(request))  # type: ignore[arg-type]
    return _render_record(request, owner)


@login_required
@require_POST
def consent(request: HttpRequest, member: int) -> HttpResponse:
    """A guardian gives, or withdraws, consent to keep a family member's record (withdrawing erases it)."""
    found = get_object_or_404(record_selectors.family_members(request.user), pk=member)
    user: Any = request.user
    if request.POST.get("action") == "withdraw":
        record_services.consent_withdraw(family_member=found, by=user)
        messages.success(request, _("Consent withdrawn: %(name)s's record is erased.") % {"name": found.name})
        return redirect(record_url(found))
    form = ConsentForm(request.POST, name=found.name)
    if not form.is_valid():
        return _render_record(request, record_selectors.record_owner(user, found), form, status=400)
    record_services.consent_give(family_member=found, by=user)
    messages.success(request, _("Thank you: the city now keeps a learning record for %(name)s.") % {"name": found.name})
    return redirect(record_url(found))


def _entry_form(request: HttpRequest, form_class: type[EntryForm], **kwargs: Any) -> EntryForm:
    city = current_city()
    return form_class(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=record_selectors.endorser_choices(city.pk if city else None),
        max_bytes=int(settings.PASSPORT_EVIDENCE_MAX_BYTES),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest) -> HttpResponse:
    """Declare learning (formal, non-formal or informal) with evidence, maybe asking a provider to endorse it."""
    user: Any = request.user
    member = _member(request)
    if not permissions.has_consent(member):
        messages.error(request, _("No learning record is kept for %(name)s yet.") % {"name": member and member.name})
        return redirect(record_url(member))
    form = _entry_form(request, EntryForm)
    if request.method == "POST" and form.is_valid():
        try:
            record_services.entry_declare(
                by=user, family_member=member, fields=form.fields_for_service(),
                evidence=form.cleaned_data.get("evidence_file"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to the record: %(title)s.") % {"title": form.cleaned_data["title"]})
            return redirect(record_url(member))
    context = {"form": form, "owner": record_selectors.record_owner(user, member), "entry": None}
    return render(request, "passport/record/entry_form.html", context, status=400 if form.errors else 200)


def _own_entry(request: HttpRequest, pk: int, kinds: tuple[str, ...]) -> LearningEntry:
    # Someone else's entry is "not found", so that ids reveal nothing.
    return get_object_or_404(
        LearningEntry.objects.select_related("family_member"), pk=pk, user_id=request.user.pk or 0, kind__in=kinds
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct declared learning (a change of what was endorsed drops the endorsement)."""
    user: Any = request.user
    entry = _own_entry(request, pk, permissions.EDITABLE_KINDS)
    initial = {
        "title": entry.title, "setting": entry.setting, "description": entry.description,
        "provider_name": entry.provider_name, "started_on": entry.started_on, "ended_on": entry.ended_on,
        "evidence_url": entry.evidence_url, "endorsement_requested_from": entry.endorsement_requested_from_id,
    }  # fmt: skip
    form = _entry_form(request, EntryEditForm, initial=initial)
    if not entry.evidence_file:
        del form.fields["remove_evidence"]
    if request.method == "POST" and form.is_valid():
        try:
            outcome = record_services.entry_update(
                entry=entry, by=user, fields=form.fields_for_service(), evidence=form.cleaned_data.get("evidence_file"),
                remove_evidence=bool(form.cleaned_data.get("remove_evidence")),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            if outcome.endorsement_dropped:
                messages.info(request, _("The entry changed, so its endorsement was removed: ask again if you wish."))
            return redirect(record_url(entry.family_member))
    context = {"form": form, "owner": record_selectors.record_owner(user, entry.family_member), "entry": entry}
    return render(request, "passport/record/entry_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove declared learning or an imported credential from the record, after confirming."""
    entry = _own_entry(request, pk, permissions.DELETABLE_KINDS)
    if request.method == "POST":
        record_services.entry_delete(entry=entry, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Removed from the record: %(title)s.") % {"title": entry.title})
        return redirect(record_url(entry.family_member))
    return render(request, "passport/record/entry_delete.html", {"entry": entry})


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence file, for the holder and the provider asked to endorse the entry only (never a public URL)."""
    entry = get_object_or_404(LearningEntry, pk=pk)
    if not entry.evidence_file or not permissions.can_see_evidence(request.user, entry):
        raise Http404
    kind = record_files.kind_of_name(entry.evidence_file.name or "")
    if kind is None:
        raise Http404
    try:
        handle = entry.evidence_file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(
        handle, content_type=kind.content_type, as_attachment=kind is record_files.PDF,
        filename=f"evidence-{entry.pk}.{kind.extension}",
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def endorsements(request: HttpRequest) -> HttpResponse:
    """Declared learning residents asked the person's organisations to endorse."""
    user: Any = request.user
    if not user.memberships.exists():
        raise PermissionDenied(_("Endorsements are for the staff of learning providers."))
    context = {
        "queue": list(record_selectors.endorsement_queue(user)),
        "endorsed": list(record_selectors.recently_endorsed(user)),
    }
    return render(request, "passport/record/endorsements.html", context)


@login_required
@require_POST
def endorsement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Endorse declared learning, or decline (the resident's request is then cleared)."""
    entry = get_object_or_404(LearningEntry, pk=pk, kind=EntryKind.DECLARED)
    if not permissions.can_endorse_entry(request.user, entry):
        raise Http404
    form = EndorsementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to endorse or to decline."))
        return redirect("passport:endorsements")
    endorse = form.cleaned_data["decision"] == "endorse"
    record_services.endorsement_decide(entry=entry, by=request.user, endorse=endorse)  # type: ignore[arg-type]
    message = _("Endorsed: %(title)s.") if endorse else _("Declined: %(title)s.")
    messages.success(request, message % {"title": entry.title})
    return redirect("passport:endorsements")


@login_required
@require_http_methods(["GET", "POST"])
def credential_import(request: HttpRequest) -> HttpResponse:
    """Add a credential issued elsewhere to the record, only once it verifies."""
    user: Any = request.user
    member = _member(request)
    if not permissions.has_consent(member):
        messages.error(request, _("No learning record is kept for %(name)s yet.") % {"name": member and member.name})
        return redirect(record_url(member))
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = record_services.credential_import(by=user, family_member=member, value=form.value())
        except ValidationError as error:  # consent withdrawn meanwhile
            add_service_errors(form, error)
        else:
            if result.entry is not None:
                messages.success(request, _("Added to the record: %(title)s.") % {"title": result.entry.title})
                return redirect(record_url(member))
    context = {"form": form, "result": result, "owner": record_selectors.record_owner(user, member)}
    failed = bool(form.errors) or result is not None
    return render(request, "passport/record/import.html", context, status=400 if failed else 200)
