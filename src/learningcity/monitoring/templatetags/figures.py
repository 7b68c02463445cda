"""Template filters for the monitoring pages' numbers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """A number with at most two decimals and no trailing zeros, in the page's locale (3.5, 0.05, 12)."""
    if value is None or value == "":
        return ""
    rounded = round(float(value), 2)
    text = f"{rounded:.2f}".rstrip("0").rstrip(".")
    decimals = len(text.partition(".")[2])
    return str(number_format(rounded, decimal_pos=decimals))
