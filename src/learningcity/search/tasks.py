"""Background work of the search app, run by the task worker: alerts for saved searches."""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.catalogue.models import Opportunity, Status
from learningcity.search import selectors
from learningcity.search.forms import SearchForm
from learningcity.search.models import SavedSearch, SavedSearchAlert

logger = logging.getLogger(__name__)


def saved_search_matches(saved_search: SavedSearch, opportunity: Opportunity) -> bool:
    """Whether the opportunity is among the results of the saved search (as the search page would show it)."""
    form = SearchForm(QueryDict(saved_search.query), city=opportunity.city)
    if not form.is_valid():
        return False  # a filter value that no longer exists (a deleted district...) matches nothing
    params = replace(form.params(), only=(opportunity.pk,), page=1)
    return selectors.search(opportunity.city, params, facets=False).total > 0


@task()
def send_saved_search_alerts(opportunity_id: int) -> int:
    """E-mail, once, each owner of a saved search that a newly published opportunity matches; returns e-mails sent."""
    opportunity = Opportunity.objects.select_related("city", "organisation").filter(pk=opportunity_id).first()
    if opportunity is None or opportunity.status != Status.PUBLISHED:
        return 0
    waiting = (
        SavedSearch.objects.filter(city=opportunity.city, alerts=True)
        .exclude(alerts_sent__opportunity=opportunity)
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    by_owner: dict[int, list[SavedSearch]] = defaultdict(list)
    for saved_search in waiting:
        if saved_search.user.is_active and saved_search_matches(saved_search, opportunity):
            by_owner[saved_search.user_id].append(saved_search)
    return sum(_alert(opportunity, searches) for searches in by_owner.values())


def _alert(opportunity: Opportunity, searches: list[SavedSearch]) -> int:
    """One e-mail to one owner, recorded in the same transaction: sent and recorded, or neither."""
    user = searches[0].user
    try:
        with transaction.atomic():
            SavedSearchAlert.objects.bulk_create(
                [SavedSearchAlert(saved_search=saved, opportunity=opportunity) for saved in searches]
            )
            with translation.override(user.preferred_language):
                subject, body = _message(opportunity, searches, user)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return 0  # another run announced it first
    except (smtplib.SMTPException, OSError):
        # Nothing was recorded for this owner; the others still hear of it.
        logger.exception("Saved-search alert for opportunity %s not sent to user %s", opportunity.pk, user.pk)
        return 0
    return 1


def _message(opportunity: Opportunity, searches: list[SavedSearch], user: Any) -> tuple[str, str]:
    context = {
        "user": user,
        "opportunity": opportunity,
        "searches": searches,
        "url": settings.SITE_URL + reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]),
        "manage_url": settings.SITE_URL + reverse("search:saved"),
    }
    subject = render_to_string("search/email/saved_search_alert_subject.txt", context).strip()
    return subject, render_to_string("search/email/saved_search_alert.txt", context)
