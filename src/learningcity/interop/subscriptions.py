"""Calendar subscriptions: an .ics address imported again on a schedule, where the instance may fetch.

Fetching is off by default (`IMPORT_FETCH_URLS`): the platform makes no network call unless the
deployment says it may. Each refresh is an import job like an upload (its report is on the imports
page); it imports the valid events and lists the rejected ones, so one broken event in someone
else's calendar does not stop the others from being updated. The same address fetched again with
nothing changed changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue.models import Organisation
from learningcity.interop.models import Format, ImportJob, JobStatus, Subscription, TargetStatus
from learningcity.interop.pipeline import check_importer

logger = logging.getLogger(__name__)


def fetching_allowed() -> bool:
    """Whether this deployment lets the platform fetch addresses on the network."""
    return bool(settings.IMPORT_FETCH_URLS)


def subscription_create(
    *, organisation: Organisation, by: Any, url: str, target_status: str = TargetStatus.DRAFT
) -> Subscription:
    """Subscribe an organisation to a calendar address; the first fetch is queued at once."""
    from learningcity.interop import tasks

    if not fetching_allowed():
        raise ValidationError({"url": _("This instance does not fetch addresses on the network; upload the file.")})
    check_importer(city=organisation.city, organisation=organisation, by=by, target_status=target_status)
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Give an address starting with https:// or http://.")})
    if Subscription.objects.filter(organisation=organisation, url=url).exists():
        raise ValidationError({"url": _("This organisation already follows this calendar.")})
    subscription = Subscription(
        city_id=organisation.city_id,
        organisation=organisation,
        url=url,
        target_status=target_status,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    subscription.full_clean(exclude=["city", "organisation", "created_by", "last_job"], validate_constraints=False)
    subscription.save()
    transaction.on_commit(lambda: tasks.refresh_subscription.enqueue(subscription.pk))
    return subscription


def subscription_stop(subscription: Subscription, *, by: Any) -> None:
    """Stop following a calendar; what it imported stays."""
    from learningcity.interop.permissions import can_manage_subscription

    if not can_manage_subscription(by, subscription):
        raise PermissionDenied(_("This subscription is not yours."))
    subscription.active = False
    subscription.save(update_fields=["active"])


def source_of(subscription: Subscription) -> str:
    """Stable per address and organisation, so each fetch updates the listings of the previous one."""
    digest = hashlib.sha256(subscription.url.encode()).hexdigest()[:16]
    return f"ics-url:{subscription.organisation_id}:{digest}"


def fetch(url: str) -> bytes:
    """The bytes at an address, at most IMPORT_MAX_BYTES; ValidationError with the reason otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": "learningcity (calendar subscription)"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.IMPORT_FETCH_TIMEOUT) as response:  # noqa: S310
            content: bytes = response.read(settings.IMPORT_MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise ValidationError(_("The address could not be fetched: %(error)s") % {"error": error}) from error
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ValidationError(_("The calendar at this address is larger than the import limit."))
    return content


def subscription_refresh(subscription: Subscription) -> ImportJob | None:
    """Fetch the address and import it (valid events; rejected ones reported). None if it could not be fetched."""
    from learningcity.interop.services import run_job

    if not fetching_allowed():
        raise ValidationError(_("This instance does not fetch addresses on the network."))
    now = timezone.now()
    try:
        content = fetch(subscription.url)
    except ValidationError as error:
        subscription.last_checked_at = now
        subscription.last_error = " ".join(error.messages)
        subscription.save(update_fields=["last_checked_at", "last_error"])
        return None
    job = ImportJob.objects.create(
        city_id=subscription.city_id,
        organisation_id=subscription.organisation_id,
        created_by=subscription.created_by,
        format=Format.ICS,
        source=source_of(subscription),
        filename=subscription.url[:255],
        content=content,
        size=len(content),
        target_status=subscription.target_status,
        skip_rejected=True,
        status=JobStatus.IMPORTING,
    )
    job = run_job(job.pk, commit=True)
    subscription.last_checked_at = now
    subscription.last_job = job
    subscription.last_error = job.error
    subscription.save(update_fields=["last_checked_at", "last_job", "last_error"])
    return job


def refresh_all() -> int:
    """Refresh every active subscription (`learningcity import-subscriptions`, from cron); how many were fetched."""
    fetched = 0
    for subscription in Subscription.objects.filter(active=True).select_related("organisation"):
        if subscription_refresh(subscription) is not None:
            fetched += 1
    return fetched
