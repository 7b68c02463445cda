"""Curation pages: data quality for providers; stale listings and likely duplicates for coordinators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue import permissions
from learningcity.catalogue.models import Mode, Opportunity, Organisation, Status
from learningcity.interop import curation_services as services
from learningcity.interop import quality
from learningcity.interop.curation_models import DuplicateCandidate, DuplicateStatus
from learningcity.service_errors import add_service_errors

QUALITY_PAGE_SIZE = 50
STALE_PAGE_SIZE = 100
DUPLICATES_PAGE_SIZE = 20


def _coordinated_city(request: HttpRequest) -> Any:
    return permissions.coordinated_city(request.user, refusal=_("This page is for the city's coordinators."))


# ---------------------------------------------------------------- data quality


@login_required
@require_GET
def quality_index(request: HttpRequest) -> HttpResponse:
    """The providers whose listings this person may review for quality."""
    user: Any = request.user
    if not (user.memberships.exists() or user.is_coordinator):
        raise PermissionDenied(_("This page is for staff of a provider organisation and the city's coordinators."))
    organisations = services.organisations_for_quality(user).annotate(
        listings=Count("opportunities", filter=~Q(opportunities__status=Status.ARCHIVED))
    )
    page = Paginator(organisations, QUALITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interop/curation/quality_index.html", {"page": page})


@login_required
@require_GET
def quality_organisation(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """One provider's listings, worst quality first, each with what would improve it."""
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not services.can_see_quality(request.user, organisation):
        raise PermissionDenied(_("You do not work for this organisation."))
    scored = services.scored_listings(organisation_ids=[organisation.pk])
    page = Paginator(scored, QUALITY_PAGE_SIZE).get_page(request.GET.get("page"))
    average = round(sum(item.quality.score for item in scored) / len(scored)) if scored else None
    context = {
        "organisation": organisation, "page": page, "average": average, "count": len(scored),
        "can_edit": permissions.is_staff_of(request.user, organisation),
    }  # fmt: skip
    return render(request, "interop/curation/quality_organisation.html", context)


@login_required
@require_GET
def listing(request: HttpRequest, pk: int) -> HttpResponse:
    """A listing's curation record: quality, sources, confirmations asked, and the merges that made it."""
    opportunity = get_object_or_404(services.with_quality_data(Opportunity.objects.all()), pk=pk)
    if not services.can_see_curation(request.user, opportunity):
        raise PermissionDenied(_("You cannot see this listing's curation record."))
    context = {
        "opportunity": opportunity,
        "quality": quality.opportunity_quality(opportunity),
        "sources": services.source_labels([opportunity.pk]).get(opportunity.pk, []),
        "merges": [(merge, provenance_rows(merge.provenance)) for merge in services.merge_records_of(opportunity)],
        "requests": opportunity.confirmation_requests.select_related("requested_by", "confirmed_by")[:20],
        "can_edit": permissions.can_edit_opportunity(request.user, opportunity),
    }
    return render(request, "interop/curation/listing.html", context)


