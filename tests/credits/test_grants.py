"""Granting a scheme's credit to every eligible resident: by the task worker, in batches, once, within budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learningcity.credits import selectors, services
from learningcity.credits.models import Account, AuditRecord, Entry, EntryKind, GrantRun, GrantStatus, Scheme
from tests.credits.conftest import coordinator, grant_now, make_scheme, resident_of
from tests.factories import World, make_city, make_user

# The worker closes and reopens database connections between tasks, as in production: real commits needed.
# Serialized rollback: the flush after each test leaves no rows a later browser test would collide with.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_it_grants_every_eligible_resident_once_through_the_worker(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    people = [resident_of(world.city, f"r{index}@resident.test") for index in range(5)]
    make_user("nowhere@resident.test")  # no district: not known to live in the city
    scheme = make_scheme(world)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.grant_run_start(scheme=scheme, by=world.users["coordinator"])
    assert DBTaskResult.objects.count() == 1, "the grant is queued, not run in the request"
    assert Account.objects.count() == 0
    run_worker()
    run.refresh_from_db()
    assert (run.status, run.granted_count, run.granted_amount) == (GrantStatus.DONE, 5, Decimal("150.00"))
    assert sorted(Account.objects.values_list("user__email", flat=True)) == sorted(p.email for p in people)
    assert set(Account.objects.values_list("balance", flat=True)) == {Decimal("30.00")}
    with django_capture_on_commit_callbacks(execute=True):
        again = services.grant_run_start(scheme=scheme, by=world.users["coordinator"])
    run_worker()
    again.refresh_from_db()
    assert (again.status, again.granted_count) == (GrantStatus.DONE, 0), "running it twice grants once"
    assert Entry.objects.filter(kind=EntryKind.GRANT).count() == 5
    scheme.refresh_from_db()
    assert scheme.committed == Decimal("150.00")
    assert AuditRecord.objects.filter(action="grant_started").count() == 2


def test_it_works_in_batches_and_re_running_a_finished_run_grants_nothing(world: World) -> None:
    for index in range(7):
        resident_of(world.city, f"r{index}@resident.test")
    scheme = make_scheme(world)
    run = grant_now(world, scheme, batch_size=2)
    assert run.granted_count == 7
    assert len(set(Entry.objects.values_list("created_at", flat=True))) == 4, "7 residents in batches of 2"
    assert services.grant_run_execute(run_id=run.pk).granted_count == 7
    assert Account.objects.count() == 7


def test_it_stops_and_reports_when_the_budget_runs_out(world: World) -> None:
    for index in range(5):
        resident_of(world.city, f"r{index}@resident.test")
    scheme = make_scheme(world, budget=Decimal("100.00"))
    run = grant_now(world, scheme, batch_size=2)
    assert (run.status, run.granted_count, run.left_without) == (GrantStatus.BUDGET_EXHAUSTED, 3, 2)
    scheme.refresh_from_db()
    assert (scheme.committed, scheme.remaining_budget) == (Decimal("90.00"), Decimal("10.00"))
    services.scheme_update(scheme=scheme, by=world.users["coordinator"], fields={"budget": Decimal("200.00")},
                           districts=[])  # fmt: skip
    assert grant_now(world, scheme).granted_count == 2, "a bigger budget lets the next run finish the job"


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, ["young@x.test", "old@x.test", "centre@x.test", "seeker@x.test", "rives@x.test"]),
        ({"age_min": 18, "age_max": 25}, ["young@x.test"]),
        ({"age_min": 60}, ["old@x.test"]),
        ({"job_seekers_only": True}, ["seeker@x.test"]),
        ({"districts": "02"}, ["rives@x.test"]),
    ],
    ids=["everyone", "18 to 25", "60 and over", "job seekers", "one district"],
)
def test_it_grants_by_criteria(world: World, criteria: dict[str, Any], expected: list[str]) -> None:
    year = timezone.localdate().year
    centre, rives = world.city.districts.order_by("code")
    resident_of(world.city, "young@x.test", year_of_birth=year - 20)
    resident_of(world.city, "old@x.test", year_of_birth=year - 70)
    resident_of(world.city, "centre@x.test")
    seeker = resident_of(world.city, "seeker@x.test")
    make_user("rives@x.test", district=rives)
    make_user("inactive@x.test", district=centre, is_active=False)
    other_city = make_city("autreville")
    make_user("elsewhere@x.test", district=other_city.districts.first())
    declaration = services.job_seeker_declare(user=seeker, city=world.city, evidence_kind="registration",
                                              evidence_reference="1234567A")  # fmt: skip
    services.job_seeker_decide(declaration=declaration, by=world.users["coordinator"], accept=True,
                               valid_until=timezone.localdate() + timedelta(days=90), note="")  # fmt: skip
    districts = [rives] if criteria.pop("districts", None) else []
    scheme = make_scheme(world, districts=districts, **criteria)
    grant_now(world, scheme)
    assert sorted(Account.objects.values_list("user__email", flat=True)) == sorted(expected)
    assert selectors.is_eligible(seeker, scheme, timezone.localdate()) == ("seeker@x.test" in expected)


def test_it_no_longer_counts_an_expired_job_seeker_status(world: World) -> None:
    seeker = resident_of(world.city, "seeker@x.test")
    declaration = services.job_seeker_declare(user=seeker, city=world.city, evidence_kind="benefit",
                                              evidence_reference="ARE-2026")  # fmt: skip
    services.job_seeker_decide(declaration=declaration, by=world.users["coordinator"], accept=True,
                               valid_until=timezone.localdate() + timedelta(days=10), note="")  # fmt: skip
    scheme = make_scheme(world, job_seekers_only=True)
    assert selectors.is_eligible(seeker, scheme, timezone.localdate())
    assert not selectors.is_eligible(seeker, scheme, timezone.localdate() + timedelta(days=11))


def test_it_refuses_to_grant_an_ended_scheme(world: World) -> None:
    scheme = make_scheme(world)
    Scheme.objects.filter(pk=scheme.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    scheme.refresh_from_db()
    with pytest.raises(ValidationError, match="has ended"):
        services.grant_run_start(scheme=scheme, by=world.users["coordinator"])
    assert GrantRun.objects.count() == 0


def test_it_refuses_a_second_grant_while_one_is_under_way(world: World) -> None:
    scheme = make_scheme(world)
    GrantRun.objects.create(scheme=scheme, started_by=coordinator(world))
    with pytest.raises(ValidationError, match="already under way"):
        services.grant_run_start(scheme=scheme, by=world.users["coordinator"])


def test_it_fixes_the_amount_once_credit_is_granted(world: World) -> None:
    resident_of(world.city, "r@x.test")
    scheme = make_scheme(world)
    grant_now(world, scheme)
    with pytest.raises(ValidationError) as refused:
        services.scheme_update(scheme=scheme, by=world.users["coordinator"], fields={"amount": Decimal(50)},
                               districts=[])  # fmt: skip
    assert "cannot change" in refused.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as refused:
        services.scheme_update(scheme=scheme, by=world.users["coordinator"], fields={"budget": Decimal(10)},
                               districts=[])  # fmt: skip
    assert "cannot be less" in refused.value.message_dict["budget"][0]
    scheme.refresh_from_db()
    assert (scheme.amount, scheme.budget) == (Decimal("30.00"), Decimal("10000.00")), "nothing half-saved"
