"""Catalogue changes reach the search index at once, inside the same transaction.

Bulk loads (`bulk_create`, the demo generator, imports) send no signals: they call
`indexing.reindex` or `indexing.rebuild` themselves.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from learningcity.catalogue.models import Opportunity, Organisation, Session, Status, Venue
from learningcity.enrolment.models import Registration
from learningcity.search import indexing
from learningcity.search.engines import engine


@receiver(post_save, sender=Opportunity, dispatch_uid="search_opportunity_saved")
def _opportunity_saved(sender: type, instance: Opportunity, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.reindex([instance.pk])


# Opportunities being deleted: their sessions' and registrations' deletions must not re-index them.
_deleting = threading.local()


def _being_deleted() -> set[int]:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    ids: set[int] = _deleting.ids
    return ids


@receiver(pre_delete, sender=Opportunity, dispatch_uid="search_opportunity_deleting")
def _opportunity_deleting(sender: type, instance: Opportunity, **kwargs: Any) -> None:
    _being_deleted().add(instance.pk)


@receiver(post_delete, sender=Opportunity, dispatch_uid="search_opportunity_deleted")
def _opportunity_deleted(sender: type, instance: Opportunity, **kwargs: Any) -> None:
    _being_deleted().discard(instance.pk)
    if instance.status == Status.PUBLISHED:
        indexing.forget(instance.pk, instance.city_id)


def _reindex_unless_deleted(opportunity_id: int | None) -> None:
    if opportunity_id is not None and opportunity_id not in _being_deleted():
        indexing.reindex([opportunity_id])


@receiver(post_save, sender=Session, dispatch_uid="search_session_saved")
@receiver(post_delete, sender=Session, dispatch_uid="search_session_deleted")
def _session_changed(sender: type, instance: Session, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _reindex_unless_deleted(instance.opportunity_id)


@receiver(post_save, sender=Registration, dispatch_uid="search_registration_saved")
@receiver(post_delete, sender=Registration, dispatch_uid="search_registration_deleted")
def _registration_changed(sender: type, instance: Registration, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    opportunity_id = Session.objects.filter(pk=instance.session_id).values_list("opportunity_id", flat=True).first()
    _reindex_unless_deleted(opportunity_id)


@receiver(post_save, sender=Venue, dispatch_uid="search_venue_saved")
def _venue_saved(sender: type, instance: Venue, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.reindex(indexing.opportunities_of(venue_id=instance.pk))


@receiver(post_save, sender=Organisation, dispatch_uid="search_organisation_saved")
def _organisation_saved(sender: type, instance: Organisation, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        indexing.reindex(indexing.opportunities_of(organisation_id=instance.pk))


def _relations_changed(sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        indexing.reindex([instance.pk])
    elif pk_set:
        indexing.reindex(pk_set)


for _field in ("building_blocks", "topics", "languages", "audience_labels"):
    m2m_changed.connect(
        _relations_changed, sender=getattr(Opportunity, _field).through, dispatch_uid=f"search_{_field}_changed"
    )


@receiver(post_migrate, dispatch_uid="search_structures")
def _install_structures(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Recreate the engine's triggers and tables if a table rebuild dropped them (SQLite)."""
    if getattr(sender, "name", "") != "learningcity.search":
        return
    from django.db import connections

    connection = connections[using]
    engine(connection).install(connection)
