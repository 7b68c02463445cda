"""Read XML from outside without letting it read our files, reach the network or fill memory.

Every importer that reads XML goes through `parse_xml`. The parser never resolves entities, never
loads a DTD, never touches the network and keeps libxml2's limits on depth and node size
(`huge_tree=False`). On top of that, any document that declares a document type is refused: a
DOCTYPE is where entity declarations live (external entities such as `file:///etc/passwd`,
"billion laughs" and quadratic blow-ups), and no training-offer file needs one.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from learningcity.interop.records import FileRejected

DOCTYPE_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def safe_parser() -> Any:
    """An lxml parser that resolves nothing, loads nothing and fetches nothing."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, max_bytes: int) -> Any:
    """The root element of `data`, or `FileRejected` with a reason a provider understands."""
    if len(data) > max_bytes:
        raise FileRejected(
            _("The file is %(size)s, more than the %(limit)s allowed.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)}
        )
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        if _declares_doctype(data):
            raise FileRejected(_doctype_refused(), line=error.lineno or None) from None
        raise FileRejected(_not_xml(error), line=error.lineno or None) from None
    except (etree.LxmlError, ValueError) as error:
        raise FileRejected(_("This file cannot be read as XML (%(error)s).") % {"error": error}) from None
    if root is None:
        raise FileRejected(_("This file is empty."))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise FileRejected(_doctype_refused())
    return root


def _declares_doctype(data: bytes) -> bool:
    """Whether the raw bytes hold a DOCTYPE or an entity declaration (also in UTF-16 or UTF-32)."""
    squeezed = data.replace(b"\x00", b"")
    return any(marker in squeezed for marker in DOCTYPE_MARKERS)


def _doctype_refused() -> str:
    return _(
        "This XML file declares a document type (DOCTYPE). For safety, files with a DOCTYPE or "
        "entity declarations are refused: remove the DOCTYPE and try again."
    )


def _not_xml(error: Any) -> str:
    """A sentence with the parser's own words; the line travels separately (`FileRejected.line`)."""
    message = str(getattr(error, "msg", "") or error).split(", line ")[0]
    return _("This file is not valid XML: %(error)s.") % {"error": message.rstrip(". ")}
