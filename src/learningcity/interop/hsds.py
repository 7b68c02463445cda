"""The catalogue as Open Referral HSDS 3.0 objects (used by the HSDS API and the data package export).

Mapping: an Organisation is an `organization`; an Opportunity is a `service`; its Venue is a
physical `location` (with its `address` and `accessibility`) linked by a `service_at_location`; an
online link is a virtual `location`; Sessions are `schedules` (a series as one WEEKLY or MONTHLY rule
when its rule reproduces every session exactly, otherwise one dated schedule per session); prices are
`cost_options`; topics and building blocks are `taxonomy_terms` of two taxonomies we publish.

Ids are UUIDs: uuid5 of this instance's namespace (from SITE_URL) and the object's kind and primary
key, so a listing keeps its id from one export to the next. Vocabulary ids come from codes instead
(see `formats.hsds.vocabulary_id`). Content is French first: `name` is the French title (or the
English one when there is none), `alternate_name` the English title.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learningcity.catalogue.models import (
    BuildingBlock,
    City,
    Opportunity,
    Organisation,
    Session,
    Status,
    Topic,
    Venue,
)
from learningcity.interop.formats.hsds import (
    BUILDING_BLOCKS_TAXONOMY,
    BUILDING_BLOCKS_TAXONOMY_ID,
    BYDAY,
    TOPICS_TAXONOMY,
    TOPICS_TAXONOMY_ID,
    Rule,
    occurrences,
    utc_offset_hours,
    vocabulary_id,
)

Obj = dict[str, Any]

ACCESSIBILITY_LABELS = {
    "step_free_access": gettext_lazy("step-free access"),
    "accessible_toilets": gettext_lazy("accessible toilets"),
    "hearing_loop": gettext_lazy("hearing loop"),
    "sign_language": gettext_lazy("sign language"),
    "easy_read": gettext_lazy("easy-read material"),
}
UNESCO_LEARNING_CITIES = "https://www.uil.unesco.org/en/learning-cities"


# Ids -------------------------------------------------------------------------------------------------


def instance_namespace() -> uuid.UUID:
    """The namespace of this instance's ids (its public address)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)


def hsds_id(kind: str, key: int | str) -> str:
    """The stable HSDS id of an object of this instance: `kind` ("opportunity", "venue"...) and its key."""
    return str(uuid.uuid5(instance_namespace(), f"{kind}:{key}"))


