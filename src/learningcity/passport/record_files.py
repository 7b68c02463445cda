"""Evidence files of the learning record: what we accept (PDF and images, by their content), how we store them.

A file's name and the type its browser claims say nothing reliable: the first bytes decide. The file
is stored under a random name, so that neither its original name nor its address reveal anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileKind:
    """A kind of evidence file we accept: its content type, its extension, and the extensions it may carry."""

    content_type: str
    extension: str
    extensions: tuple[str, ...]


PDF = FileKind("application/pdf", "pdf", ("pdf",))
PNG = FileKind("image/png", "png", ("png",))
JPEG = FileKind("image/jpeg", "jpg", ("jpg", "jpeg"))
GIF = FileKind("image/gif", "gif", ("gif",))
WEBP = FileKind("image/webp", "webp", ("webp",))
KINDS = (PDF, PNG, JPEG, GIF, WEBP)


def sniff(head: bytes) -> FileKind | None:
    """The kind of file these first bytes start, or None if it is none we accept.

    >>> sniff(b"%PDF-1.7 ...").extension
    'pdf'
    >>> sniff(b"MZ\\x90\\x00") is None
    True
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def kind_of_name(name: str) -> FileKind | None:
    """The kind a stored file's extension says (we named it ourselves, after sniffing)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return next((kind for kind in KINDS if extension in kind.extensions), None)


def checked_evidence(upload: UploadedFile) -> ContentFile[bytes]:
    """The upload, renamed at random, if it is a PDF or an image within the size limit; else ValidationError."""
    limit = int(settings.PASSPORT_EVIDENCE_MAX_BYTES)
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    content = b"".join(upload.chunks())
    if len(content) > limit:  # the declared size can lie
        raise ValidationError(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)})
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(content[:16])
    if kind is None:
        raise ValidationError(_("Send a PDF or an image (PNG, JPEG, GIF or WebP)."), code="type")
    claimed = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if claimed and claimed not in kind.extensions:
        raise ValidationError(
            _("The file's name ends in .%(claimed)s but it is a %(real)s file: rename it or choose another.")
            % {"claimed": claimed, "real": kind.extension.upper()},
            code="mismatch",
        )
    return ContentFile(content, name=f"{uuid.uuid4().hex}.{kind.extension}")


def delete_after_commit(names: list[str]) -> None:
    """Remove stored files once the transaction that stopped using them is committed (never before)."""
    names = [name for name in names if name]
    if not names:
        return

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)
