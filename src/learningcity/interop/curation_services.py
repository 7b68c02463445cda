"""Curation of the catalogue: quality, stale listings and their confirmation, duplicates and merging.

Writes run in `transaction.atomic` and check permissions themselves; reads shared by the pages and
the command line sit at the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learningcity.catalogue import permissions
from learningcity.catalogue.models import City, Opportunity, Organisation, Session, Status
from learningcity.enrolment.models import Registration
from learningcity.interop import curation_tasks, duplicates, quality
from learningcity.interop.curation_models import (
    ConfirmationRequest,
    DuplicateCandidate,
    DuplicateStatus,
    MergeRecord,
)
from learningcity.interop.models import SourceRecord
from learningcity.search import indexing

# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class ScoredListing:
    """A listing with its quality score and hints."""

    opportunity: Opportunity
    quality: quality.Quality


def with_quality_data(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Listings with what `quality.opportunity_quality` reads (venue, coming sessions, topics) loaded."""
    coming = Session.objects.filter(end__gte=timezone.now()).order_by("start")
    return queryset.select_related("venue", "organisation").prefetch_related(
        Prefetch("sessions", queryset=coming), "topics"
    )


def scored_listings(*, organisation_ids: Iterable[int]) -> list[ScoredListing]:
    """Listings of these organisations, worst score first (then oldest verification, then title)."""
    now = timezone.now()
    scored = [
        ScoredListing(opportunity=opportunity, quality=quality.opportunity_quality(opportunity, now=now))
        for opportunity in with_quality_data(
            Opportunity.objects.filter(organisation_id__in=list(organisation_ids)).exclude(status=Status.ARCHIVED)
        )
    ]
    scored.sort(key=lambda item: (item.quality.score, item.opportunity.last_verified or date.min, item.opportunity.pk))
    return scored


def organisations_for_quality(user: Any) -> QuerySet[Organisation]:
    """The providers whose quality page this person may open: their own, or every one of their cities."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    condition = Q(memberships__user=user)
    if user.is_superuser:
        condition = Q()
    elif user.is_coordinator:
        condition |= Q(city__in=user.coordinated_cities.all())
    return Organisation.objects.filter(condition).distinct().order_by("name")


def can_see_quality(user: Any, organisation: Organisation) -> bool:
    """Staff of the provider, and the city's coordinators."""
    return permissions.is_staff_of(user, organisation) or permissions.is_coordinator_of(user, organisation.city_id)


def can_see_curation(user: Any, opportunity: Opportunity) -> bool:
    """A listing's curation page: its provider's staff and the city's coordinators."""
    return permissions.is_staff_of(user, opportunity.organisation_id) or permissions.is_coordinator_of(
        user, opportunity.city_id
    )


def stale_listings(*, city: City, today: date | None = None) -> QuerySet[Opportunity]:
    """Published listings not verified for `LISTING_STALE_MONTHS` months (or never), by provider then age."""
    limit = quality.stale_before(today or timezone.localdate())
    last_asked = ConfirmationRequest.objects.filter(opportunity=OuterRef("pk")).order_by("-requested_at")
    return (
        Opportunity.objects.published()
        .filter(city=city)
        .filter(Q(last_verified__isnull=True) | Q(last_verified__lt=limit))
        .select_related("organisation")
        .annotate(last_asked=Subquery(last_asked.values("requested_at")[:1]))
        .order_by("organisation__name", "organisation_id", models.F("last_verified").asc(nulls_first=True), "pk")
    )


def duplicate_candidates(*, city: City, status: str = DuplicateStatus.OPEN) -> QuerySet[DuplicateCandidate]:
    """A city's likely duplicates in one state, most alike first."""
    return (
        DuplicateCandidate.objects.filter(city=city, status=status)
        .select_related("a__organisation", "b__organisation", "a__venue", "b__venue", "decided_by")
        .order_by("-score", "a_id", "b_id")
    )


