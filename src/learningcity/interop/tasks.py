"""Imports run in the task worker: the check (dry run) and the commit."""

from __future__ import annotations

from django_tasks import task


@task()
def check_import(job_id: int) -> str:
    """Dry run: what the file would create, update, leave unchanged or reject."""
    from learningcity.interop.services import run_job

    return str(run_job(job_id, commit=False).status)


@task()
def commit_import(job_id: int) -> str:
    """Write the checked file, all or nothing."""
    from learningcity.interop.services import run_job

    return str(run_job(job_id, commit=True).status)


@task()
def refresh_subscription(subscription_id: int) -> str:
    """Fetch a subscribed calendar and import it."""
    from learningcity.interop.models import Subscription
    from learningcity.interop.subscriptions import subscription_refresh

    subscription = Subscription.objects.filter(pk=subscription_id, active=True).first()
    if subscription is None:
        return "gone"
    job = subscription_refresh(subscription)
    return "unreachable" if job is None else str(job.status)
