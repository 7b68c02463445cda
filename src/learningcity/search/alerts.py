"""When an opportunity becomes published, queue the alerts of the saved searches it may match.

The catalogue's publish service sends no signal of its own, so this watches saves of
`Opportunity`: the status before the save is read in `pre_save`, and a change to "published"
(or a creation as published) queues `tasks.send_saved_search_alerts` once the transaction
commits, so the worker never reads a publication that was rolled back. Bulk loads send no
signals and queue nothing. An edit of a listing that stays published queues nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from learningcity.catalogue.models import Opportunity, Status
from learningcity.search.models import SavedSearch

_WAS_PUBLISHED = "_search_alerts_was_published"


@receiver(pre_save, sender=Opportunity, dispatch_uid="search_alerts_status_before")
def _remember_status(sender: type, instance: Opportunity, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.status != Status.PUBLISHED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        setattr(instance, _WAS_PUBLISHED, True)
        return
    before = (
        Opportunity.objects.filter(pk=instance.pk).values_list("status", flat=True).first() if instance.pk else None
    )
    setattr(instance, _WAS_PUBLISHED, before == Status.PUBLISHED)


@receiver(post_save, sender=Opportunity, dispatch_uid="search_alerts_published")
def _queue_alerts(sender: type, instance: Opportunity, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.status != Status.PUBLISHED or getattr(instance, _WAS_PUBLISHED, True):
        return
    setattr(instance, _WAS_PUBLISHED, True)
    opportunity_id, city_id = instance.pk, instance.city_id
    transaction.on_commit(lambda: alerts_enqueue(opportunity_id=opportunity_id, city_id=city_id))


def alerts_enqueue(*, opportunity_id: int, city_id: int) -> bool:
    """Queue the alerts of a newly published opportunity, if anyone in its city wants alerts."""
    from learningcity.search import tasks

    if not SavedSearch.objects.filter(city_id=city_id, alerts=True).exists():
        return False
    tasks.send_saved_search_alerts.enqueue(opportunity_id)
    return True