class IdIndex:
    """Finds the primary key behind an HSDS id.

    uuid5 cannot be reversed, so every primary key up to the table's highest is hashed once per
    process and kept as sorted 48-bit prefixes in NumPy (16 bytes a row); a match is confirmed by
    recomputing the full id. New rows are hashed when an id is not found.
    """

    def __init__(self, kind: str, model: type[models.Model]) -> None:
        self.kind = kind
        self.model = model
        self.lock = threading.Lock()
        self.reset(instance_namespace())

    def reset(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace
        self.keys = np.empty(0, dtype=np.uint64)
        self.pks = np.empty(0, dtype=np.int64)
        self.highest = 0

    def find(self, value: str) -> int | None:
        """The primary key whose id is `value`, or None."""
        try:
            wanted = uuid.UUID(value)
        except (ValueError, TypeError, AttributeError):
            return None
        with self.lock:
            if self.namespace != instance_namespace():
                self.reset(instance_namespace())
            found = self.search(wanted)
            if found is None and self.grow():
                found = self.search(wanted)
        return found

    def search(self, wanted: uuid.UUID) -> int | None:
        key = np.uint64(int.from_bytes(wanted.bytes[:6], "big"))
        left, right = np.searchsorted(self.keys, key, "left"), np.searchsorted(self.keys, key, "right")
        for pk in self.pks[left:right]:
            if hsds_id(self.kind, int(pk)) == str(wanted):
                return int(pk)
        return None

    def grow(self) -> bool:
        """Hash the keys added since the last time; False when there are none."""
        highest = int(self.model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0)
        if highest <= self.highest:
            return False
        prefix = self.namespace.bytes
        new_pks = np.arange(self.highest + 1, highest + 1, dtype=np.int64)
        new_keys = np.fromiter(
            (
                int.from_bytes(hashlib.sha1(prefix + f"{self.kind}:{pk}".encode(), usedforsecurity=False).digest()[:6])
                for pk in range(self.highest + 1, highest + 1)
            ),
            dtype=np.uint64,
            count=len(new_pks),
        )
        keys, pks = np.concatenate([self.keys, new_keys]), np.concatenate([self.pks, new_pks])
        order = np.argsort(keys, kind="stable")
        self.keys, self.pks, self.highest = keys[order], pks[order], highest
        return True


INDEXES = {
    "organisation": IdIndex("organisation", Organisation),
    "opportunity": IdIndex("opportunity", Opportunity),
    "opportunity_venue": IdIndex("opportunity_venue", Opportunity),
    "opportunity_online": IdIndex("opportunity_online", Opportunity),
}


def find_pk(kind: str, value: str) -> int | None:
    """The primary key of the `kind` object ("organisation", "opportunity"...) whose HSDS id is `value`."""
    return INDEXES[kind].find(value)


# Reads -----------------------------------------------------------------------------------------------


def published_services(city: City | None) -> QuerySet[Opportunity]:
    """The city's published listings, by id, with what `service_object` reads."""
    if city is None:
        return Opportunity.objects.none()
    return (
        Opportunity.objects.published()
        .filter(city=city)
        .select_related("city", "organisation", "venue", "venue__city")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("parent")),
            "building_blocks",
            "languages",
            Prefetch("sessions", queryset=Session.objects.order_by("start", "id")),
        )
        .order_by("id")
    )


def hsds_organisations(city: City | None) -> QuerySet[Organisation]:
    """The city's providers with a published listing or a venue where one happens, by name."""
    if city is None:
        return Organisation.objects.none()
    published = Opportunity.objects.filter(status=Status.PUBLISHED, city=city)
    return (
        Organisation.objects.filter(city=city)
        .filter(
            Exists(published.filter(organisation=OuterRef("pk")))
            | Exists(published.filter(venue__organisation=OuterRef("pk")))
        )
        .select_related("city")
        .prefetch_related(Prefetch("venues", queryset=Venue.objects.select_related("city").order_by("id")))
        .order_by("name", "id")
    )


# Organizations ---------------------------------------------------------------------------------------


def organization_object(organisation: Organisation, *, full: bool = False) -> Obj:
    """An `organization`: its own fields, and with `full` its phones, identifiers and locations."""
    data = _compact(
        {
            "id": hsds_id("organisation", organisation.pk),
            "name": organisation.name,
            "description": organisation.description_fr
            or organisation.description_en
            or organisation.get_type_display(),
            "email": organisation.email or None,
            "website": organisation.website or None,
        }
    )
    if full:
        data["phones"] = _phones(organisation)
        data["organization_identifiers"] = _identifiers(organisation)
        data["locations"] = [location_object(venue, full=True) for venue in organisation.venues.all()]
    return data


def _phones(organisation: Organisation) -> list[Obj]:
    if not organisation.phone:
        return []
    owner = hsds_id("organisation", organisation.pk)
    return [
        {"id": hsds_id("organisation_phone", organisation.pk), "organization_id": owner, "number": organisation.phone}
    ]


def _identifiers(organisation: Organisation) -> list[Obj]:
    if not organisation.siret:
        return []
    return [
        {
            "id": hsds_id("organisation_siret", organisation.pk),
            "organization_id": hsds_id("organisation", organisation.pk),
            "identifier_type": "SIRET",
            "identifier": organisation.siret,
        }
    ]


# Locations -------------------------------------------------------------------------------------------