def provenance_rows(provenance: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A merge's provenance as table rows: the field's label, its value, and where it came from."""
    rows = []
    for name, origin in provenance.items():
        label = str(getattr(Opportunity._meta.get_field(name), "verbose_name", name)).capitalize()
        shown = Truncator(str(origin.get("shown", origin["value"]))).chars(160)
        rows.append({"label": label, "shown": shown, "from_opportunity": origin["from_opportunity"],
                     "from_source": origin["from_source"]})  # fmt: skip
    return rows


# ---------------------------------------------------------------- stale listings and confirmation


@login_required
@require_GET
def stale(request: HttpRequest) -> HttpResponse:
    """Published listings not confirmed for a long time, by provider, with buttons to ask for confirmation."""
    city = _coordinated_city(request)
    page = Paginator(services.stale_listings(city=city), STALE_PAGE_SIZE).get_page(request.GET.get("page"))
    organisation_ids = {opportunity.organisation_id for opportunity in page.object_list}
    staffed = set(
        Organisation.objects.filter(pk__in=organisation_ids, memberships__isnull=False).values_list("pk", flat=True)
    )
    context = {"page": page, "staffed": staffed, "months": settings.LISTING_STALE_MONTHS}
    return render(request, "interop/curation/stale.html", context)


@login_required
@require_POST
def stale_ask(request: HttpRequest) -> HttpResponse:
    """Ask a provider to confirm one listing, or all of its stale listings."""
    city = _coordinated_city(request)
    opportunities = _listings_to_ask(request, city)
    try:
        services.confirmation_request(opportunities=opportunities, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = sorted({opportunity.organisation.name for opportunity in opportunities})
        message = ngettext(
            "Asked %(names)s to confirm %(count)d listing.", "Asked %(names)s to confirm %(count)d listings.",
            len(opportunities),
        )  # fmt: skip
        messages.success(request, message % {"names": ", ".join(names), "count": len(opportunities)})
    return redirect("interop:curation-stale")


def _listings_to_ask(request: HttpRequest, city: Any) -> list[Opportunity]:
    def number(name: str) -> int | None:
        value = request.POST.get(name, "")
        return int(value) if value.isdigit() else None

    if (organisation_id := number("organisation")) is not None:
        return list(services.stale_listings(city=city).filter(organisation_id=organisation_id))
    if (opportunity_id := number("opportunity")) is not None:
        return list(Opportunity.objects.filter(city=city, pk=opportunity_id).select_related("organisation"))
    return []


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider confirms in one click that a listing is still accurate, or goes to edit it."""
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation", "venue"), pk=pk)
    if not permissions.can_edit_opportunity(request.user, opportunity):
        raise PermissionDenied(_("Only the provider's staff confirm its listings."))
    if request.method == "POST":
        services.listing_confirm(opportunity=opportunity, by=request.user)
        messages.success(
            request, _("Thank you: “%(title)s” is confirmed as accurate today.") % {"title": opportunity.title}
        )
        return redirect("interop:curation-confirm", pk=opportunity.pk)
    pending = opportunity.confirmation_requests.filter(confirmed_at__isnull=True).exists()
    return render(request, "interop/curation/confirm.html", {"opportunity": opportunity, "pending": pending})


# ---------------------------------------------------------------- duplicates


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """A city's likely duplicates, side by side, in one state (to decide, merged, not duplicates)."""
    city = _coordinated_city(request)
    status = request.GET.get("status", DuplicateStatus.OPEN)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.OPEN
    candidates = services.duplicate_candidates(city=city, status=status)
    page = Paginator(candidates, DUPLICATES_PAGE_SIZE).get_page(request.GET.get("page"))
    sources = services.source_labels({pk for candidate in page.object_list for pk in (candidate.a_id, candidate.b_id)})
    for candidate in page.object_list:
        candidate.explained = explain(candidate.reasons)
        candidate.a_sources = sources.get(candidate.a_id, [])
        candidate.b_sources = sources.get(candidate.b_id, [])
    context = {
        "page": page, "status": status, "statuses": DuplicateStatus.choices, "query": f"status={status}",
    }  # fmt: skip
    return render(request, "interop/curation/duplicate_list.html", context)


def explain(reasons: dict[str, Any]) -> list[str]:
    """Why a pair looks alike, in words."""
    texts = [_("Titles %(similarity)d %% alike") % {"similarity": round(reasons.get("title", 0))}]
    place = reasons.get("place")
    if place == "same_venue":
        texts.append(_("same venue"))
    elif place == "nearby":
        texts.append(_("venues %(metres)d m apart") % {"metres": reasons.get("distance_m", 0)})
    elif place == "online":
        texts.append(_("both online"))
    texts.append(_("dates overlap") if reasons.get("dates") == "overlap" else _("neither has dates"))
    return texts


@login_required
@require_POST
def duplicate_search(request: HttpRequest) -> HttpResponse:
    """Start a fresh search for duplicates in the background."""
    city = _coordinated_city(request)
    services.duplicate_search_enqueue(city=city, by=request.user)
    messages.success(
        request, _("The search for duplicates has started. Reload this page in a minute to see what it found.")
    )
    return redirect("interop:curation-duplicates")


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator decides the two listings are different offers."""
    candidate = _candidate(request, pk)
    try:
        services.duplicate_dismiss(candidate=candidate, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as not a duplicate; it will not be suggested again."))
    return redirect("interop:curation-duplicates")


def _candidate(request: HttpRequest, pk: int) -> DuplicateCandidate:
    candidate = get_object_or_404(DuplicateCandidate.objects.select_related("a", "b"), pk=pk)
    if not permissions.is_coordinator_of(request.user, candidate.city_id):
        raise PermissionDenied(_("This page is for the city's coordinators."))
    return candidate


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Two listings field by field, differences marked; the coordinator merges them or dismisses the pair."""
    candidate = _candidate(request, pk)
    a, b = _pair(candidate)
    form = MergeForm(request.POST or None, a=a, b=b) if candidate.status == DuplicateStatus.OPEN else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This pair has already been decided."))
            return redirect("interop:curation-duplicate", pk=candidate.pk)
        if form.is_valid():
            try:
                record = services.duplicate_merge(
                    candidate=candidate, by=request.user, keep_id=form.cleaned_data["keep"], choices=form.choices()
                )
            except ValidationError as error:
                aliases = {name: group for group, _label, fields in services.MERGE_GROUPS for name in fields}
                add_service_errors(form, error, aliases)
            else:
                messages.success(request, _("Merged. The other listing is archived; its sources now update this one."))
                return redirect("interop:curation-listing", pk=record.kept_id)
        a, b = _pair(candidate)
    sources = services.source_labels([a.pk, b.pk])
    context = {
        "candidate": candidate, "a": a, "b": b, "explained": explain(candidate.reasons),
        "rows": comparison_rows(a, b), "form": form,
        "a_sources": sources.get(a.pk, []), "b_sources": sources.get(b.pk, []),
        "a_registrations": services.registration_count(a), "b_registrations": services.registration_count(b),
    }  # fmt: skip
    return render(request, "interop/curation/duplicate_detail.html", context)


def _pair(candidate: DuplicateCandidate) -> tuple[Opportunity, Opportunity]:
    rows = Opportunity.objects.select_related("organisation", "venue").prefetch_related(
        "topics", "languages", "building_blocks", "audience_labels", "sessions"
    )
    pair = {o.pk: o for o in rows.filter(pk__in=[candidate.a_id, candidate.b_id])}
    return pair[candidate.a_id], pair[candidate.b_id]


def display_value(opportunity: Opportunity, group: str) -> str:
    """What a merge group holds, as a coordinator reads it."""
    o = opportunity
    shown: dict[str, Any] = {
        "kind": o.get_kind_display,
        "organisation": lambda: o.organisation.name,
        "place": lambda: _place(o),
        "ages": lambda: _("%(min)d to %(max)d years") % {"min": o.age_min, "max": o.age_max},
        "cost": lambda: _cost(o),
        "capacity": lambda: str(o.capacity) if o.capacity is not None else "",
        "registration": lambda: _registration(o),
        "credential": lambda: " / ".join(filter(None, [o.credential_fr, o.credential_en])),
    }
    if group in shown:
        return str(shown[group]())
    if group in services.RELATIONS:
        return ", ".join(sorted(str(item) for item in getattr(o, group).all()))
    return str(getattr(o, group))


def _place(o: Opportunity) -> str:
    parts = [str(o.get_mode_display())]
    if o.mode != Mode.ONLINE and o.venue is not None:
        parts.append(f"{o.venue.name}, {o.venue.address}")
    if o.online_url:
        parts.append(o.online_url)
    return " — ".join(parts)


def _cost(o: Opportunity) -> str:
    if o.is_free:
        return _("Free")
    text = _("%(price)s €") % {"price": o.price}
    if o.reduced_price is not None:
        text += " " + _("(reduced: %(price)s €)") % {"price": o.reduced_price}
    return text


def _registration(o: Opportunity) -> str:
    text = _("Registration required") if o.registration_required else _("No registration")
    return text + (", " + _("booked as one series") if o.booked_as_series else "")


def comparison_rows(a: Opportunity, b: Opportunity) -> list[dict[str, Any]]:
    """One row per merge group: its label, each listing's value, and whether they differ."""
    return [
        {"group": group, "label": label, "a": display_value(a, group), "b": display_value(b, group),
         "differs": services.group_values(a, group) != services.group_values(b, group)}
        for group, label, _fields in services.MERGE_GROUPS
    ]  # fmt: skip


class MergeForm(forms.Form):
    """Which listing to keep, and for each field that differs, whose value to keep."""

    def __init__(self, *args: Any, a: Opportunity, b: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = services.default_keep(a, b)
        source = services.default_source(a, b, keep)
        self.fields["keep"] = forms.TypedChoiceField(
            label=_("Listing to keep (the other is archived)"), widget=forms.RadioSelect, coerce=int, initial=keep.pk,
            choices=[(o.pk, _("%(letter)s: %(title)s (no. %(id)d)") % {"letter": letter, "title": o.title, "id": o.pk})
                     for letter, o in (("A", a), ("B", b))],
        )  # fmt: skip
        self.groups = [row["group"] for row in comparison_rows(a, b) if row["differs"]]
        for row in comparison_rows(a, b):
            if not row["differs"]:
                continue
            self.fields[row["group"]] = forms.TypedChoiceField(
                label=row["label"], widget=forms.RadioSelect, coerce=int, initial=source.pk, required=False,
                empty_value=None,
                choices=[(o.pk, f"{letter}: {Truncator(value or '—').chars(160)}")
                         for letter, o, value in (("A", a, row["a"]), ("B", b, row["b"]))],
            )  # fmt: skip

    def choices(self) -> dict[str, int]:
        """Merge group → id of the listing whose values to keep."""
        return {group: self.cleaned_data[group] for group in self.groups if self.cleaned_data.get(group) is not None}
