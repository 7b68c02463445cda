"""QR codes of claim codes, drawn on the server as inline SVG (printable, no script, no image request)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from learningcity.passport.models import Achievement


def claim_url(achievement: Achievement) -> str:
    """The address the QR code opens: the claim page of the code, in the active language."""
    return settings.SITE_URL + reverse("passport:claim-code", args=[achievement.claim_code])


def qr_svg(url: str, title: str, *, size: int = 200) -> SafeString:
    """An accessible inline SVG of `url` (its <title> names it for screen readers), `size` pixels wide."""
    qr = segno.make_qr(url, error="m")  # a full QR code: phones often cannot read Micro QR
    svg = qr.svg_inline(scale=1, border=4, title=title, omitsize=True, svgclass="qr-code")
    sized = f'<svg role="img" width="{size}" height="{size}" shape-rendering="crispEdges" '
    return mark_safe(svg.replace("<svg ", sized, 1))  # noqa: S308 (segno's own markup; it escapes the title)