def location_object(venue: Venue, *, full: bool = False) -> Obj:
    """A physical `location`; with `full`, its address and accessibility."""
    data = _compact(
        {
            "id": hsds_id("venue", venue.pk),
            "location_type": "physical",
            "organization_id": hsds_id("organisation", venue.organisation_id) if venue.organisation_id else None,
            "name": venue.name,
            "latitude": venue.latitude,
            "longitude": venue.longitude,
        }
    )
    if full:
        data["addresses"] = [address_object(venue)]
        data["accessibility"] = [
            {
                "id": hsds_id("venue_accessibility", f"{venue.pk}:{flag}"),
                "location_id": data["id"],
                "description": str(label),
            }
            for flag, label in ACCESSIBILITY_LABELS.items()
            if getattr(venue, flag)
        ]
    return data


def address_object(venue: Venue) -> Obj:
    """The venue's street address (HSDS requires every part; the region is not known)."""
    return {
        "id": hsds_id("venue_address", venue.pk),
        "location_id": hsds_id("venue", venue.pk),
        "address_1": venue.address,
        "city": venue.city.name,
        "state_province": french_department(venue.postcode) if venue.city.country_code == "FR" else "",
        "postal_code": venue.postcode,
        "country": venue.city.country_code,
        "address_type": "physical",
    }


def french_department(postcode: str) -> str:
    """The département of a French postcode ("75011" → "75", "97400" → "974", "20000" → "2A"), or ""."""
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode[:3] in {"200", "201"} else "2B"
    return postcode[:2]


def online_location_object(opportunity: Opportunity) -> Obj:
    """A virtual `location`: the online link of an online or blended listing."""
    return {
        "id": hsds_id("opportunity_online_location", opportunity.pk),
        "location_type": "virtual",
        "organization_id": hsds_id("organisation", opportunity.organisation_id),
        "name": _("Online"),
        "url": opportunity.online_url,
    }


def venue_link(opportunity: Opportunity, *, full: bool = False) -> Obj | None:
    """The `service_at_location` of the listing at its venue (None for an online-only listing)."""
    if not opportunity.venue_id or opportunity.venue is None or opportunity.mode == "online":
        return None
    location = location_object(opportunity.venue, full=full)
    return {"id": hsds_id("opportunity_venue", opportunity.pk), "service_id": hsds_id("opportunity", opportunity.pk),
            "location_id": location["id"], "location": location}  # fmt: skip


def online_link(opportunity: Opportunity) -> Obj | None:
    """The `service_at_location` of the listing online (None when it happens only on site)."""
    if not opportunity.online_url or opportunity.mode == "on_site":
        return None
    location = online_location_object(opportunity)
    return {"id": hsds_id("opportunity_online", opportunity.pk), "service_id": hsds_id("opportunity", opportunity.pk),
            "location_id": location["id"], "location": location}  # fmt: skip


def service_at_location_objects(opportunity: Opportunity, *, full: bool = False) -> list[Obj]:
    """Where the listing happens: at its venue, online, or both."""
    return [link for link in (venue_link(opportunity, full=full), online_link(opportunity)) if link]


# Services --------------------------------------------------------------------------------------------


def service_object(opportunity: Opportunity, *, full: bool = False) -> Obj:
    """A `service` with its organization; with `full`, every nested list as well."""
    service_id = hsds_id("opportunity", opportunity.pk)
    data = _compact(
        {
            "id": service_id,
            "organization_id": hsds_id("organisation", opportunity.organisation_id),
            "name": opportunity.title_fr or opportunity.title_en,
            "alternate_name": opportunity.title_en if opportunity.title_fr and opportunity.title_en else None,
            "description": opportunity.description_fr or opportunity.description_en,
            "url": settings.SITE_URL + reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]),
            "status": "active",
            "application_process": _("Registration is required.") if opportunity.registration_required else None,
            "fees_description": opportunity.reduced_price_conditions_fr or opportunity.reduced_price_conditions_en,
            "minimum_age": opportunity.age_min,
            "maximum_age": opportunity.age_max,
            "assured_date": opportunity.last_verified.isoformat() if opportunity.last_verified else None,
            "last_modified": _utc(opportunity.updated_at),
            "organization": organization_object(opportunity.organisation),
        }
    )
    if full:
        data["service_at_locations"] = service_at_location_objects(opportunity, full=True)
        data["schedules"] = schedule_objects(opportunity)
        data["languages"] = [
            {"id": hsds_id("opportunity_language", f"{opportunity.pk}:{language.code}"), "service_id": service_id,
             "name": language.name, "code": language.code}
            for language in opportunity.languages.all()
        ]  # fmt: skip
        data["cost_options"] = cost_option_objects(opportunity)
        data["attributes"] = attribute_objects(opportunity)
    return data


