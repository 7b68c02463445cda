"""LHÉO 2.2 and 2.3 training offers (`lheo/offres/formation/action/session`) as opportunity records.

LHÉO describes a *formation* (what is taught, by whom) and its *actions* (one way of running it:
where, for whom, at what price, with dated *sessions*). Residents choose an action, so each action
becomes one listing, a course, named by the formation's title. The file's id for the action
(`numero`) is its external id; without one, the formation's `numero` and the action's position.

LHÉO gives dates only (AAAAMMJJ), so a session runs from 09:00 on its first day to 17:00 on its
last, in the city's time zone. `00000000`, `99999999` and dates with an unknown month or day mean
"not known yet": such a session is skipped and the record says so (`row_notes`); an action left
with no dated session is still imported, as a course without sessions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from learningcity.interop.records import FieldError as UnreadableValueError
from learningcity.interop.records import (
    FileRejected,
    OpportunityRecord,
    OrganisationRecord,
    Parsed,
    ParseOptions,
    RowError,
    SessionRecord,
    VenueRecord,
    html_to_text,
)
from learningcity.interop.xmlsafe import parse_xml

NAMESPACES = {"http://lheo.gouv.fr/2.3": "2.3", "http://lheo.gouv.fr/2.2": "2.2", "": ""}
SESSION_START = time(9, 0)
SESSION_END = time(17, 0)
# modalites-enseignement (dict-modalites-enseignement): 0 on site, 1 blended, 2 at a distance.
MODES = {"0": "on_site", "1": "blended", "2": "online"}
DEFAULT_BUILDING_BLOCK = "workplace"  # UNESCO's "effective learning for and in the workplace"
# Publics (code-public-vise, Formacode "publics" codes) that say more than "learning for work":
# code → (audience codes, building block replacing the default or None). Extend as sources need.
PUBLIC_CODES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "81019": (("adults",), "inclusive-education"),  # illettrisme
    "81021": (("adults",), "inclusive-education"),  # analphabétisme
    "81043": ((), "inclusive-education"),  # illectronisme
    "81022": (("newcomers",), "inclusive-education"),  # personne immigrée
    "81023": (("newcomers",), "inclusive-education"),  # primo-arrivant
    "81042": (("newcomers",), "inclusive-education"),  # réfugié
    "82060": (("newcomers",), None),  # travailleur étranger
}
# Values providers write when they have nothing to say; they add nothing to a description.
PLACEHOLDERS = {"", "-", ".", "nc", "n/c", "neant", "néant", "non renseigne", "non renseigné", "sans objet"}
PLACEHOLDERS |= {"non communique", "non communiqué", "a completer", "à compléter", "aucun", "aucune"}
ZERO_RUN = re.compile(r"^0+$")
MAX_ID_CHARS = 255  # what SourceRecord.external_id holds


@dataclass(frozen=True)
class Reader:
    """Namespace-aware lookups that check every text against the longest field allowed."""

    namespace: str
    max_chars: int

    def path(self, path: str) -> str:
        if not self.namespace:
            return path
        return "/".join(f"{{{self.namespace}}}{step}" for step in path.split("/"))

    def find(self, element: Any, path: str) -> Any:
        return element.find(self.path(path))

    def findall(self, element: Any, path: str) -> list[Any]:
        return list(element.iterfind(self.path(path)))

    def raw(self, element: Any, path: str) -> str:
        """The text of the first element at `path`, checked for length, or ""."""
        found = self.find(element, path) if path else element
        if found is None:
            return ""
        text = "".join(found.itertext())
        if len(text) > self.max_chars:
            raise UnreadableValueError(
                local_name(found),
                _("This text is %(length)s characters long, more than the %(limit)s allowed.")
                % {"length": len(text), "limit": self.max_chars},
            )
        return text

    def text(self, element: Any, path: str) -> str:
        """The text at `path` on one line, spaces tidied."""
        return " ".join(self.raw(element, path).split())

    def texts(self, element: Any, path: str) -> list[str]:
        """The tidy texts of every element at `path`, empty ones left out."""
        parent, _sep, last = path.rpartition("/")
        holders = self.findall(element, parent) if parent else [element]
        values = [self.text(found, "") for holder in holders for found in self.findall(holder, last)]
        return [value for value in values if value]


def parse(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """One `OpportunityRecord` per action of the file, or a `RowError` saying why not."""
    root = parse_xml(data, max_bytes=settings.IMPORT_MAX_BYTES)
    reader = reader_for(root, options)
    formations = reader.findall(root, "offres/formation")
    total = sum(max(1, len(reader.findall(formation, "action"))) for formation in formations)
    if total > options.max_rows:
        raise FileRejected(
            _("This file holds %(count)s training actions, more than the %(limit)s a file may hold.")
            % {"count": total, "limit": options.max_rows}
        )
    zone = ZoneInfo(options.time_zone)
    for formation in formations:
        yield from formation_rows(reader, formation, zone)


def reader_for(root: Any, options: ParseOptions) -> Reader:
    """A reader for the file's LHÉO namespace, or `FileRejected` if this is not LHÉO."""
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, _sep, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if name != "lheo":
        raise FileRejected(
            _("This XML file is not a LHÉO file: its root element is <%(name)s>, not <lheo>.") % {"name": name}
        )
    if namespace not in NAMESPACES:
        raise FileRejected(
            _("This LHÉO version (namespace %(namespace)s) is not supported: send LHÉO 2.2 or 2.3.")
            % {"namespace": namespace}
        )
    return Reader(namespace=namespace, max_chars=options.max_field_chars)


