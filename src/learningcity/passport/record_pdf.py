"""Printable documents of the record: a credential's certificate and the whole record, as HTML then PDF.

WeasyPrint renders them with nothing fetched: the QR code is inline SVG, images are data URIs, and
the fetcher refuses every protocol but `data:`.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.passport import documents, record_files, record_selectors
from learningcity.passport.models import Award

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def qr_svg(url: str) -> str:
    """A QR code of `url` as inline SVG (dark modules on white, with its quiet zone)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff"))


def image_data_uri(award: Award) -> str:
    """The achievement's image as a data URI, or "" (no image, unreadable, too big, or not an image)."""
    image = award.achievement.image
    if not image:
        return ""
    try:
        with image.open("rb") as handle:
            content = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError:
        return ""
    kind = record_files.sniff(content[:16])
    if kind is None or kind.content_type == "application/pdf" or len(content) > MAX_IMAGE_BYTES:
        return ""
    return f"data:{kind.content_type};base64,{base64.b64encode(content).decode('ascii')}"


def certificate_context(award: Award) -> dict[str, Any]:
    public_url = documents.credential_url(award)
    return {
        "award": award,
        "achievement": award.achievement,
        "issuer": award.achievement.issuer_name(),
        "status": record_selectors.award_status(award),
        "public_url": public_url,
        "qr": qr_svg(public_url),
        "image": image_data_uri(award),
        "skills": list(award.achievement.alignments.all()),
    }


def certificate_html(award: Award) -> str:
    """The certificate of one credential, in the active language."""
    return render_to_string("passport/record/certificate.html", certificate_context(award))


def summary_html(user: User) -> str:
    """The person's whole record (and the records they keep for family members), readable on paper."""
    owners = [record_selectors.record_owner(user, None)]
    owners += [record_selectors.record_owner(user, member) for member in record_selectors.family_members(user)]
    sections = [
        {
            "owner": owner,
            "rows": [
                {"entry": entry, "kind": record_selectors.kind_label(entry.kind),
                 "status": record_selectors.award_status(entry.award) if entry.award else None}
                for entry in record_selectors.entries(owner)
            ],
        }
        for owner in owners
        if owner.keeps_record
    ]  # fmt: skip
    return render_to_string(
        "passport/record/summary.html", {"person": user, "sections": sections, "generated_at": timezone.now()}
    )


def pdf(html: str) -> bytes:
    """The HTML as PDF; any address other than a data: URI is refused, so nothing is fetched."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())