def cost_option_objects(opportunity: Opportunity) -> list[Obj]:
    """Free (an amount of 0), or the full price and the reduced price, in euros."""
    service_id = hsds_id("opportunity", opportunity.pk)
    if opportunity.is_free:
        return [{"id": hsds_id("opportunity_cost_free", opportunity.pk), "service_id": service_id,
                 "option": _("Free of charge"), "currency": "EUR", "amount": 0}]  # fmt: skip
    options: list[Obj] = []
    if opportunity.price is not None:
        options.append(
            {
                "id": hsds_id("opportunity_cost_full", opportunity.pk),
                "service_id": service_id,
                "option": _("Full price"),
                "currency": "EUR",
                "amount": float(opportunity.price),
            }
        )
    if opportunity.reduced_price is not None:
        conditions = opportunity.reduced_price_conditions_fr or opportunity.reduced_price_conditions_en
        options.append(
            {
                "id": hsds_id("opportunity_cost_reduced", opportunity.pk),
                "service_id": service_id,
                "option": conditions or _("Reduced price"),
                "currency": "EUR",
                "amount": float(opportunity.reduced_price),
            }
        )
    return options


def attribute_objects(opportunity: Opportunity) -> list[Obj]:
    """Links from the service to its topic and building-block terms."""
    service_id = hsds_id("opportunity", opportunity.pk)
    attributes: list[Obj] = []
    for topic in opportunity.topics.all():
        attributes.append(
            _compact(
                {
                    "id": hsds_id("opportunity_topic", f"{opportunity.pk}:{topic.pk}"),
                    "link_id": service_id,
                    "link_type": "topic",
                    "link_entity": "service",
                    "value": topic.formacode or None,
                    "taxonomy_term_id": vocabulary_id("topic", topic.code),
                    "taxonomy_term": topic_term(topic, detail=True),
                }
            )
        )
    for block in opportunity.building_blocks.all():
        attributes.append(
            {
                "id": hsds_id("opportunity_building_block", f"{opportunity.pk}:{block.pk}"),
                "link_id": service_id,
                "link_type": "building_block",
                "link_entity": "service",
                "taxonomy_term_id": vocabulary_id("building_block", block.code),
                "taxonomy_term": building_block_term(block, detail=True),
            }
        )
    return attributes


# Schedules -------------------------------------------------------------------------------------------


def schedule_objects(opportunity: Opportunity) -> list[Obj]:
    """The listing's sessions: a series as one rule when that is exact, every other session dated."""
    service_id = hsds_id("opportunity", opportunity.pk)
    series: dict[str, list[Session]] = {}
    schedules: list[Obj] = []
    for session in opportunity.sessions.all():
        if session.series_key:
            series.setdefault(session.series_key, []).append(session)
        else:
            schedules.append(dated_schedule(session, service_id))
    for sessions in series.values():
        rule = series_schedule(sessions, service_id)
        schedules.extend([rule] if rule else [dated_schedule(session, service_id) for session in sessions])
    return sorted(schedules, key=lambda schedule: (schedule["dtstart"], schedule["opens_at"], schedule["id"]))