def formation_rows(reader: Reader, formation: Any, zone: ZoneInfo) -> Iterator[Parsed]:
    """The records of a formation's actions (a formation without any action is an error)."""
    actions = reader.findall(formation, "action")
    if not actions:
        yield RowError(
            line=formation.sourceline or 1,
            field="action",
            reason=_("This formation has no action (no place, price or dates): there is nothing to list."),
            external_id=formation_id(reader, formation),
        )
    for index, action in enumerate(actions, start=1):
        external_id = action_id(reader, formation, action, index)
        try:
            if len(external_id) > MAX_ID_CHARS:
                reason = _("The identifier (numero) is longer than %(limit)s characters.") % {"limit": MAX_ID_CHARS}
                raise UnreadableValueError("numero", reason)
            yield action_record(reader, formation, action, external_id, zone)
        except UnreadableValueError as problem:
            yield RowError(
                line=action.sourceline or 1, field=problem.field, reason=problem.reason, external_id=external_id
            )


def formation_id(reader: Reader, formation: Any) -> str:
    """The formation's own `numero`, or a digest of its provider and title when it has none."""
    numero = " ".join((formation.get("numero") or "").split())
    if numero:
        return numero
    try:
        seed = "|".join(
            [
                reader.text(formation, "organisme-formation-responsable/SIRET-organisme-formation/SIRET"),
                reader.text(formation, "intitule-formation"),
            ]
        )
    except UnreadableValueError:
        seed = ""
    return "sha-" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def action_id(reader: Reader, formation: Any, action: Any, index: int) -> str:
    """The action's `numero`, else the formation's id and the action's position in it."""
    numero = " ".join((action.get("numero") or "").split())
    return numero or f"{formation_id(reader, formation)}/{index}"


