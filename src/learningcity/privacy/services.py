"""Writes about personal data: consents, and erasing an account while the city's statistics stay right.

Erasure keeps the account's row as a pseudonym rather than deleting it: the credit ledger is
append-only and refers to it (PROTECT), the staff access log must keep pointing to the same
person, and registrations, feedback and festival figures count people through it. What makes a
person identifiable goes (name, e-mail address, password, roles, free text, documents); what the
"who is reached" statistics read stays (year of birth, sex, district), as does the family members'
year of birth. See docs/privacy.md.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember, User
from learningcity.privacy.models import ConsentMethod, ConsentRecord, Erasure, ErasureReason, Purpose
from learningcity.privacy.tokens import second_factors_delete, tokens_delete

ERASED_DOMAIN = "erased.invalid"  # .invalid is reserved (RFC 2606): no mail can ever go there
ERASED_NAME = "—"  # a family member's name once erased (the row keeps the year of birth for statistics)


def notice_version() -> str:
    """The version of the privacy notice in force (PRIVACY_NOTICE_VERSION)."""
    return str(settings.PRIVACY_NOTICE_VERSION)


# --- consent --------------------------------------------------------------------------------------


@transaction.atomic
def consent_give(
    *, user: User, method: str, purpose: str = Purpose.PRIVACY_NOTICE, now: datetime | None = None
) -> ConsentRecord:
    """Record that the person agrees to the current notice (giving it twice for one version keeps the first)."""
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Unknown way of giving consent.")})
    current = ConsentRecord.objects.filter(
        user=user, purpose=purpose, notice_version=notice_version(), withdrawn_at__isnull=True
    ).first()
    if current is not None:
        return current
    return ConsentRecord.objects.create(
        user=user, purpose=purpose, notice_version=notice_version(), method=method, given_at=now or timezone.now()
    )


def consent_is_current(user: Any, purpose: str = Purpose.PRIVACY_NOTICE) -> bool:
    """The person agreed to the version of the notice in force now."""
    return ConsentRecord.objects.filter(
        user_id=user.pk, purpose=purpose, notice_version=notice_version(), withdrawn_at__isnull=True
    ).exists()


# --- erasure --------------------------------------------------------------------------------------


def is_erased(user: User) -> bool:
    """The account was erased (its row is a pseudonym)."""
    return Erasure.objects.filter(user_id=user.pk).exists()


def _check_may_erase(user: User, by: Any, now: datetime) -> None:
    from learningcity.enrolment.models import ACTIVE

    if by is not None and getattr(by, "pk", None) != user.pk:
        raise PermissionDenied(_("Only the person can erase their own account."))
    if is_erased(user):
        raise ValidationError(_("This account is already erased."), code="erased")
    upcoming = user.registrations.filter(status__in=ACTIVE, session__start__gt=now)
    if upcoming.exists():
        raise ValidationError(
            _("You are registered or waiting for a session still to come: cancel it first in “My registrations”."),
            code="upcoming",
        )


def _erase_related(user: User) -> None:
    """Delete what is personal and not needed for statistics or an append-only record."""
    from learningcity.calendars.models import FeedToken
    from learningcity.credits.models import IdentityCheck, JobSeekerDeclaration
    from learningcity.enrolment.models import MessagePreference
    from learningcity.monitoring.models import Feedback, FollowUp, ReminderPreference
    from learningcity.passport.record_services import record_erase
    from learningcity.search.models import SavedSearch, SearchPreference

    record_erase(user=user)  # revokes the person's and their children's credentials, then deletes the record
    for model in (FeedToken, IdentityCheck, JobSeekerDeclaration, MessagePreference, ReminderPreference,
                  SavedSearch, SearchPreference, ConsentRecord):  # fmt: skip
        model.objects.filter(user=user).delete()
    # Ratings and outcomes stay for the statistics; what the person wrote in their own words goes.
    Feedback.objects.filter(registration__user=user).exclude(comment="").update(comment="")
    FollowUp.objects.filter(registration__user=user).exclude(comment="").update(comment="")
    tokens_delete(user)
    second_factors_delete(user)
    _forget_login_attempts(user.email)
    _forget_traces(user)
    user.memberships.all().delete()
    user.coordinated_cities.clear()
    user.groups.clear()
    user.user_permissions.clear()


def _forget_login_attempts(email: str) -> None:
    """Failed logins counted by the lockout (django-axes) hold the address typed: they go too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _forget_traces(user: User) -> None:
    """Copies of the name or address kept elsewhere: the admin's change history, queued password resets."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    for model, ids in ((User, [user.pk]), (FamilyMember, list(user.family_members.values_list("pk", flat=True)))):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=ERASED_NAME, change_message="")
    address = user.email.lower()
    resets = DBTaskResult.objects.filter(task_path__endswith=".send_password_reset_email")
    mentioning = [row.pk for row in resets.only("pk", "args_kwargs") if address in str(row.args_kwargs).lower()]
    resets.filter(pk__in=mentioning).delete()


def _erase_family(user: User, now: datetime) -> None:
    """Family members with registrations keep their year of birth under no name; the others go."""
    members = FamilyMember.objects.filter(account=user)
    members.filter(registrations__isnull=True).delete()
    for member in members:
        member.name = ERASED_NAME
        member.removed_at = member.removed_at or now
        member.save(update_fields=["name", "removed_at"])


def _pseudonymise(user: User, now: datetime) -> None:
    user.email = f"erased-{secrets.token_hex(10)}@{ERASED_DOMAIN}"
    user.display_name = user.first_name = user.last_name = ""
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.is_active = user.is_staff = user.is_superuser = False
    user.email_verified_at = user.last_login = None
    user.save()


@transaction.atomic
def person_erase(*, user: User, by: Any, reason: str = ErasureReason.SELF_SERVICE, now: datetime | None = None) -> User:
    """Erase an account and the family members it manages, all or nothing (GDPR art. 17).

    `by` is the person themself, or None for the retention command. Refused while the person holds
    or waits for a place at a session still to come (cancelling first frees it for someone else).
    """
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_erase(user, by, now)
    _erase_related(user)
    _erase_family(user, now)
    _pseudonymise(user, now)
    Erasure.objects.create(user=user, reason=reason, erased_at=now)
    return user
