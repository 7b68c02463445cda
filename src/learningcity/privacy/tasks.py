"""Background work of the privacy app, so that a deployment can schedule retention in its task worker."""

from __future__ import annotations

from django_tasks import task

from learningcity.privacy.retention import retention_run


@task()
def run_retention() -> dict[str, int]:
    """Remove personal data past its period; returns the count per kind."""
    return retention_run()