def action_record(reader: Reader, formation: Any, action: Any, external_id: str, zone: ZoneInfo) -> OpportunityRecord:
    """Everything the catalogue can use from one action and its formation."""
    title = reader.text(formation, "intitule-formation")
    if not title:
        raise UnreadableValueError("intitule-formation", _("The formation has no title (intitule-formation)."))
    public_codes = reader.texts(action, "code-public-vise")
    mode = MODES.get(reader.text(action, "modalites-enseignement"), "")
    action_url = first(reader.texts(action, "url-action/urlweb"))
    formation_url = first(reader.texts(formation, "url-formation/urlweb"))
    is_free, price = read_price(reader.text(action, "prix-total-TTC"))
    sessions, session_extra, skipped = read_sessions(reader, action, zone)
    extra = formation_extra(reader, formation) | action_extra(reader, action, public_codes)
    extra |= {"sessions": session_extra, "skipped_sessions": skipped}
    if not sessions:
        extra["no_dated_session"] = True
    return OpportunityRecord(
        line=action.sourceline or 1,
        external_id=external_id,
        title_fr=title,
        description_fr=description(reader, formation, action),
        kind="course",
        mode=mode,
        online_url=(action_url or formation_url) if mode in {"online", "blended"} else "",
        is_free=is_free,
        price=price,
        registration_required=True,
        credential_fr=credential(reader, formation),
        formacodes=reader.texts(formation, "domaine-formation/code-FORMACODE"),
        rome_codes=reader.texts(formation, "domaine-formation/code-ROME"),
        languages=[code.lower() for code in reader.texts(action, "langue-formation")],
        audiences=unique(audience for code in public_codes for audience in PUBLIC_CODES.get(code, ((), None))[0]),
        building_blocks=building_blocks(public_codes),
        venue=None if mode == "online" else read_venue(reader, formation, action),
        organisation=read_organisation(reader, formation),
        sessions=sessions,
        url=formation_url or action_url,
        registration_url=first(reader.texts(action, "session/url-session/urlweb")) or action_url,
        extra=compact(extra),
    )


def description(reader: Reader, formation: Any, action: Any) -> str:
    """Objective, expected results, content and rhythm as paragraphs; empty and repeated parts left out.

    The headings are French on purpose: they go into the French description, whatever the
    interface language of whoever runs the import.
    """
    parts = [
        ("", reader.raw(formation, "objectif-formation")),
        ("Résultats attendus : ", reader.raw(formation, "resultats-attendus")),
        ("Contenu : ", reader.raw(formation, "contenu-formation")),
        ("Rythme : ", reader.raw(action, "rythme-formation")),
    ]
    paragraphs: list[str] = []
    seen: set[str] = set()
    for heading, markup in parts:
        text = html_to_text(markup)
        key = " ".join(text.split()).casefold()
        if key.strip(" .") in PLACEHOLDERS or key in seen:
            continue
        seen.add(key)
        paragraphs.append(heading + text)
    return "\n\n".join(paragraphs)


def credential(reader: Reader, formation: Any) -> str:
    """What a certifying formation leads to: its RNCP or RS registration, or simply that it certifies."""
    for path, label in [("certification/code-RNCP", "RNCP"), ("certification/code-RS", "RS")]:
        codes = reader.texts(formation, path)
        if codes:
            return "Certification " + ", ".join(f"{label} {code}" for code in codes)
    return "Formation certifiante" if reader.text(formation, "certifiante") == "1" else ""


def building_blocks(public_codes: list[str]) -> list[str]:
    """Learning for work, unless the publics aimed at say the action is about inclusion."""
    named = unique(block for code in public_codes if (block := PUBLIC_CODES.get(code, ((), None))[1]))
    return named or [DEFAULT_BUILDING_BLOCK]


def read_price(text: str) -> tuple[bool | None, Decimal | None]:
    """(is free, price) from `prix-total-TTC`: "0" is free, no price says nothing."""
    if not text:
        return None, None
    cleaned = re.sub(r"\s|€|EUR|TTC", "", text, flags=re.IGNORECASE).replace(",", ".")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite():
        raise UnreadableValueError("prix-total-TTC", _("“%(value)s” is not a price.") % {"value": shown(text)})
    if price == 0:
        return True, None
    return False, price