def source_labels(opportunity_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each listing's sources as "source: id" (none: entered on the platform)."""
    labels: dict[int, list[str]] = {}
    rows = SourceRecord.objects.filter(opportunity_id__in=list(opportunity_ids)).order_by("source", "external_id")
    for opportunity_id, source, external_id in rows.values_list("opportunity_id", "source", "external_id"):
        labels.setdefault(opportunity_id, []).append(f"{source}: {external_id}")
    return labels


def registration_count(opportunity: Opportunity) -> int:
    """Registrations of any status on the listing's sessions (history counts: merging must keep it)."""
    return Registration.objects.filter(session__opportunity=opportunity).count()


# ---------------------------------------------------------------- stale listings and confirmation


@transaction.atomic
def confirmation_request(*, opportunities: list[Opportunity], by: Any) -> list[ConfirmationRequest]:
    """A coordinator asks the providers' staff to confirm listings; the e-mails leave after commit."""
    if not opportunities:
        raise ValidationError(_("Choose at least one listing to confirm."))
    for opportunity in opportunities:
        if not permissions.is_coordinator_of(by, opportunity.city_id):
            raise PermissionDenied(_("Only the city's coordinators ask providers to confirm their listings."))
        if opportunity.status != Status.PUBLISHED:
            raise ValidationError(_("“%(title)s” is not published.") % {"title": opportunity.title})
    _check_has_staff({opportunity.organisation for opportunity in opportunities})
    now = timezone.now()
    requests = ConfirmationRequest.objects.bulk_create(
        [
            ConfirmationRequest(opportunity=opportunity, requested_by=by, requested_at=now)
            for opportunity in opportunities
        ]
    )
    ids = [request.pk for request in requests]
    transaction.on_commit(lambda: curation_tasks.send_confirmation_requests.enqueue(ids))
    return requests


def _check_has_staff(organisations: set[Organisation]) -> None:
    for organisation in sorted(organisations, key=lambda o: o.name):
        if not organisation.memberships.exists():
            raise ValidationError(
                _("%(name)s has no staff account on the platform, so nobody can be asked to confirm.")
                % {"name": organisation.name}
            )


@transaction.atomic
def listing_confirm(*, opportunity: Opportunity, by: Any) -> Opportunity:
    """The provider vouches that the listing is still accurate: verified today, open requests answered."""
    if not permissions.can_edit_opportunity(by, opportunity):
        raise PermissionDenied(_("Only the provider's staff confirm its listings."))
    opportunity.last_verified = timezone.localdate()
    opportunity.save(update_fields=["last_verified"])
    opportunity.confirmation_requests.filter(confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by=by
    )
    return opportunity


# ---------------------------------------------------------------- duplicates


def find_duplicates(city: City) -> int:
    """(Re)compute a city's open likely duplicates; decisions already taken stay. Returns how many are open."""
    found = duplicates.find_matches(duplicates.load_listings(city), reference_latitude=city.latitude)
    return _store_matches(city, {(match.a, match.b): match for match in found})


@transaction.atomic
def _store_matches(city: City, matches: dict[tuple[int, int], duplicates.Match]) -> int:
    """Replace the open candidates by `matches`, leaving pairs already dismissed or merged as they are."""
    existing = {
        (candidate.a_id, candidate.b_id): candidate
        for candidate in DuplicateCandidate.objects.filter(city=city).select_for_update()
    }
    gone = [c.pk for key, c in existing.items() if c.status == DuplicateStatus.OPEN and key not in matches]
    for start in range(0, len(gone), 1000):
        DuplicateCandidate.objects.filter(pk__in=gone[start : start + 1000]).delete()
    new, changed = [], []
    for key, match in matches.items():
        candidate = existing.get(key)
        if candidate is None:
            new.append(
                DuplicateCandidate(city=city, a_id=match.a, b_id=match.b, score=match.score, reasons=match.reasons)
            )
        elif candidate.status == DuplicateStatus.OPEN:
            candidate.score, candidate.reasons = match.score, match.reasons
            changed.append(candidate)
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
    DuplicateCandidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=1000)
    return DuplicateCandidate.objects.filter(city=city, status=DuplicateStatus.OPEN).count()


def find_duplicates_command(city: City | str) -> int:
    """`learningcity curation find-duplicates`: a city (or its slug) → how many likely duplicates are open."""
    if isinstance(city, str):
        try:
            city = City.objects.get(slug=city)
        except City.DoesNotExist as error:
            raise ValidationError(_("No city has the slug “%(slug)s”.") % {"slug": city}) from error
    return find_duplicates(city)


def duplicate_search_enqueue(*, city: City, by: Any) -> None:
    """A coordinator asks for a fresh search for duplicates, run by the task worker."""
    if not permissions.is_coordinator_of(by, city.pk):
        raise PermissionDenied(_("Only the city's coordinators look for duplicates."))
    transaction.on_commit(lambda: curation_tasks.find_duplicates_task.enqueue(city.pk))


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, by: Any) -> DuplicateCandidate:
    """A coordinator decides two listings are different offers; later searches keep that decision."""
    candidate = _locked_open_candidate(candidate, by)
    candidate.status = DuplicateStatus.DISMISSED
    candidate.decided_by, candidate.decided_at = by, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate


def _locked_open_candidate(candidate: DuplicateCandidate, by: Any) -> DuplicateCandidate:
    if not permissions.is_coordinator_of(by, candidate.city_id):
        raise PermissionDenied(_("Only the city's coordinators decide on duplicates."))
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != DuplicateStatus.OPEN:
        raise ValidationError(
            _("This pair has already been decided: %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


# What a coordinator chooses between when merging: each group's fields come together from one listing,
# so that a choice can never make an impossible listing (a price from one, "free" from the other).
MERGE_GROUPS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("title_fr", gettext_lazy("Title (French)"), ("title_fr",)),
    ("title_en", gettext_lazy("Title (English)"), ("title_en",)),
    ("description_fr", gettext_lazy("Description (French)"), ("description_fr",)),
    ("description_en", gettext_lazy("Description (English)"), ("description_en",)),
    ("kind", gettext_lazy("Kind"), ("kind",)),
    ("organisation", gettext_lazy("Provider"), ("organisation",)),
    ("place", gettext_lazy("Place"), ("mode", "venue", "online_url")),
    ("ages", gettext_lazy("Ages"), ("age_min", "age_max")),
    ("cost", gettext_lazy("Cost"),
     ("is_free", "price", "reduced_price", "reduced_price_conditions_fr", "reduced_price_conditions_en")),
    ("capacity", gettext_lazy("Places"), ("capacity",)),
    ("registration", gettext_lazy("Registration"), ("registration_required", "booked_as_series")),
    ("credential", gettext_lazy("Credential"), ("credential_fr", "credential_en")),
    ("building_blocks", gettext_lazy("Building blocks"), ("building_blocks",)),
    ("topics", gettext_lazy("Topics"), ("topics",)),
    ("languages", gettext_lazy("Languages"), ("languages",)),
    ("audience_labels", gettext_lazy("Audiences"), ("audience_labels",)),
]  # fmt: skip
RELATIONS = frozenset({"building_blocks", "topics", "languages", "audience_labels"})


def raw_value(opportunity: Opportunity, name: str) -> Any:
    """A field's value as JSON: ids for links, sorted ids for many-to-many, text for decimals."""
    if name in RELATIONS:
        return sorted(getattr(opportunity, name).values_list("pk", flat=True))
    if name in {"venue", "organisation"}:
        return getattr(opportunity, f"{name}_id")
    value = getattr(opportunity, name)
    return str(value) if isinstance(value, Decimal) else value


def group_values(opportunity: Opportunity, group: str) -> list[Any]:
    """The raw values of one merge group (for telling whether two listings differ)."""
    fields = next(fields for name, _label, fields in MERGE_GROUPS if name == group)
    return [raw_value(opportunity, name) for name in fields]


def default_keep(a: Opportunity, b: Opportunity) -> Opportunity:
    """Which listing a merge keeps unless told: the one with registrations, then published, then verified last."""

    def rank(opportunity: Opportunity) -> tuple[bool, bool, date, int]:
        return (
            registration_count(opportunity) > 0,
            opportunity.status == Status.PUBLISHED,
            opportunity.last_verified or date.min,
            -opportunity.pk,
        )

    return max((a, b), key=rank)


def default_source(a: Opportunity, b: Opportunity, keep: Opportunity) -> Opportunity:
    """Where a field's value comes from unless told: the most recently verified listing (ties: the kept one)."""
    other = b if keep.pk == a.pk else a
    return other if (other.last_verified or date.min) > (keep.last_verified or date.min) else keep


@transaction.atomic
def duplicate_merge(*, candidate: DuplicateCandidate, by: Any, keep_id: int, choices: dict[str, int]) -> MergeRecord:
    """Make two listings one: `choices` maps a merge group to the id of the listing whose values win.

    The kept listing takes the chosen values, the other's sessions that do not overlap its own, and
    its source records (so re-importing either source updates the kept listing); the other is
    archived, never deleted. All or nothing; refused if the other listing has registrations.
    """
    candidate = _locked_open_candidate(candidate, by)
    pair = {o.pk: o for o in Opportunity.objects.select_for_update().filter(pk__in=[candidate.a_id, candidate.b_id])}
    if keep_id not in pair:
        raise ValidationError({"keep": _("Choose one of the two listings to keep.")})
    kept, removed = pair[keep_id], next(o for pk, o in pair.items() if pk != keep_id)
    _check_mergeable(kept, removed)
    sources = source_labels(pair)
    provenance = _apply_choices(kept, pair, choices, sources, default_source(kept, removed, kept))
    kept.last_verified = max(filter(None, [kept.last_verified, removed.last_verified]), default=None)
    kept.updated_at = timezone.now()
    kept.full_clean()
    kept.save()
    for name in RELATIONS:
        getattr(kept, name).set(provenance[name]["value"])
    moved_sessions = _move_sessions(removed, kept)
    moved_records = SourceRecord.objects.filter(opportunity=removed).update(opportunity=kept)
    _archive_merged(removed, kept)
    candidate.status, candidate.decided_by, candidate.decided_at = DuplicateStatus.MERGED, by, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    DuplicateCandidate.objects.filter(Q(a=removed) | Q(b=removed), status=DuplicateStatus.OPEN).delete()
    indexing.reindex([kept.pk, removed.pk])  # sessions moved with `update()`, which sends no signal
    return MergeRecord.objects.create(
        city_id=candidate.city_id, kept=kept, removed=removed, candidate=candidate, merged_by=by,
        provenance=provenance, moved_sessions=moved_sessions, moved_source_records=moved_records,
    )  # fmt: skip


def _check_mergeable(kept: Opportunity, removed: Opportunity) -> None:
    if Status.ARCHIVED in {kept.status, removed.status}:
        raise ValidationError(_("An archived listing cannot be merged: the pair is out of date."))
    if registration_count(removed) > 0:
        raise ValidationError(
            {"keep": _("“%(title)s” has registrations, so it cannot be archived by a merge. Keep that listing instead.")
             % {"title": removed.title}}
        )  # fmt: skip


def _apply_choices(
    kept: Opportunity, pair: dict[int, Opportunity], choices: dict[str, int], sources: dict[int, list[str]],
    default: Opportunity,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Copy each group's values from the chosen listing onto `kept`; the provenance of every field."""
    provenance: dict[str, dict[str, Any]] = {}
    for group, label, fields in MERGE_GROUPS:
        chosen_id = choices.get(group, default.pk)
        if chosen_id not in pair:
            raise ValidationError(
                {group: _("Choose which listing's %(field)s to keep.") % {"field": str(label).lower()}}
            )
        chosen = pair[chosen_id]
        for name in fields:
            value = raw_value(chosen, name)
            if name not in RELATIONS:
                attribute = f"{name}_id" if name in {"venue", "organisation"} else name
                setattr(kept, attribute, getattr(chosen, attribute))
            provenance[name] = {
                "value": value, "shown": _shown(chosen, name),
                "from_opportunity": chosen.pk, "from_source": ", ".join(sources.get(chosen.pk, [])),
            }  # fmt: skip
    if kept.organisation.city_id != kept.city_id:
        raise ValidationError({"organisation": _("The provider belongs to another city.")})
    return provenance


def _shown(opportunity: Opportunity, name: str) -> str:
    """A value as people read it (names rather than ids), kept beside the raw value in the provenance."""
    if name in RELATIONS:
        return ", ".join(sorted(str(item) for item in getattr(opportunity, name).all()))
    value = getattr(opportunity, name)
    return "" if value is None else str(value)


def _move_sessions(removed: Opportunity, kept: Opportunity) -> int:
    """Give `kept` the sessions of `removed` that overlap none of its own; the others stay with `removed`."""
    own = list(kept.sessions.values_list("start", "end"))
    moving = [
        pk for pk, start, end in removed.sessions.values_list("pk", "start", "end")
        if not any(start < other_end and other_start < end for other_start, other_end in own)
    ]  # fmt: skip
    return Session.objects.filter(pk__in=moving).update(opportunity=kept)


def _archive_merged(removed: Opportunity, kept: Opportunity) -> None:
    removed.status = Status.ARCHIVED
    removed.review_note = _("Merged into listing no. %(id)d: %(title)s") % {"id": kept.pk, "title": kept.title}
    removed.updated_at = timezone.now()
    removed.save(update_fields=["status", "review_note", "updated_at"])


def merge_records_of(opportunity: Opportunity) -> QuerySet[MergeRecord]:
    """The merges that made this listing, newest first."""
    return MergeRecord.objects.filter(kept=opportunity).select_related("removed", "merged_by")


def last_confirmation_requests(opportunity_ids: Iterable[int]) -> dict[int, Any]:
    """When each listing was last asked to be confirmed."""
    rows = (
        ConfirmationRequest.objects.filter(opportunity_id__in=list(opportunity_ids))
        .values("opportunity_id")
        .annotate(last=Max("requested_at"))
        .order_by()
    )
    return {row["opportunity_id"]: row["last"] for row in rows}