def _local(session: Session) -> tuple[datetime, datetime]:
    zone = ZoneInfo(session.time_zone)
    return session.start.astimezone(zone), session.end.astimezone(zone)


def dated_schedule(session: Session, service_id: str) -> Obj:
    """One session: its day(s) and its opening and closing times, in its own time zone."""
    start, end = _local(session)
    return {
        "id": hsds_id("session", session.pk),
        "service_id": service_id,
        "valid_from": start.date().isoformat(),
        "valid_to": end.date().isoformat(),
        "dtstart": start.date().isoformat(),
        "timezone": utc_offset_hours(start),
        "opens_at": start.time().replace(tzinfo=None).isoformat("seconds"),
        "closes_at": end.time().replace(tzinfo=None).isoformat("seconds"),
    }


def series_schedule(sessions: list[Session], service_id: str) -> Obj | None:
    """A series as one HSDS rule, if its RRULE is WEEKLY or MONTHLY and reproduces every session."""
    parts = _rule_parts(sessions[0].recurrence_rule)
    if parts is None or len({session.time_zone for session in sessions}) > 1:
        return None
    first_start, first_end = _local(sessions[0])
    last_start, _last_end = _local(sessions[-1])
    rule = Rule(
        first=first_start.date(),
        frequency=parts["FREQ"],
        interval=int(parts.get("INTERVAL", "1")),
        last=last_start.date(),
        byday=[day for day in parts.get("BYDAY", "").split(",") if day],
        bymonthday=[int(day) for day in parts.get("BYMONTHDAY", "").split(",") if day],
        wkst=parts.get("WKST", ""),
    )
    zone = ZoneInfo(sessions[0].time_zone)
    opens, closes = first_start.time().replace(tzinfo=None), first_end.time().replace(tzinfo=None)
    try:
        expected = occurrences(rule, opens=opens, closes=closes, zone=zone)
    except (ValueError, KeyError):
        return None
    if expected != [(session.start, session.end) for session in sessions]:
        return None
    return _compact(
        {
            "id": hsds_id("series", sessions[0].pk),
            "service_id": service_id,
            "valid_from": rule.first.isoformat(),
            "valid_to": rule.last.isoformat() if rule.last else None,
            "dtstart": rule.first.isoformat(),
            "until": rule.last.isoformat() if rule.last else None,
            "timezone": utc_offset_hours(first_start),
            "freq": rule.frequency,
            "interval": rule.interval,
            "byday": ",".join(rule.byday or []) or None,
            "bymonthday": ",".join(str(day) for day in rule.bymonthday or []) or None,
            "wkst": rule.wkst or None,
            "opens_at": opens.isoformat("seconds"),
            "closes_at": closes.isoformat("seconds"),
        }
    )


RULE_KEYS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}


def _rule_parts(text: str) -> dict[str, str] | None:
    """The parts of an RRULE that HSDS can say (WEEKLY or MONTHLY, days, interval), or None."""
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for item in filter(None, text.upper().split(";")):
        key, _sep, value = item.partition("=")
        parts[key.strip()] = value.strip()
    if parts.get("FREQ") not in {"WEEKLY", "MONTHLY"} or not set(parts) <= RULE_KEYS:
        return None
    if not parts.get("INTERVAL", "1").isdigit() or parts.get("INTERVAL") == "0":
        return None
    if not all(day.lstrip("+-").isdigit() for day in parts.get("BYMONTHDAY", "").split(",") if day):
        return None
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    if not all(BYDAY.match(day) for day in days) or (parts["FREQ"] == "WEEKLY" and any(day[:-2] for day in days)):
        return None  # numbered days belong to MONTHLY rules
    return parts if parts.get("WKST", "MO") in {"MO", "TU", "WE", "TH", "FR", "SA", "SU"} else None


# Taxonomies ------------------------------------------------------------------------------------------