def read_sessions(
    reader: Reader, action: Any, zone: ZoneInfo
) -> tuple[list[SessionRecord], list[dict[str, str]], list[dict[str, str]]]:
    """Dated sessions, what else each says, and the sessions skipped because their dates are unknown."""
    sessions: list[SessionRecord] = []
    kept: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    for element in reader.findall(action, "session"):
        raw_start = reader.text(element, "periode/debut")
        raw_end = reader.text(element, "periode/fin")
        start, end = lheo_date(raw_start, "debut"), lheo_date(raw_end, "fin")
        about = compact({"numero": element.get("numero") or "", "debut": raw_start, "fin": raw_end})
        if start is None or end is None or end < start:
            skipped.append(about | {"reason": "unknown" if start is None or end is None else "reversed"})
            continue
        sessions.append(
            SessionRecord(
                start=datetime.combine(start, SESSION_START, tzinfo=zone),
                end=datetime.combine(end, SESSION_END, tzinfo=zone),
            )
        )
        kept.append(about | compact({"etat_recrutement": reader.text(element, "etat-recrutement")}))
    return sessions, kept, skipped


def lheo_date(text: str, field: str) -> date | None:
    """A date from AAAAMMJJ; None when LHÉO says it is not known (zeros, nines, month or day 00 or 9x)."""
    if not re.fullmatch(r"\d{8}", text):
        reason = _("“%(value)s” is not a date written YYYYMMDD (e.g. 20260914).") % {"value": shown(text)}
        raise UnreadableValueError(field, reason)
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if year in {0, 9999} or month == 0 or month >= 90 or day == 0 or day >= 90:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        reason = _("“%(value)s” is not a date that exists.") % {"value": shown(text)}
        raise UnreadableValueError(field, reason) from None


def read_venue(reader: Reader, formation: Any, action: Any) -> VenueRecord | None:
    """The first place of training, or the responsible organisation's address when none is given."""
    place = reader.find(action, "lieu-de-formation")
    holder = (
        place if place is not None else reader.find(formation, "organisme-formation-responsable/coordonnees-organisme")
    )
    if holder is None:
        return None
    address = reader.find(holder, "coordonnees/adresse")
    if address is None:
        return None
    name = (
        reader.text(address, "denomination")
        or reader.text(holder, "coordonnees/nom")
        or reader.text(action, "organisme-formateur/raison-sociale-formateur")
        or reader.text(formation, "organisme-formation-responsable/nom-organisme")
        or reader.text(address, "ville")
    )
    return VenueRecord(
        name=name,
        address=", ".join(reader.texts(address, "ligne")),
        postcode=reader.text(address, "codepostal"),
        city_name=reader.text(address, "ville"),
        latitude=coordinate(reader.text(address, "geolocalisation/latitude"), "latitude"),
        longitude=coordinate(reader.text(address, "geolocalisation/longitude"), "longitude"),
        external_id=(place.get("numero") or "") if place is not None else "",
    )


def coordinate(text: str, field: str) -> float | None:
    """A latitude or longitude in decimal degrees (a decimal comma is accepted)."""
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        reason = _("“%(value)s” is not a coordinate in decimal degrees.") % {"value": shown(text)}
        raise UnreadableValueError(field, reason)
    return value


def read_organisation(reader: Reader, formation: Any) -> OrganisationRecord | None:
    """The organisation responsible for the formation, with its SIRET and contact details."""
    element = reader.find(formation, "organisme-formation-responsable")
    if element is None:
        return None
    name = reader.text(element, "nom-organisme") or reader.text(element, "raison-sociale")
    if not name:
        return None
    siret = reader.text(element, "SIRET-organisme-formation/SIRET")
    contact = reader.find(element, "coordonnees-organisme/coordonnees")
    if contact is None:
        contact = element
    return OrganisationRecord(
        name=name,
        external_id=" ".join((element.get("numero") or "").split()),
        siret=siret if re.fullmatch(r"\d{14}", siret) and not ZERO_RUN.match(siret) else "",
        type="vocational",
        email=reader.text(contact, "courriel"),
        phone=first(reader.texts(contact, "telfixe/numtel")) or first(reader.texts(contact, "portable/numtel")),
        website=first(reader.texts(contact, "web/urlweb")),
    )


