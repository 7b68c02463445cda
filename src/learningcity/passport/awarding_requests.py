"""Asking for an achievement: a resident sends evidence, the issuer accepts (and awards) or declines.

Either way the resident is told by e-mail (queued on commit, sent by the task worker) and sees the
decision on the achievement's page.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learningcity.passport import services
from learningcity.passport.awarding_claims import holds
from learningcity.passport.awarding_permissions import can_manage
from learningcity.passport.models import Achievement, Award, AwardMethod, AwardRequest, RequestStatus


def request_create(
    *,
    achievement: Achievement,
    user: Any,
    message: str,
    evidence_url: str = "",
    evidence: tuple[bytes, str] | None = None,
) -> AwardRequest:
    """A request with a message and evidence (a link, or a file already checked: its bytes and kind)."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not achievement.active:
        raise ValidationError(_("This achievement can no longer be awarded."))
    if holds(user, achievement):
        raise ValidationError(_("You already hold this achievement."))
    if not (message or "").strip() and not evidence_url and evidence is None:
        raise ValidationError({"message": _("Say what you did to earn it, or add evidence.")})
    with transaction.atomic():
        if AwardRequest.objects.filter(achievement=achievement, user=user, status=RequestStatus.PENDING).exists():
            raise ValidationError(_("You have already asked: the issuer has not answered yet."))
        request = AwardRequest(achievement=achievement, user=user, message=message.strip(), evidence_url=evidence_url)
        request.full_clean(exclude=["evidence_file", "award", "reviewed_by", "family_member"])
        if evidence is not None:
            data, kind = evidence
            request.evidence_file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
        request.save()
    return request


def _pending_for_update(request: AwardRequest, by: Any) -> AwardRequest:
    if not can_manage(by, request.achievement):
        raise PermissionDenied(_("Only the issuer's staff can do this."))
    locked = AwardRequest.objects.select_for_update().select_related("achievement", "user").get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been answered."))
    return locked


def evidence_of(request: AwardRequest) -> list[dict[str, str]]:
    """The request's evidence as the award's: the link or the file (served to holder and issuer), the message."""
    item: dict[str, str] = {}
    if request.evidence_url:
        item["url"] = request.evidence_url
    elif request.evidence_file:
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("passport:request-evidence", args=[request.pk])
        item["url"] = settings.SITE_URL + path
        item["name"] = _("Evidence sent with the request")
    if request.message:
        item["narrative"] = request.message
    return [item] if item else []


@transaction.atomic
def request_accept(*, request: AwardRequest, by: Any, note: str = "") -> Award:
    """Award the achievement (method `request`, the request's evidence in the credential) and tell the person."""
    request = _pending_for_update(request, by)
    try:
        award = services.award(
            request.achievement, services.Holder(user=request.user), by=by,
            method=AwardMethod.REQUEST, evidence=evidence_of(request),
        )  # fmt: skip
    except services.AwardError as error:
        raise ValidationError(str(error)) from error
    _decide(request, by, RequestStatus.ACCEPTED, note, award)
    return award


@transaction.atomic
def request_decline(*, request: AwardRequest, by: Any, note: str) -> AwardRequest:
    """Decline with a note the person reads (required: a refusal deserves a reason)."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Tell the person why, so they know what is missing.")})
    request = _pending_for_update(request, by)
    _decide(request, by, RequestStatus.DECLINED, note, None)
    return request


def _decide(request: AwardRequest, by: Any, status: str, note: str, award: Award | None) -> None:
    from learningcity.passport import awarding_tasks

    request.status = status
    request.reviewed_by = by
    request.reviewed_at = timezone.now()
    request.decision_note = (note or "").strip()[:2000]
    request.award = award
    request.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_note", "award"])
    request_id = request.pk
    transaction.on_commit(lambda: awarding_tasks.send_request_decision.enqueue(request_id))