def taxonomy_objects() -> list[Obj]:
    """The two taxonomies whose terms describe our services."""
    return [
        {
            "id": TOPICS_TAXONOMY_ID,
            "name": TOPICS_TAXONOMY,
            "description": _(
                "The learning topics of the catalogue, each with its Formacode (the French thesaurus of "
                "training fields) when it has one."
            ),
            "uri": f"{settings.SITE_URL}/api/v1/topics",
        },
        {
            "id": BUILDING_BLOCKS_TAXONOMY_ID,
            "name": BUILDING_BLOCKS_TAXONOMY,
            "description": _(
                "The six building blocks of a learning city in the UNESCO Global Network of Learning Cities."
            ),
            "uri": UNESCO_LEARNING_CITIES,
        },
    ]


def taxonomy_object(taxonomy_id: str) -> Obj | None:
    """One of our taxonomies by id."""
    return next((taxonomy for taxonomy in taxonomy_objects() if taxonomy["id"] == taxonomy_id), None)


def topic_term(topic: Topic, *, detail: bool = False) -> Obj:
    """A topic as a `taxonomy_term` (French name; English name and Formacode in the description)."""
    description = f"{topic.name_en} (Formacode {topic.formacode})" if topic.formacode else topic.name_en
    term = _compact(
        {
            "id": vocabulary_id("topic", topic.code),
            "code": topic.code,
            "name": topic.name_fr or topic.name_en,
            "description": description,
            "parent_id": vocabulary_id("topic", topic.parent.code) if topic.parent_id and topic.parent else None,
            "taxonomy": TOPICS_TAXONOMY,
            "taxonomy_id": TOPICS_TAXONOMY_ID,
            "language": "fr",
        }
    )
    if detail:
        term["taxonomy_detail"] = taxonomy_object(TOPICS_TAXONOMY_ID)
    return term


def building_block_term(block: BuildingBlock, *, detail: bool = False) -> Obj:
    """A UNESCO building block as a `taxonomy_term`."""
    term: Obj = {
        "id": vocabulary_id("building_block", block.code),
        "code": block.code,
        "name": block.name_fr,
        "description": block.name_en,
        "taxonomy": BUILDING_BLOCKS_TAXONOMY,
        "taxonomy_id": BUILDING_BLOCKS_TAXONOMY_ID,
        "language": "fr",
    }
    if detail:
        term["taxonomy_detail"] = taxonomy_object(BUILDING_BLOCKS_TAXONOMY_ID)
    return term


def taxonomy_terms(*, detail: bool = False) -> list[Obj]:
    """Every term we publish: the building blocks in their order, then the topics by code."""
    blocks = [building_block_term(block, detail=detail) for block in BuildingBlock.objects.order_by("position")]
    topics = [topic_term(topic, detail=detail) for topic in Topic.objects.select_related("parent").order_by("code")]
    return blocks + topics


def find_term(term_id: str) -> tuple[str, int] | None:
    """Which term `term_id` is: ("topic", Topic pk) or ("building_block", BuildingBlock pk)."""
    candidates: list[tuple[str, QuerySet[Any]]] = [
        ("building_block", BuildingBlock.objects.all()),
        ("topic", Topic.objects.all()),
    ]
    for kind, queryset in candidates:
        for pk, code in queryset.values_list("pk", "code"):
            if vocabulary_id(kind, code) == term_id:
                return kind, pk
    return None


# Helpers ---------------------------------------------------------------------------------------------


def _compact(data: Obj) -> Obj:
    """Without absent values: HSDS fields are typed (a null is not a string), so absent means omitted.

    A description stays even when empty: organizations and terms require one.
    """
    return {key: value for key, value in data.items() if value is not None and (value != "" or key == "description")}


def _utc(moment: datetime) -> str:
    """An ISO 8601 moment in UTC with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iter_chunks(queryset: QuerySet[Any], size: int = 500) -> Iterable[list[Any]]:
    """The queryset in lists of `size`, by primary key, so prefetching works and memory stays flat."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk
