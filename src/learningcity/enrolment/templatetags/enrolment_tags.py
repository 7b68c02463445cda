"""The "Register" block of an opportunity page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from learningcity.catalogue.models import Opportunity
from learningcity.enrolment import selectors

register = template.Library()


@register.inclusion_tag("enrolment/_panel.html", takes_context=True)
def registration_panel(context: dict[str, Any], opportunity: Opportunity) -> dict[str, Any]:
    """Sessions with places left, the person's own registrations and, for the provider, the rosters."""
    request = context["request"]
    now = timezone.now()
    return {
        "panel": selectors.registration_panel(opportunity=opportunity, user=request.user, now=now),
        "now": now,
        "user": request.user,
        "request": request,
    }
