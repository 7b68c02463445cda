"""Template helpers of the voucher scheme: amounts in euros, and a person's price and credit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from learningcity.credits import selectors, services

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    """An amount with two decimals in the page's locale and the euro sign (“12,50 €” in French)."""
    return f"{number_format(services.cents(value), decimal_pos=2, force_grouping=True)}\u00a0€"


@register.simple_tag(takes_context=True)
def price_quotes(context: dict[str, Any], opportunity: Any) -> dict[str, services.Quote]:
    """The current person's price at list rate and at reduced rate (`full` and `reduced`)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "full": services.quote(user, opportunity),
        "reduced": services.quote(user, opportunity, reduced=True),
    }


@register.simple_tag
def credit_summary(user: Any) -> selectors.CreditSummary:
    """The person's credit, for the account page's summary."""
    return selectors.credit_summary(user, history=0)
