"""Removing personal data past its period (`learningcity privacy retention`, and a task to schedule).

Each kind has its period in settings (docs/privacy.md); `now` is a parameter so tests freeze time.
A dry run counts what would go and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.privacy.models import ErasureReason, StaffAccess

FINISHED_IMPORTS = ["done", "rejected", "failed", "cancelled"]  # a job still running or waiting keeps its file


@dataclass(frozen=True)
class Kind:
    """One kind of personal data with a retention period."""

    name: str
    label: str
    find: Callable[[datetime], QuerySet[Any]]
    remove: Callable[[QuerySet[Any], datetime], int]


def _accounts(now: datetime) -> QuerySet[User]:
    """Accounts retention may erase: not yet erased, not the city's staff (administrators manage those), and
    holding or waiting for no place at a session to come (such an account is in use, whatever its last login)."""
    from learningcity.enrolment.models import ACTIVE, Registration

    upcoming = Registration.objects.filter(user=OuterRef("pk"), status__in=ACTIVE, session__start__gt=now)
    return User.objects.filter(erasure__isnull=True, is_staff=False, is_superuser=False).exclude(Exists(upcoming))


def unverified_accounts(now: datetime) -> QuerySet[User]:
    """Accounts whose e-mail address was never confirmed, opened before the period."""
    cutoff = now - timedelta(days=settings.RETENTION_UNVERIFIED_DAYS)
    return _accounts(now).filter(email_verified_at__isnull=True, date_joined__lt=cutoff)


def inactive_accounts(now: datetime) -> QuerySet[User]:
    """Confirmed accounts with no login, no registration made and no session booked within the period."""
    from learningcity.enrolment.models import Registration

    cutoff = now - timedelta(days=365 * settings.RETENTION_INACTIVE_YEARS)
    recent = Registration.objects.filter(user=OuterRef("pk")).filter(
        Q(created_at__gte=cutoff) | Q(session__start__gte=cutoff)
    )
    return (
        _accounts(now).filter(email_verified_at__isnull=False, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .exclude(Exists(recent))
    )  # fmt: skip


def _erase_each(reason: str) -> Callable[[QuerySet[User], datetime], int]:
    def remove(accounts: QuerySet[User], now: datetime) -> int:
        from learningcity.privacy.services import person_erase

        count = 0
        for user in list(accounts):
            person_erase(user=user, by=None, reason=reason, now=now)
            count += 1
        return count

    return remove


def import_files(now: datetime) -> QuerySet[Any]:
    """Uploaded import files of finished imports older than the period (the job and its report stay)."""
    from learningcity.interop.models import ImportJob

    cutoff = now - timedelta(days=settings.RETENTION_IMPORT_FILES_DAYS)
    return ImportJob.objects.filter(created_at__lt=cutoff, status__in=FINISHED_IMPORTS).exclude(content=b"")


def _empty_import_files(jobs: QuerySet[Any], now: datetime) -> int:
    return int(jobs.update(content=b""))


def award_evidence(now: datetime) -> QuerySet[Any]:
    """Evidence sent with achievement requests, once decided for longer than the period."""
    from learningcity.passport.models import AwardRequest

    cutoff = now - timedelta(days=settings.RETENTION_EVIDENCE_DAYS)
    decided = AwardRequest.objects.exclude(status="pending").filter(reviewed_at__lt=cutoff)
    return decided.filter(~Q(evidence_file="") & Q(evidence_file__isnull=False) | ~Q(evidence_url=""))


def _remove_evidence(requests: QuerySet[Any], now: datetime) -> int:
    from learningcity.passport.record_files import delete_after_commit

    rows = list(requests.values_list("pk", "evidence_file"))
    delete_after_commit([str(name) for _pk, name in rows if name])
    return int(
        requests.model.objects.filter(pk__in=[pk for pk, _name in rows]).update(evidence_file="", evidence_url="")
    )


def access_log(now: datetime) -> QuerySet[StaffAccess]:
    """Staff access log entries older than the period."""
    return StaffAccess.objects.filter(at__lt=now - timedelta(days=settings.RETENTION_ACCESS_LOG_DAYS))


def task_results(now: datetime) -> QuerySet[Any]:
    """Finished background tasks older than the period (their arguments name people by id)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now - timedelta(days=settings.RETENTION_TASK_RESULTS_DAYS)
    return DBTaskResult.objects.filter(finished_at__lt=cutoff)


def _delete(rows: QuerySet[Any], now: datetime) -> int:
    return int(rows.delete()[1].get(rows.model._meta.label, 0))


KINDS = [
    Kind("unverified_accounts", "accounts never confirmed (erased)", unverified_accounts,
         _erase_each(ErasureReason.UNVERIFIED)),
    Kind("inactive_accounts", "accounts inactive for years (erased)", inactive_accounts,
         _erase_each(ErasureReason.INACTIVE)),
    Kind("import_files", "uploaded import files (emptied)", import_files, _empty_import_files),
    Kind("award_evidence", "achievement request evidence (removed)", award_evidence, _remove_evidence),
    Kind("access_log", "staff access log entries (deleted)", access_log, _delete),
    Kind("task_results", "finished task results (deleted)", task_results, _delete),
]  # fmt: skip


def retention_run(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove what is past its period, kind by kind (each kind all or nothing); the count per kind."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for kind in KINDS:
        with transaction.atomic():
            found = kind.find(now)
            counts[kind.name] = found.count() if dry_run else kind.remove(found, now)
    return counts
