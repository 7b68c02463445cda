"""The log of staff looking at other people's personal data: a decorator for pages, a middleware for the admin.

A page is logged when it answered a GET with 2xx (the view has already checked permissions); the
people concerned are read after the view ran, by a small function per kind of page below. Nothing
is logged when the only person concerned is the viewer themself (a resident reading their own
evidence, for instance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from learningcity.privacy.models import AccessKind, StaffAccess

__all__ = ["AccessKind", "AdminAccessMiddleware", "Subjects", "logs_staff_access", "staff_access_record"]

View = Callable[..., Any]


@dataclass(frozen=True)
class Subjects:
    """Whose data a page showed: the city it belongs to, the people, and what object it was."""

    city_id: int | None
    user_ids: list[int] = field(default_factory=list)
    object_ref: str = ""


Resolver = Callable[[HttpRequest, dict[str, Any]], Subjects]


def staff_access_record(*, staff: Any, what: str, subjects: Subjects, path: str) -> StaffAccess | None:
    """Write one log entry (None when the viewer is the only person concerned)."""
    others = sorted({pk for pk in subjects.user_ids if pk is not None and pk != staff.pk})
    if not others and (staff.pk in subjects.user_ids or not subjects.object_ref):
        return None
    entry = StaffAccess.objects.create(
        staff=staff, city_id=subjects.city_id, what=what, object_ref=subjects.object_ref[:100], path=path[:500],
        at=timezone.now(),
    )  # fmt: skip
    entry.subjects.add(*others)
    return entry


def logs_staff_access(what: str, resolver: Resolver) -> Callable[[View], View]:
    """Decorate a view (or an API handler) that shows other people's personal data to staff."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            status = getattr(response, "status_code", 200)  # an API handler returns its data, not a response
            if request.method == "GET" and 200 <= status < 300 and request.user.is_authenticated:
                staff_access_record(
                    staff=request.user, what=what, subjects=resolver(request, kwargs), path=request.get_full_path()
                )
            return response

        return wrapper

    return decorate


# --- who each page concerns ------------------------------------------------------------------------


def _registrants(registrations: Any) -> list[int]:
    return list(registrations.values_list("user_id", flat=True).distinct())


def session_people(request: HttpRequest, kwargs: dict[str, Any]) -> Subjects:
    """A session's roster: everyone registered, offered a place or waiting (page: `pk`, API: `session_id`)."""
    from learningcity.catalogue.models import Session
    from learningcity.enrolment.models import Registration

    session = Session.objects.select_related("opportunity").get(pk=int(kwargs.get("pk") or kwargs["session_id"]))
    people = _registrants(Registration.objects.filter(session=session))
    return Subjects(session.opportunity.city_id, people, f"session:{session.pk}")


def _coordinated_city_id(request: HttpRequest) -> int | None:
    from learningcity.catalogue.selectors import current_city

    city = current_city()
    return city.pk if city else None


def identity_check_people(request: HttpRequest, kwargs: dict[str, Any]) -> Subjects:
    """The identity checks listed (the latest 50 of the city, as the page shows)."""
    from learningcity.credits.models import IdentityCheck

    city_id = _coordinated_city_id(request)
    people = list(IdentityCheck.objects.filter(city=city_id).values_list("user_id", flat=True)[:50])
    return Subjects(city_id, people, "identity-checks")


def job_seeker_people(request: HttpRequest, kwargs: dict[str, Any]) -> Subjects:
    """Job-seeker declarations listed, or the one being decided."""
    from learningcity.credits.models import JobSeekerDeclaration

    city_id = _coordinated_city_id(request)
    declarations = JobSeekerDeclaration.objects.filter(city=city_id)
    if "pk" in kwargs:
        declarations = declarations.filter(pk=kwargs["pk"])
        return Subjects(city_id, list(declarations.values_list("user_id", flat=True)), f"declaration:{kwargs['pk']}")
    return Subjects(city_id, list(declarations.values_list("user_id", flat=True).distinct()), "job-seekers")


def credit_account_people(request: HttpRequest, kwargs: dict[str, Any]) -> Subjects:
    """One resident's credit account."""
    from learningcity.credits.models import Account

    account = Account.objects.select_related("scheme").get(pk=kwargs["pk"])
    return Subjects(account.scheme.city_id, [account.user_id], f"credit-account:{account.pk}")


def award_request_people(request: HttpRequest, kwargs: dict[str, Any]) -> Subjects:
    """The resident who asked for an achievement."""
    from learningcity.passport.models import AwardRequest

    found = AwardRequest.objects.select_related("achievement").get(pk=kwargs["pk"])
    return Subjects(found.achievement.city_id, [found.user_id], f"award-request:{found.pk}")


# --- the administration ----------------------------------------------------------------------------

ADMIN_PAGES = {"admin:accounts_user_change": "user", "admin:accounts_familymember_change": "familymember"}


def _admin_subjects(kind: str, object_id: str) -> Subjects:
    from learningcity.accounts.models import FamilyMember

    if not object_id.isdigit():
        return Subjects(None)
    if kind == "familymember":
        account_ids = list(FamilyMember.objects.filter(pk=int(object_id)).values_list("account_id", flat=True))
        return Subjects(None, account_ids, f"family-member:{object_id}")
    return Subjects(None, [int(object_id)], f"user:{object_id}")


class AdminAccessMiddleware:
    """Logs staff opening a person's page in the Django admin (which we do not otherwise change)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        kind = ADMIN_PAGES.get(match.view_name) if match else None
        if kind and request.method == "GET" and response.status_code == 200 and request.user.is_authenticated:
            subjects = _admin_subjects(kind, str(match.kwargs.get("object_id", "")))  # type: ignore[union-attr]
            staff_access_record(
                staff=request.user, what=AccessKind.ADMIN_PERSON, subjects=subjects, path=request.get_full_path()
            )
        return response


def people_of(entries: Iterable[StaffAccess]) -> dict[int, list[Any]]:
    """Each entry's people concerned, in one query (for the log page)."""
    through = StaffAccess.subjects.through.objects.filter(staffaccess_id__in=[entry.pk for entry in entries])
    people: dict[int, list[Any]] = {}
    for row in through.select_related("user"):
        people.setdefault(row.staffaccess_id, []).append(row.user)
    return people
