"""The city's published training offers as LHÉO 2.3 XML, valid against the official schema.

One `formation` per listing, with one `action` (where, for whom, at what price) and its
`session`s: a series of recurring sessions becomes one LHÉO session from its first to its last day.
By default the export holds published courses, online courses and apprenticeships, the listings
LHÉO (a standard for training offers) is made for. Formacode and ROME codes come from the files
the listing was imported from (`SourceRecord.data`), else from its topics' Formacodes.

The schema makes many elements compulsory that the catalogue does not know (a training
organisation's activity number, a postcode, dates for a course without sessions): the export
writes LHÉO's own "unknown" values for them (zeros, `00000000`–`99999999` dates) and French
placeholders ("Non renseigné") for compulsory texts, so that every document validates. Texts
are French, the language of LHÉO, falling back to English where a listing has no French text.
The document is written element by element (`lxml.etree.xmlfile`), so a large catalogue never
sits in memory as one tree. See docs/interop-lheo.md.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from learningcity.catalogue.models import City, Kind, Mode, Opportunity, Organisation, Session, Venue

NAMESPACE = "http://lheo.gouv.fr/2.3"
FILE_NAME = "lheo.xml"  # in a folder given as the output
EXPORTED_KINDS = (Kind.COURSE, Kind.ONLINE_COURSE, Kind.APPRENTICESHIP)
CHUNK_SIZE = 500  # listings read per database round, each with its relations
MAX_CODES = 5  # the schema allows five Formacode and five ROME codes per formation
MAX_PUBLICS = 10
UNKNOWN_START, UNKNOWN_END = "00000000", "99999999"  # LHÉO's "date not known"
UNKNOWN_POSTCODE = "00000"
UNKNOWN_SIRET = "0" * 14
UNKNOWN_ACTIVITY_NUMBER = "0" * 11  # numéro de déclaration d'activité: not something the catalogue holds
ALL_PUBLICS = "80006"  # code-public-vise when nothing narrower is known: every public
NOT_GIVEN = "Non renseigné"
TEACHING_MODES: dict[str, str] = {Mode.ON_SITE: "0", Mode.BLENDED: "1", Mode.ONLINE: "2"}
# Characters XML 1.0 cannot carry at all; a listing's text might hold them (pasted from elsewhere).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Context:
    """What every formation of one document shares."""

    city: City
    now: datetime
    prefix: str  # makes `numero` attributes unique across the cities of an instance


def write_lheo(city: City, path: Path) -> int:
    """Write the city's LHÉO document at `path` (a file, or `lheo.xml` in a folder); the number of formations.

    The file is written under a temporary name beside it and moved into place once complete.
    """
    path = Path(path) / FILE_NAME if Path(path).is_dir() else Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            count = write_document(stream, city)
        os.chmod(temporary, 0o644)  # open data: mkstemp's private 0600 would hide it from the web server
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def lheo_document(city: City, opportunities: QuerySet[Opportunity] | None = None) -> bytes:
    """The LHÉO 2.3 document of the city's offers (or of the given published listings of the city)."""
    stream = io.BytesIO()
    write_document(stream, city, opportunities)
    return stream.getvalue()


def write_document(stream: IO[bytes], city: City, opportunities: QuerySet[Opportunity] | None = None) -> int:
    """Write the document to `stream`; the number of formations written."""
    context = Context(city=city, now=timezone.now(), prefix=city.slug)
    count = 0
    with translation.override("fr"), etree.xmlfile(stream, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(tag("lheo"), nsmap={None: NAMESPACE}), document.element(tag("offres")):
            document.write("\n")
            for opportunity in exported(city, opportunities).iterator(chunk_size=CHUNK_SIZE):
                sessions = coming_sessions(opportunity, context.now)
                if sessions is None:
                    continue
                document.write(formation(opportunity, sessions, context), pretty_print=True)
                count += 1
    return count


def exported(city: City, opportunities: QuerySet[Opportunity] | None) -> QuerySet[Opportunity]:
    """Published listings of the city, with everything a formation needs fetched in a few queries."""
    queryset = Opportunity.objects.published().filter(city=city)
    if opportunities is None:
        queryset = queryset.filter(kind__in=EXPORTED_KINDS)
    else:
        queryset = queryset.filter(pk__in=opportunities.values("pk"))
    return (
        queryset.select_related("organisation", "venue")
        .prefetch_related(
            "topics",
            "languages",
            "source_records",
            Prefetch("sessions", queryset=Session.objects.order_by("start", "pk")),
        )
        .order_by("pk")
    )


def coming_sessions(opportunity: Opportunity, now: datetime) -> list[Session] | None:
    """Sessions not over yet; None when every session is past (the offer is over, not exported)."""
    sessions = list(opportunity.sessions.all())
    coming = [session for session in sessions if session.end >= now]
    if sessions and not coming:
        return None
    return coming


def formation(opportunity: Opportunity, sessions: list[Session], context: Context) -> Any:
    """One `formation` element, children in the order the schema requires."""
    source = source_data(opportunity)
    element = etree.Element(
        tag("formation"), nsmap={None: NAMESPACE}, numero=f"{context.prefix}-formation-{opportunity.pk}"
    )
    domain = child(element, "domaine-formation")
    for code in formacodes(opportunity, source):
        child(domain, "code-FORMACODE", code)
    for code in codes_of(source.get("rome_codes", [])):
        child(domain, "code-ROME", code)
    title = opportunity.title_fr or opportunity.title_en
    text = opportunity.description_fr or opportunity.description_en or title
    credential = opportunity.credential_fr or opportunity.credential_en
    child(element, "intitule-formation", clip(title, 255))
    child(element, "objectif-formation", clip(text, 3000))
    child(element, "resultats-attendus", clip(credential or NOT_GIVEN, 3000))
    child(element, "contenu-formation", clip(text, 3000))
    child(element, "certifiante", "1" if credential else "0")
    coordinates(child(element, "contact-formation"), opportunity.organisation)
    extra = source.get("extra", {})
    child(element, "parcours-de-formation", enumerated(extra.get("parcours_de_formation"), "1234", "1"))
    child(element, "code-niveau-entree", enumerated(extra.get("code_niveau_entree"), "01234567", "0"))
    url = page_url(opportunity)
    if len(url) <= 400:
        child(child(element, "url-formation"), "urlweb", url)
    element.append(action(opportunity, sessions, extra, context))
    element.append(responsible_organisation(opportunity.organisation))
    return element


def action(opportunity: Opportunity, sessions: list[Session], extra: dict[str, Any], context: Context) -> Any:
    """The listing's one `action`: rhythm, publics, mode, place, sessions, languages, price."""
    element = etree.Element(tag("action"), numero=f"{context.prefix}-action-{opportunity.pk}")
    child(element, "rythme-formation", clip(str(extra.get("rythme_formation") or NOT_GIVEN), 3000))
    for code in publics(extra):
        child(element, "code-public-vise", code)
    child(element, "niveau-entree-obligatoire", "0")
    child(
        element, "modalites-alternance", clip(str(extra.get("modalites_alternance") or alternation(opportunity)), 3000)
    )
    child(element, "modalites-enseignement", TEACHING_MODES.get(opportunity.mode, "0"))
    child(
        element,
        "conditions-specifiques",
        clip(str(extra.get("conditions_specifiques") or conditions(opportunity)), 3000),
    )
    child(element, "prise-en-charge-frais-possible", "1" if extra.get("prise_en_charge_frais_possible") else "0")
    if opportunity.venue is not None:
        place = child(child(element, "lieu-de-formation"), "coordonnees")
        address(place, opportunity.venue, opportunity, context.city)
    child(element, "modalites-entrees-sorties", "0" if sessions else "1")
    if opportunity.online_url and 3 <= len(opportunity.online_url) <= 400:
        child(child(element, "url-action"), "urlweb", opportunity.online_url)
    for numero, start, end in periods(opportunity, sessions, context):
        session = child(element, "session", numero=numero)
        period = child(session, "periode")
        child(period, "debut", start)
        child(period, "fin", end)
        address(child(session, "adresse-inscription"), opportunity.venue, opportunity, context.city)
    if opportunity.venue is not None and (features := opportunity.venue.accessibility_features()):
        child(element, "acces-handicapes", clip(", ".join(features).capitalize(), 250))
    for language in opportunity.languages.all():
        if len(language.code) == 2:
            child(element, "langue-formation", language.code)
    if opportunity.is_free or opportunity.price is not None:
        child(element, "prix-total-TTC", "0" if opportunity.is_free else f"{opportunity.price:.2f}")
    return element


def periods(opportunity: Opportunity, sessions: list[Session], context: Context) -> list[tuple[str, str, str]]:
    """(numero, first day, last day) per session, a recurring series as one; unknown dates without sessions."""
    if not sessions:
        return [(f"{context.prefix}-action-{opportunity.pk}-dates", UNKNOWN_START, UNKNOWN_END)]
    groups: dict[str, list[Session]] = {}
    for session in sessions:
        key = f"series-{session.series_key}" if session.series_key else f"session-{session.pk}"
        groups.setdefault(key, []).append(session)
    return [
        (
            f"{context.prefix}-{key}",
            local_day(group[0].start, group[0], context),
            local_day(group[-1].end, group[-1], context),
        )
        for key, group in groups.items()
    ]


def local_day(moment: datetime, session: Session, context: Context) -> str:
    """AAAAMMJJ of a moment in the session's own time zone (the city's if the session's is unknown)."""
    try:
        zone = ZoneInfo(session.time_zone or context.city.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return moment.astimezone(zone).strftime("%Y%m%d")


def address(parent: Any, venue: Venue | None, opportunity: Opportunity, city: City) -> None:
    """An `adresse`: the venue's, or the provider's name in the city when the listing has no venue."""
    element = child(parent, "adresse")
    if venue is not None:
        child(element, "denomination", clip(venue.name, 255))
    for line in address_lines(
        venue.address if venue is not None else "", venue.name if venue else opportunity.organisation.name
    ):
        child(element, "ligne", line)
    postcode = venue.postcode.strip() if venue is not None else ""
    child(element, "codepostal", postcode if len(postcode) == 5 else UNKNOWN_POSTCODE)
    child(element, "ville", clip(city.name, 50))
    if venue is not None:
        geolocation = child(element, "geolocalisation")
        child(geolocation, "latitude", f"{venue.latitude:.6f}")
        child(geolocation, "longitude", f"{venue.longitude:.6f}")


def address_lines(text: str, fallback: str) -> list[str]:
    """At most four lines of at most 50 characters, as LHÉO wants them."""
    lines = textwrap.wrap(clean(text) or clean(fallback) or NOT_GIVEN, width=50)[:4]
    return [clip(line, 50) for line in lines]


def responsible_organisation(organisation: Organisation) -> Any:
    """The `organisme-formation-responsable`: SIRET, names and contact details."""
    element = etree.Element(tag("organisme-formation-responsable"))
    child(element, "numero-activite", UNKNOWN_ACTIVITY_NUMBER)
    siret = organisation.siret if re.fullmatch(r"\d{14}", organisation.siret or "") else UNKNOWN_SIRET
    child(child(element, "SIRET-organisme-formation"), "SIRET", siret)
    child(element, "nom-organisme", clip(organisation.name, 250))
    child(element, "raison-sociale", clip(organisation.name, 250))
    coordinates(child(element, "coordonnees-organisme"), organisation)
    coordinates(child(element, "contact-organisme"), organisation)
    return element


def coordinates(parent: Any, organisation: Organisation) -> None:
    """A `coordonnees` element with the organisation's name, phone, e-mail and website where known."""
    element = child(parent, "coordonnees")
    child(element, "nom", clip(organisation.name, 50))
    if organisation.phone and len(organisation.phone) <= 25:
        child(child(element, "telfixe"), "numtel", organisation.phone)
    if organisation.email and 3 <= len(organisation.email) <= 160:
        child(element, "courriel", organisation.email)
    if organisation.website and 3 <= len(organisation.website) <= 400:
        child(child(element, "web"), "urlweb", organisation.website)


def source_data(opportunity: Opportunity) -> dict[str, Any]:
    """Codes and extra details kept from the files the listing came from, oldest file first."""
    merged: dict[str, Any] = {"formacodes": [], "rome_codes": [], "extra": {}}
    for record in sorted(opportunity.source_records.all(), key=lambda record: (record.imported_at, record.pk)):
        data = record.data if isinstance(record.data, dict) else {}
        for key in ("formacodes", "rome_codes"):
            values = data.get(key)
            merged[key] += [str(value) for value in values] if isinstance(values, list) else []
        extra = data.get("extra")
        if isinstance(extra, dict):
            merged["extra"] = extra | merged["extra"]
    return merged


def formacodes(opportunity: Opportunity, source: dict[str, Any]) -> list[str]:
    """The imported Formacodes, else the Formacodes of the listing's topics."""
    imported = codes_of(source.get("formacodes", []))
    return imported or codes_of([topic.formacode for topic in opportunity.topics.all()])


def codes_of(values: list[str]) -> list[str]:
    """Distinct five-character codes, at most five, in their first order."""
    codes = [code for code in (str(value).strip() for value in values) if len(code) == 5 and code.isalnum()]
    return list(dict.fromkeys(codes))[:MAX_CODES]


def publics(extra: dict[str, Any]) -> list[str]:
    """The publics aimed at, as imported, or every public."""
    values = extra.get("public_codes")
    codes = [str(code) for code in values if len(str(code)) == 5] if isinstance(values, list) else []
    return list(dict.fromkeys(codes))[:MAX_PUBLICS] or [ALL_PUBLICS]


def enumerated(value: Any, allowed: str, default: str) -> str:
    """`value` if it is one of the schema's one-character codes, else `default`."""
    text = str(value or "")
    return text if len(text) == 1 and text in allowed else default


def alternation(opportunity: Opportunity) -> str:
    return (
        "Alternance entre centre de formation et entreprise"
        if opportunity.kind == Kind.APPRENTICESHIP
        else "Sans objet"
    )


def conditions(opportunity: Opportunity) -> str:
    """Who may join, by age (the only condition the catalogue records)."""
    young, old = opportunity.age_min, opportunity.age_max
    if young and old < 120:
        return f"De {young} à {old} ans"
    if young:
        return f"À partir de {young} ans"
    if old < 120:
        return f"Jusqu'à {old} ans"
    return "Aucune"


def page_url(opportunity: Opportunity) -> str:
    """The listing's public page, in French."""
    return settings.SITE_URL + reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug])


def tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def child(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    """A new child element, its text made safe for XML."""
    element = etree.SubElement(parent, tag(name), **attributes)
    if text is not None:
        element.text = clean(text)
    return element


def clean(text: str) -> str:
    """The text without characters XML cannot hold, and without surrounding spaces."""
    return NOT_XML.sub("", text).strip()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, never empty (the schema wants at least one), an ellipsis when cut."""
    text = clean(text) or NOT_GIVEN
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
