"""Background work of the voucher scheme, run by the task worker."""

from __future__ import annotations

from django_tasks import task


@task()
def grant_scheme(run_id: int) -> dict[str, object]:
    """Credit every eligible resident of a scheme in batches, within its budget; the run keeps the report."""
    from learningcity.credits.services import grant_run_execute

    run = grant_run_execute(run_id=run_id)
    return {"status": run.status, "granted": run.granted_count, "left_without": run.left_without}
