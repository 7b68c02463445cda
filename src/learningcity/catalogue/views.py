"""Catalogue pages: the public list and details, the provider workspace, the review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue import jsonld, permissions, selectors, services
from learningcity.catalogue.forms import FilterForm, OpportunityForm, ReviewForm, SessionForm
from learningcity.catalogue.models import Opportunity, Organisation, Status, Venue
from learningcity.service_errors import add_service_errors

PAGE_SIZE = 20


@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """The public catalogue with basic filters; pagination keeps the filters."""
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.OpportunityFilters()
    queryset = selectors.opportunity_list(filters=filters).prefetch_related("building_blocks")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "catalogue/opportunity_list.html", context)


@require_GET
def opportunity_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """One opportunity, with its sessions and schema.org JSON-LD."""
    related = Opportunity.objects.select_related("organisation", "venue", "venue__district", "city")
    # The page and its JSON-LD both read the labels and languages: fetched once each.
    related = related.prefetch_related("building_blocks", "audience_labels", "languages")
    opportunity = get_object_or_404(related, pk=pk)
    if not permissions.can_view_opportunity(request.user, opportunity):
        raise Http404
    sessions = list(selectors.upcoming_sessions(opportunity))
    context = {
        "opportunity": opportunity,
        "sessions": sessions,
        "jsonld": jsonld.opportunity_jsonld(opportunity, sessions, request),
        "can_edit": permissions.can_edit_opportunity(request.user, opportunity),
        "can_review": permissions.can_review_opportunity(request.user, opportunity),
    }
    return render(request, "catalogue/opportunity_detail.html", context)


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider and its published opportunities."""
    organisation = get_object_or_404(Organisation, pk=pk)
    queryset = selectors.opportunity_list(filters=selectors.OpportunityFilters(organisation_id=organisation.pk))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    venues = organisation.venues.select_related("district")[:50]
    context = {"organisation": organisation, "page": page, "venues": venues}
    return render(request, "catalogue/organisation_detail.html", context)


@require_GET
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A place of learning, its accessibility and what happens there."""
    venue = get_object_or_404(Venue.objects.select_related("district", "organisation"), pk=pk)
    queryset = selectors.opportunity_list(filters=selectors.OpportunityFilters(venue_id=venue.pk))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalogue/venue_detail.html", {"venue": venue, "page": page})


def _own_organisations(request: HttpRequest) -> list[Organisation]:
    user: Any = request.user
    organisations = list(Organisation.objects.filter(memberships__user=user).order_by("name"))
    if not organisations:
        raise PermissionDenied(_("This workspace is for staff of a provider organisation."))
    return organisations


@login_required
@require_GET
def provider_home(request: HttpRequest) -> HttpResponse:
    """A provider's listings, whatever their status."""
    organisations = _own_organisations(request)
    queryset = selectors.provider_opportunities(organisation_ids={o.pk for o in organisations})
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalogue/provider_home.html", {"organisations": organisations, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A provider drafts a new opportunity."""
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not permissions.is_staff_of(request.user, organisation):
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, city_id=organisation.city_id)
    if request.method == "POST" and form.is_valid():
        fields, relations = form.split()
        try:
            opportunity = services.opportunity_create(
                organisation=organisation, by=request.user, fields=fields, relations=relations
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Add its sessions, then submit it for review."))
            return redirect("catalogue:session-add", pk=opportunity.pk)
    return render(request, "catalogue/opportunity_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider edits one of their listings."""
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation"), pk=pk)
    if not permissions.can_edit_opportunity(request.user, opportunity):
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, instance=opportunity, city_id=opportunity.city_id)
    if request.method == "POST" and form.is_valid():
        fields, relations = form.split()
        try:
            services.opportunity_update(opportunity=opportunity, by=request.user, fields=fields, relations=relations)
        except ValidationError as error:
            opportunity.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalogue:provider")
    context = {"form": form, "organisation": opportunity.organisation, "opportunity": opportunity}
    return render(request, "catalogue/opportunity_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider adds a session or a repeating series."""
    opportunity = get_object_or_404(Opportunity.objects.select_related("city"), pk=pk)
    if not permissions.can_edit_opportunity(request.user, opportunity):
        raise PermissionDenied
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = timezone.make_aware(datetime.combine(data["date"], data["start_time"]))
        end = timezone.make_aware(datetime.combine(data["date"], data["end_time"]))
        try:
            created = services.session_schedule(
                opportunity=opportunity, by=request.user, first_start=start, first_end=end,
                recurrence_rule=form.recurrence_rule(), capacity=data.get("capacity"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = ngettext("%(count)d session added.", "%(count)d sessions added.", len(created))
            messages.success(request, message % {"count": len(created)})
            return redirect("catalogue:session-add", pk=opportunity.pk)
    sessions = opportunity.sessions.order_by("start")[:100]
    return render(
        request, "catalogue/session_form.html", {"form": form, "opportunity": opportunity, "sessions": sessions}
    )


@login_required
@require_POST
def opportunity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider submits a draft for review."""
    opportunity = get_object_or_404(Opportunity, pk=pk)
    try:
        services.opportunity_submit(opportunity=opportunity, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("catalogue:session-add", pk=opportunity.pk)
    messages.success(request, _("Submitted. A coordinator will review it."))
    return redirect("catalogue:provider")


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted listings waiting for a coordinator."""
    user: Any = request.user
    if not user.is_coordinator:
        raise PermissionDenied(_("The review queue is for the city's coordinators."))
    city_ids = None if user.is_superuser else list(user.coordinated_cities.values_list("pk", flat=True))
    page = Paginator(selectors.review_queue(city_ids=city_ids), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalogue/review_queue.html", {"page": page, "form": ReviewForm()})


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator publishes, sends back or archives a listing."""
    opportunity = get_object_or_404(Opportunity, pk=pk)
    if not permissions.can_review_opportunity(request.user, opportunity):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("catalogue:review")
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    try:
        if decision == "publish":
            services.opportunity_publish(opportunity=opportunity, by=request.user)
        elif decision == "return":
            services.opportunity_return(opportunity=opportunity, by=request.user, note=note)
        else:
            services.opportunity_archive(opportunity=opportunity, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        outcome = {
            Status.PUBLISHED: _("Published: %(title)s"),
            Status.DRAFT: _("Sent back to the provider: %(title)s"),
            Status.ARCHIVED: _("Archived: %(title)s"),
        }[Status(opportunity.status)]
        messages.success(request, outcome % {"title": opportunity.title})
    return redirect("catalogue:review")
