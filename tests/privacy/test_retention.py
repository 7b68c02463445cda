"""Retention removes exactly what is past its period (time frozen through `now=`); a dry run changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import User
from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.interop.models import ImportJob
from learningcity.passport.models import Achievement, AwardRequest
from learningcity.privacy.cli import privacy
from learningcity.privacy.models import Erasure, StaffAccess
from learningcity.privacy.retention import retention_run
from tests.factories import World, make_user
from tests.privacy.conftest import persona

NOW = timezone.make_aware(datetime(2031, 6, 15, 12, 0))
DAY = timedelta(days=1)


def joined(email: str, *, days_ago: int, verified: bool, last_login_days_ago: int | None = None) -> User:
    user = make_user(email)
    user.date_joined = NOW - days_ago * DAY
    user.email_verified_at = user.date_joined if verified else None
    user.last_login = NOW - last_login_days_ago * DAY if last_login_days_ago is not None else None
    user.save()
    return user


@pytest.fixture
def aged(world: World, settings, tmp_path) -> World:  # type: ignore[no-untyped-def]
    """One thing just past and one just within each period (defaults: 30 days, 3 years, 90, 365, 730, 30 days)."""
    settings.MEDIA_ROOT = tmp_path
    User.objects.filter(pk__in=[u.pk for u in world.users.values() if u]).update(
        date_joined=NOW - 10 * DAY, email_verified_at=NOW - 10 * DAY, last_login=NOW - DAY
    )
    joined("unverified-old@x.test", days_ago=31, verified=False)
    joined("unverified-new@x.test", days_ago=29, verified=False)
    joined("asleep@x.test", days_ago=4 * 365, verified=True, last_login_days_ago=3 * 365 + 2)
    joined("awake@x.test", days_ago=4 * 365, verified=True, last_login_days_ago=3 * 365 - 2)
    booked = joined("booked@x.test", days_ago=4 * 365, verified=True, last_login_days_ago=4 * 365)
    coming = Session.objects.create(
        opportunity=world.published, start=NOW + 5 * DAY, end=NOW + 5 * DAY + timedelta(hours=1)
    )
    Registration.objects.create(user=booked, session=coming, created_at=NOW - 4 * 365 * DAY)
    for days in (91, 89):
        job = ImportJob.objects.create(city=world.city, format="csv", source="x", filename=f"{days}.csv",
                                       content=b"name\nAda Lovelace\n", size=20, status="done")  # fmt: skip
        ImportJob.objects.filter(pk=job.pk).update(created_at=NOW - days * DAY)
    achievement = Achievement.objects.create(city=world.city, organisation=world.org_a, name_fr="A", name_en="A",
                                             criteria_fr="c", criteria_en="c")  # fmt: skip
    for days in (366, 364):
        request = AwardRequest(achievement=achievement, user=persona(world, "resident"), status="declined",
                               reviewed_at=NOW - days * DAY, evidence_url=f"https://proof.test/{days}")  # fmt: skip
        request.evidence_file.save(f"{days}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    for days in (731, 729):
        StaffAccess.objects.create(staff=persona(world, "provider_staff"), city=world.city, what="roster",
                                   path=f"/{days}", at=NOW - days * DAY)  # fmt: skip
    for days in (31, 29):
        DBTaskResult.objects.create(status="SUCCESSFUL", args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                    backend_name="default", run_after=NOW - days * DAY,
                                    finished_at=NOW - days * DAY)  # fmt: skip
    return world


EXPECTED = {"unverified_accounts": 1, "inactive_accounts": 1, "import_files": 1, "award_evidence": 1,
            "access_log": 1, "task_results": 1}  # fmt: skip


def test_a_dry_run_counts_and_changes_nothing(aged: World) -> None:
    before = (User.objects.filter(is_active=True).count(), StaffAccess.objects.count(), DBTaskResult.objects.count())
    assert retention_run(now=NOW, dry_run=True) == EXPECTED
    assert (User.objects.filter(is_active=True).count(), StaffAccess.objects.count(),
            DBTaskResult.objects.count()) == before  # fmt: skip
    assert not Erasure.objects.exists()


def test_it_removes_exactly_what_is_past_its_period(aged: World, django_capture_on_commit_callbacks, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run(now=NOW) == EXPECTED
    remaining = set(User.objects.filter(is_active=True).values_list("email", flat=True))
    assert {"unverified-new@x.test", "awake@x.test", "booked@x.test", "alice@resident.test"} <= remaining
    assert not ({"unverified-old@x.test", "asleep@x.test"} & remaining)
    assert sorted(Erasure.objects.values_list("reason", flat=True)) == ["inactive", "unverified"]
    assert sorted(bytes(c) for c in ImportJob.objects.order_by("filename").values_list("content", flat=True)) == [
        b"", b"name\nAda Lovelace\n"]  # fmt: skip
    evidence = sorted(AwardRequest.objects.values_list("evidence_url", "evidence_file"))
    assert evidence[0] == ("", "")
    assert evidence[1][0] == "https://proof.test/364"
    assert sorted(path.name for path in (tmp_path / "passport" / "requests").iterdir()) == [
        str(evidence[1][1]).rsplit("/", 1)[-1]
    ]
    assert list(StaffAccess.objects.values_list("path", flat=True)) == ["/729"]
    assert DBTaskResult.objects.count() == 1
    assert retention_run(now=NOW) == dict.fromkeys(EXPECTED, 0), "a second run finds nothing left"


def test_periods_come_from_settings(aged: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_ACCESS_LOG_DAYS = 700
    settings.RETENTION_UNVERIFIED_DAYS = 20
    counts = retention_run(now=NOW, dry_run=True)
    assert (counts["access_log"], counts["unverified_accounts"]) == (2, 2)


def test_the_command_prints_what_it_removed_per_kind(aged: World) -> None:
    result = CliRunner().invoke(privacy, ["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "unverified_accounts: would remove" in result.output
    assert "task_results: would remove" in result.output
    assert User.objects.filter(email="unverified-old@x.test").exists()
    result = CliRunner().invoke(privacy, ["retention"])
    assert result.exit_code == 0
    assert "access_log: removed" in result.output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deployment_can_schedule_it_as_a_task() -> None:
    from django.core.management import call_command

    from learningcity.privacy.tasks import run_retention

    joined("unverified-old@x.test", days_ago=10_000, verified=False)
    result = run_retention.enqueue()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert (result.return_value or {})["unverified_accounts"] == 1
    assert not User.objects.filter(email="unverified-old@x.test").exists()