def formation_extra(reader: Reader, formation: Any) -> dict[str, Any]:
    """What the formation says that the catalogue has no field for, kept with the record."""
    responsible = reader.find(formation, "organisme-formation-responsable")
    return {
        "formation_numero": formation.get("numero") or "",
        "certifiante": reader.text(formation, "certifiante") == "1",
        "rncp": reader.texts(formation, "certification/code-RNCP"),
        "certifinfo": reader.texts(formation, "certification/code-CERTIFINFO"),
        "nsf_codes": reader.texts(formation, "domaine-formation/code-NSF"),
        "parcours_de_formation": reader.text(formation, "parcours-de-formation"),
        "code_niveau_entree": reader.text(formation, "code-niveau-entree"),
        "code_niveau_sortie": reader.text(formation, "code-niveau-sortie"),
        "siret": reader.text(responsible, "SIRET-organisme-formation/SIRET") if responsible is not None else "",
    }


def action_extra(reader: Reader, action: Any, public_codes: list[str]) -> dict[str, Any]:
    """What the action says that the catalogue has no field for, kept with the record."""
    return {
        "action_numero": action.get("numero") or "",
        "public_codes": public_codes,
        "info_public_vise": reader.text(action, "info-public-vise"),
        "rythme_formation": reader.text(action, "rythme-formation"),
        "conditions_specifiques": reader.text(action, "conditions-specifiques"),
        "modalites_alternance": reader.text(action, "modalites-alternance"),
        "niveau_entree_obligatoire": reader.text(action, "niveau-entree-obligatoire") == "1",
        "prise_en_charge_frais_possible": reader.text(action, "prise-en-charge-frais-possible") == "1",
        "acces_handicapes": reader.text(action, "acces-handicapes"),
        "prix_horaire_ttc": reader.text(action, "prix-horaire-TTC"),
        "duree_indicative": reader.text(action, "duree-indicative"),
        "nombre_heures_total": reader.text(action, "nombre-heures-total"),
        "dates_information": reader.texts(action, "date-information/date"),
        "formateur": compact(
            {
                "siret": reader.text(action, "organisme-formateur/SIRET-formateur/SIRET"),
                "raison_sociale": reader.text(action, "organisme-formateur/raison-sociale-formateur"),
            }
        ),
    }


def row_notes(record: OpportunityRecord) -> list[str]:
    """Sentences for the import report about what was left out of a record that still imports."""
    notes = [skipped_session_note(session) for session in record.extra.get("skipped_sessions", [])]
    if record.extra.get("no_dated_session"):
        notes.append(_("No session has known dates: imported as a course without sessions."))
    return notes


def skipped_session_note(session: dict[str, str]) -> str:
    """Why one session of an action was left out."""
    values = {"numero": session.get("numero", ""), "start": session.get("debut", ""), "end": session.get("fin", "")}
    if session.get("reason") == "reversed":
        if values["numero"]:
            return _("Session %(numero)s was skipped: it ends (%(end)s) before it starts (%(start)s).") % values
        return _("A session was skipped: it ends (%(end)s) before it starts (%(start)s).") % values
    if values["numero"]:
        return _("Session %(numero)s was skipped: its dates are not known (%(start)s–%(end)s).") % values
    return _("A session was skipped: its dates are not known (%(start)s–%(end)s).") % values


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """The entries that say something (no empty strings, lists, dicts or False)."""
    return {key: value for key, value in values.items() if value not in ("", [], {}, None, False)}


def unique(values: Iterator[str] | list[str]) -> list[str]:
    """Values in their first order, each once."""
    return list(dict.fromkeys(values))


def shown(value: str, limit: int = 60) -> str:
    """A value quoted in an error, cut so that a gigantic field does not swamp the report."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def local_name(element: Any) -> str:
    """An element's name without its namespace."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rpartition("}")[2]


def first(values: list[str]) -> str:
    return values[0] if values else ""
