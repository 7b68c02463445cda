"""Attendance fills learning records and awards achievements earned by rule."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from learningcity.accounts.signals import family_member_removing
from learningcity.enrolment.models import Registration
from learningcity.enrolment.signals import attendance_recorded
from learningcity.passport.models import EntryKind, GuardianConsent, LearningEntry, LearningSetting

logger = logging.getLogger(__name__)


@receiver(attendance_recorded)
def record_attendance(sender: Any, session: Any, registration_ids: list[int], **kwargs: Any) -> None:
    """One record entry per person who attended (removed if attendance is corrected), then rule awards."""
    from learningcity.passport import pathways, services

    rows = list(
        Registration.objects.filter(pk__in=registration_ids, group_name="").select_related(
            "session__opportunity__organisation", "user", "family_member"
        )
    )
    consented = set(
        GuardianConsent.objects.filter(
            family_member_id__in=[row.family_member_id for row in rows if row.family_member_id],
            withdrawn_at__isnull=True,
        ).values_list("family_member_id", flat=True)
    )
    # No record is kept for a child whose guardian has not agreed to it.
    present = [
        row for row in rows if row.attended and (row.family_member_id is None or row.family_member_id in consented)
    ]
    absent = [row.pk for row in rows if not row.attended]
    with transaction.atomic():
        LearningEntry.objects.filter(registration_id__in=absent, kind=EntryKind.ATTENDED).delete()
        existing = set(LearningEntry.objects.filter(registration__in=present).values_list("registration_id", flat=True))
        LearningEntry.objects.bulk_create(
            [
                LearningEntry(
                    user=row.user,
                    family_member=row.family_member,
                    kind=EntryKind.ATTENDED,
                    setting=LearningSetting.NON_FORMAL,
                    title=str(row.session.opportunity),
                    provider_name=row.session.opportunity.organisation.name,
                    started_on=timezone.localtime(row.session.start).date(),
                    ended_on=timezone.localtime(row.session.end or row.session.start).date(),
                    registration=row,
                )
                for row in present
                if row.pk not in existing
            ]
        )
    for row in present:
        holder = services.Holder(user=row.user, family_member=row.family_member)
        try:
            services.award_by_rule(holder)
        except services.AwardError as error:  # e.g. a child without the guardian's consent: no award, no failure
            logger.info("No rule award for registration %s: %s", row.pk, error)
        pathways.after_attendance(
            None if row.family_member_id else row.user_id, row.family_member_id, session.opportunity.city_id
        )


@receiver(family_member_removing)
def erase_removed_family_member(sender: Any, member: Any, by: Any, **kwargs: Any) -> None:
    """A child taken off the family list keeps no learning record here: as if consent were withdrawn."""
    from learningcity.passport import record_services

    record_services.consent_withdraw(family_member=member, by=by)
