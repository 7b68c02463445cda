"""Files people upload for achievements: badge images and evidence, checked by their content.

The extension and the browser's content type are not trusted: the first bytes decide (PNG, JPEG,
PDF), and an SVG must be plain drawing: no script, no event handler, no link to anything outside
itself, no DOCTYPE (entities). Images are served with a sandboxing Content-Security-Policy as well.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from learningcity.interop.xmlsafe import safe_parser

IMAGE_MAX_BYTES = 1024 * 1024
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
# Animation elements can set an attribute (a link's href to javascript:, say) after the checks below.
SVG_FORBIDDEN_TAGS = {
    "script", "foreignobject", "iframe", "object", "embed", "handler", "listener",
    "animate", "set", "animatemotion", "animatetransform", "animatecolor", "discard",
}  # fmt: skip
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


def read_upload(upload: UploadedFile, max_bytes: int) -> bytes:
    """The file's bytes, or a ValidationError naming the size limit."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(_too_big(upload.size, max_bytes))
    data = b"".join(upload.chunks())
    if len(data) > max_bytes:
        raise ValidationError(_too_big(len(data), max_bytes))
    if not data:
        raise ValidationError(_("The file is empty."))
    return data


def _too_big(size: int, limit: int) -> str:
    return _("The file is %(size)s, more than the %(limit)s allowed.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def sniff(data: bytes) -> str:
    """`png`, `jpeg`, `pdf`, `svg` (the text looks like SVG; see `check_svg`) or `` for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:65536].lower():
        return "svg"
    return ""


def image_kind(data: bytes) -> str:
    """The kind of a badge image (`png`, `jpeg` or `svg`), or a ValidationError saying what is accepted."""
    kind = sniff(data)
    if kind not in ("png", "jpeg", "svg"):
        raise ValidationError(_("The image must be a PNG, JPEG or SVG file."))
    if kind == "svg":
        check_svg(data)
    return kind


def evidence_kind(data: bytes) -> str:
    """The kind of an evidence file (`pdf`, `png` or `jpeg`), or a ValidationError."""
    kind = sniff(data)
    if kind not in ("pdf", "png", "jpeg"):
        raise ValidationError(_("Evidence must be a PDF, PNG or JPEG file."))
    return kind


def check_svg(data: bytes) -> None:
    """A ValidationError unless `data` is an SVG drawing that runs nothing and fetches nothing."""
    squeezed = data.replace(b"\x00", b"").upper()
    if b"<!DOCTYPE" in squeezed or b"<!ENTITY" in squeezed:
        raise ValidationError(_("This SVG declares a document type (DOCTYPE): save it as plain SVG."))
    try:
        root = etree.fromstring(data, safe_parser())
    except (etree.LxmlError, ValueError):
        raise ValidationError(_("This SVG file cannot be read as XML.")) from None
    if root is None or etree.QName(root).localname != "svg":
        raise ValidationError(_("The image must be a PNG, JPEG or SVG file."))
    for element in root.iter():
        if _unsafe(element):
            raise ValidationError(
                _("This SVG contains a script, an event handler or a link to another file: these are not allowed.")
            )


def _unsafe(element: Any) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions were removed by the parser
        return False
    tag = etree.QName(element).localname.lower()
    if tag in SVG_FORBIDDEN_TAGS:
        return True
    if tag == "style" and _fetches(element.text or ""):
        return True
    for name, value in element.attrib.items():
        local = etree.QName(name).localname.lower()
        if local.startswith("on"):
            return True
        if local == "href" and not value.strip().startswith(("#", "data:image/png", "data:image/jpeg")):
            return True
        if local == "style" and _fetches(value):
            return True
    return False


def _fetches(css: str) -> bool:
    """Whether CSS loads anything: an @import, or a url() that is not a reference inside the drawing."""
    css = CSS_ESCAPE.sub(_unescape, css)  # `u\\72l(` is `url(` to a browser
    return "@import" in css.lower() or any(not target.startswith("#") for target in CSS_URL.findall(css))


def _unescape(match: re.Match[str]) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return match.group(2)


def evidence_max_bytes() -> int:
    return int(settings.PASSPORT_EVIDENCE_MAX_BYTES)
