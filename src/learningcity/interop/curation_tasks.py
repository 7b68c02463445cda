"""Background work of curation, run by the task worker: confirmation e-mails, the search for duplicates."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.catalogue.models import City, Organisation


@task()
def send_confirmation_requests(request_ids: list[int]) -> int:
    """E-mail each staff member of the providers concerned, in their language, the listings to confirm.

    One message per person and provider, listing every listing asked about with its confirmation link.
    Returns the number of messages sent.
    """
    from learningcity.interop.curation_models import ConfirmationRequest

    requests = ConfirmationRequest.objects.filter(pk__in=request_ids).select_related("opportunity__organisation")
    by_organisation: defaultdict[int, list[int]] = defaultdict(list)
    for request in requests.order_by("opportunity__title_fr", "opportunity_id"):
        by_organisation[request.opportunity.organisation_id].append(request.opportunity_id)
    sent = 0
    for organisation in Organisation.objects.filter(pk__in=by_organisation).order_by("pk"):
        sent += _send_to_staff(organisation, by_organisation[organisation.pk])
    return sent


def _send_to_staff(organisation: Organisation, opportunity_ids: list[int]) -> int:
    from learningcity.catalogue.models import Opportunity

    opportunities = list(Opportunity.objects.filter(pk__in=opportunity_ids).order_by("pk"))
    sent = 0
    for membership in organisation.memberships.select_related("user").order_by("pk"):
        user = membership.user
        with translation.override(user.preferred_language):
            listings = [
                {"title": opportunity.title, "last_verified": opportunity.last_verified,
                 "url": settings.SITE_URL + reverse("interop:curation-confirm", args=[opportunity.pk])}
                for opportunity in opportunities
            ]  # fmt: skip
            context = {"user": user, "organisation": organisation, "listings": listings}
            subject = render_to_string("interop/email/confirm_listing_subject.txt", context).strip()
            body = render_to_string("interop/email/confirm_listing.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent


@task()
def find_duplicates_task(city_id: int) -> int:
    """Recompute a city's likely duplicates (asked for from the coordinators' page)."""
    from learningcity.interop.curation_services import find_duplicates

    return find_duplicates(City.objects.get(pk=city_id))
