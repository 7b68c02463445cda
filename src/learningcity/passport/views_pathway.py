"""Pathway pages: the city's pathways with each resident's progress, one pathway, and the builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.models import City
from learningcity.catalogue.selectors import current_city
from learningcity.passport import pathway_builder, pathways
from learningcity.passport.forms_pathway import (
    STEP_FORMS,
    AchievementStepForm,
    GroupStepForm,
    ListingStepForm,
    PathwayForm,
    PublicationForm,
    StepActionForm,
    pathway_initial,
)
from learningcity.passport.models import Award, Pathway, PathwayStep
from learningcity.passport.pathway_display import pathway_view, safe_reverse
from learningcity.service_errors import add_service_errors

PAGE_SIZE = 20


def _city() -> City:
    city = current_city()
    if city is None:
        raise Http404
    return city


@dataclass(frozen=True)
class Whose:
    """Whose progress a page shows: the person logged in, or one of their family members."""

    user_id: int
    family_member: FamilyMember | None = None

    def holdings(self) -> pathways.Holdings:
        if self.family_member is not None:
            return pathways.holdings(None, self.family_member.pk)
        return pathways.holdings(self.user_id)


def _whose(request: HttpRequest) -> Whose | None:
    """The viewer, or with ?for=<id> one of their own family members (404 for anyone else's)."""
    user: Any = request.user
    wanted = request.GET.get("for", "")
    if not user.is_authenticated:
        if wanted:
            raise Http404
        return None
    if not wanted:
        return Whose(user.pk)
    member = FamilyMember.objects.current().filter(account=user, pk=wanted).first() if wanted.isdigit() else None
    if member is None:
        raise Http404
    return Whose(user.pk, member)


@require_GET
def pathway_list(request: HttpRequest) -> HttpResponse:
    """Published pathways of the city; for a resident, their progress and the ones they could join."""
    city = _city()
    queryset = Pathway.objects.filter(city=city, published=True).select_related("organisation", "city")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    whose = _whose(request)
    held = whose.holdings() if whose else None
    context = {
        "page": page,
        "items": [pathway_view(pathway, held) for pathway in page.object_list],
        "suggestions": [pathway_view(found.pathway, held) for found in pathways.suggestions(city.pk, held)]
        if held
        else [],
        "whose": whose,
        "can_build": bool(pathway_builder.issuers_for(request.user, city)),
    }
    return render(request, "passport/pathway/list.html", context)


@require_GET
def pathway_detail(request: HttpRequest, value: UUID) -> HttpResponse:
    """One pathway: goal, steps, progress, the achievement it leads to; drafts for their builders only."""
    pathway = get_object_or_404(
        Pathway.objects.select_related("organisation", "city", "completion_achievement"), uuid=value
    )
    can_manage = pathway_builder.can_manage_pathway(request.user, pathway)
    if not pathway.published and not can_manage:
        raise Http404
    whose = _whose(request)
    view = pathway_view(pathway, whose.holdings() if whose else None)
    context = {
        "view": view,
        "whose": whose,
        "family": _family(request),
        "completion": _completion(pathway, whose),
        "achievement_url": safe_reverse("passport:achievement", pathway.completion_achievement.uuid)
        if pathway.completion_achievement
        else None,
        "can_manage": can_manage,
    }
    return render(request, "passport/pathway/detail.html", context)


def _family(request: HttpRequest) -> list[FamilyMember]:
    user: Any = request.user
    if not user.is_authenticated:
        return []
    return list(FamilyMember.objects.current().filter(account=user))


def _completion(pathway: Pathway, whose: Whose | None) -> dict[str, Any] | None:
    """The completion award the person holds, with the address of their page for it."""
    if whose is None or pathway.completion_achievement_id is None:
        return None
    awards = Award.objects.filter(achievement_id=pathway.completion_achievement_id, revoked_at__isnull=True)
    if whose.family_member is not None:
        awards = awards.filter(family_member=whose.family_member)
    else:
        awards = awards.filter(recipient_id=whose.user_id, family_member__isnull=True)
    award = awards.first()
    if award is None:
        return None
    return {"award": award, "url": safe_reverse("passport:my-credential", award.uuid)}


# The builder


def _issuers(request: HttpRequest, city: City) -> list[Any]:
    issuers = pathway_builder.issuers_for(request.user, city)
    if not issuers:
        raise PermissionDenied(_("Pathways are built by the city's coordinators and by providers' staff."))
    return issuers


def _managed(request: HttpRequest, value: UUID) -> Pathway:
    pathway = get_object_or_404(Pathway.objects.select_related("organisation", "city"), uuid=value)
    if not pathway_builder.can_manage_pathway(request.user, pathway):
        raise PermissionDenied(_("Only the issuer's staff can change this pathway."))
    return pathway


@login_required
@require_GET
def pathway_manage(request: HttpRequest) -> HttpResponse:
    """The pathways a person may build, drafts included."""
    city = _city()
    _issuers(request, city)
    items = pathway_builder.manageable_pathways(request.user, city)
    return render(request, "passport/pathway/manage.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def pathway_add(request: HttpRequest) -> HttpResponse:
    """A coordinator or provider starts a pathway (a draft)."""
    city = _city()
    form = PathwayForm(request.POST or None, city=city, issuers=_issuers(request, city))
    if request.method == "POST" and form.is_valid():
        try:
            pathway = pathway_builder.pathway_create(
                city=city, organisation=form.chosen_issuer(), by=request.user, details=form.details()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pathway saved as a draft. Now add its steps."))
            return redirect("passport:pathway-edit", value=pathway.uuid)
    return render(request, "passport/pathway/form.html", {"form": form})


def _edit_page(request: HttpRequest, pathway: Pathway, **bound: Any) -> HttpResponse:
    """The builder: details, the step tree with its actions, forms to add steps, publication."""
    search = request.GET.get("listing_q", "")[:200]
    context = {
        "pathway": pathway,
        "form": bound.get("form") or PathwayForm(initial=pathway_initial(pathway), city=pathway.city, prefix="details"),
        "achievement_form": bound.get("achievement") or AchievementStepForm(pathway=pathway, prefix="achievement"),
        "listing_form": bound.get("opportunity") or ListingStepForm(pathway=pathway, search=search, prefix="listing"),
        "group_form": bound.get("group") or GroupStepForm(pathway=pathway, prefix="group"),
        "listing_search": search,
        "view": pathway_view(pathway),
        "problems": pathway_builder.problems(pathway),
        "publication_errors": bound.get("publication_errors", []),
    }
    return render(request, "passport/pathway/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, value: UUID) -> HttpResponse:
    """Change a pathway's details (names, goal, rule, the achievement it leads to)."""
    pathway = _managed(request, value)
    if request.method == "GET":
        return _edit_page(request, pathway)
    form = PathwayForm(request.POST, initial=pathway_initial(pathway), city=pathway.city, prefix="details")
    if form.is_valid():
        try:
            credited = pathway_builder.pathway_update(pathway=pathway, by=request.user, details=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pathway saved.") + _credited_text(credited))
            return redirect("passport:pathway-edit", value=pathway.uuid)
    return _edit_page(request, pathway, form=form)


@login_required
@require_POST
def pathway_step_add(request: HttpRequest, value: UUID) -> HttpResponse:
    """Add an achievement, a listing or a group (the `kind` field says which form was sent)."""
    pathway = _managed(request, value)
    kind = request.POST.get("kind", "")
    if kind not in STEP_FORMS:
        raise Http404
    prefix = {"opportunity": "listing"}.get(kind, kind)
    form: Any = STEP_FORMS[kind](request.POST, pathway=pathway, prefix=prefix)
    if form.is_valid():
        try:
            pathway_builder.step_add(pathway=pathway, by=request.user, step=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step added."))
            return redirect("passport:pathway-edit", value=pathway.uuid)
    return _edit_page(request, pathway, **{kind: form})


@login_required
@require_POST
def pathway_step(request: HttpRequest, value: UUID, step: int) -> HttpResponse:
    """Move a step up or down, or remove it."""
    pathway = _managed(request, value)
    found = get_object_or_404(PathwayStep.objects.select_related("pathway"), pk=step, pathway=pathway)
    form = StepActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    action = form.cleaned_data["action"]
    try:
        if action == "remove":
            pathway_builder.step_remove(step=found, by=request.user)
            messages.success(request, _("Step removed."))
        else:
            pathway_builder.step_move(step=found, by=request.user, direction=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("passport:pathway-edit", value=pathway.uuid)


@login_required
@require_POST
def pathway_publish(request: HttpRequest, value: UUID) -> HttpResponse:
    """Publish (crediting those who already complete it), or withdraw from publication."""
    pathway = _managed(request, value)
    form = PublicationForm(request.POST)
    if not form.is_valid():
        raise Http404
    if form.cleaned_data["action"] == "withdraw":
        pathway_builder.pathway_withdraw(pathway=pathway, by=request.user)
        messages.success(request, _("The pathway is no longer public."))
        return redirect("passport:pathway-edit", value=pathway.uuid)
    try:
        credited = pathway_builder.pathway_publish(pathway=pathway, by=request.user)
    except ValidationError as error:
        return _edit_page(request, pathway, publication_errors=error.messages)
    messages.success(request, _("The pathway is published.") + _credited_text(credited))
    return redirect("passport:pathway", value=pathway.uuid)


def _credited_text(count: int) -> str:
    if not count:
        return ""
    return " " + ngettext(
        "%(count)s person had already completed it and was awarded its achievement.",
        "%(count)s people had already completed it and were awarded its achievement.",
        count,
    ) % {"count": count}
