"""The filter values a search counts, with their labels in the active language."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import BuildingBlock, City, District, Kind, Language, Mode, Sector, Topic
from learningcity.search.indexing import ACCESS_FEATURES, TIMES_OF_DAY

if TYPE_CHECKING:
    from learningcity.search.selectors import FacetValue, SearchParams

ACCESS_LABELS = {
    "step_free_access": _("Step-free access"),
    "accessible_toilets": _("Accessible toilets"),
    "hearing_loop": _("Hearing loop"),
    "sign_language": _("Sign language"),
    "easy_read": _("Easy-read material"),
}
DAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
TIME_LABELS = {
    "morning": pgettext_lazy("part of day", "Morning"),
    "afternoon": pgettext_lazy("part of day", "Afternoon"),
    "evening": pgettext_lazy("part of day", "Evening (from 6 pm)"),
}
# The order filters are shown in, and which facets are counted by conditional sums.
FACET_ORDER = (
    "blocks",
    "kinds",
    "topics",
    "days",
    "times",
    "price",
    "languages",
    "modes",
    "access",
    "districts",
    "sectors",
    "places",
)


CACHE_SECONDS = 60
_CACHE: dict[tuple[Any, ...], tuple[float, Any]] = {}


def cached(key: tuple[Any, ...], compute: Any) -> Any:
    """`compute()`, kept a minute per process, database and interface language (reference data)."""
    full_key = (*key, get_language() or "", connection.settings_dict.get("NAME"))
    found = _CACHE.get(full_key)
    if found is not None and time.monotonic() - found[0] < CACHE_SECONDS:
        return found[1]
    value = compute()
    _CACHE[full_key] = (time.monotonic(), value)
    return value


def forget_cached() -> None:
    """Drop cached reference values (tests that add topics or districts call this)."""
    _CACHE.clear()


@dataclass
class FacetCatalogue:
    """The reference values of one city: building blocks, topics, languages, districts."""

    blocks: list[tuple[str, int, str]]
    topics: list[tuple[str, int, str]]
    languages: list[tuple[str, str]]
    districts: dict[int, tuple[str, str]]

    @classmethod
    def for_city(cls, city: City) -> FacetCatalogue:
        """The city's reference values, read at most once a minute per process and language."""
        found: FacetCatalogue = cached(("facets", city.pk), lambda: cls._read(city))
        return found

    @classmethod
    def _read(cls, city: City) -> FacetCatalogue:
        return cls(
            blocks=[
                (block.code, block.position - 1, block.name) for block in BuildingBlock.objects.order_by("position")
            ],
            topics=[
                (topic.code, topic.pk, topic.name)
                for topic in Topic.objects.filter(parent__isnull=True).order_by("name_fr")
            ],
            languages=[(language.code, language.name) for language in Language.objects.all()],
            districts={
                pk: (code, name)
                for pk, code, name in District.objects.filter(city=city)
                .order_by("code")
                .values_list("pk", "code", "name")
            },
        )

    def summed(self) -> Iterator[tuple[str, list[str], str]]:
        """Facets counted by conditional sums: (facet, values, SQL condition with placeholders)."""
        yield "blocks", [code for code, _bit, _name in self.blocks], "(entry.blocks & %s) <> 0"
        yield "topics", [code for code, _pk, _name in self.topics], "entry.topics LIKE %s"
        yield "languages", [code for code, _name in self.languages], "entry.languages LIKE %s"
        yield "access", list(ACCESS_FEATURES), "(entry.access & %s) = %s"
        yield "days", [str(day) for day in range(7)], "(entry.days & %s) <> 0"
        yield "times", list(TIMES_OF_DAY), "(entry.times & %s) <> 0"
        yield "price", ["free"], "entry.is_free = %s"
        yield "places", ["yes"], "entry.has_places = %s"

    def parameters(self, facet: str, value: str) -> list[Any]:
        if facet == "blocks":
            return [1 << next(bit for code, bit, _name in self.blocks if code == value)]
        if facet == "topics":
            return [f"% {next(pk for code, pk, _name in self.topics if code == value)} %"]
        if facet == "languages":
            return [f"% {value} %"]
        if facet == "access":
            bit = 1 << ACCESS_FEATURES.index(value)
            return [bit, bit]
        if facet == "days":
            return [1 << int(value)]
        if facet == "times":
            return [1 << TIMES_OF_DAY.index(value)]
        return [True]

    def topic_ids(self, codes: list[str]) -> dict[str, int]:
        """Ids of topics by code, parents and children alike."""
        return dict(Topic.objects.filter(code__in=codes).values_list("code", "pk"))

    def facet_values(self, counts: dict[str, dict[str, int]], params: SearchParams) -> dict[str, list[FacetValue]]:
        """Counts turned into labelled values, in display order, selected ones marked."""
        from learningcity.search.selectors import FacetValue

        selected = selected_values(params, self)
        labels: dict[str, list[tuple[str, str]]] = {
            "blocks": [(code, str(name)) for code, _bit, name in self.blocks],
            "kinds": [(str(value), str(label)) for value, label in Kind.choices],
            "topics": [(code, str(name)) for code, _pk, name in self.topics],
            "days": [(str(day), str(label)) for day, label in enumerate(DAY_LABELS)],
            "times": [(part, str(TIME_LABELS[part])) for part in TIMES_OF_DAY],
            "price": [("free", str(_("Free")))],
            "languages": [(code, str(name)) for code, name in self.languages],
            "modes": [(str(value), str(label)) for value, label in Mode.choices],
            "access": [(feature, str(ACCESS_LABELS[feature])) for feature in ACCESS_FEATURES],
            "districts": [(str(pk), f"{name}") for pk, (_code, name) in self.districts.items()],
            "sectors": [(str(value), str(label)) for value, label in Sector.choices],
            "places": [("yes", str(_("Places left")))],
        }
        facets: dict[str, list[FacetValue]] = {}
        for facet in FACET_ORDER:
            found = counts.get(facet, {})
            values = [
                FacetValue(
                    value=self.url_value(facet, value),
                    label=label,
                    count=found.get(value, 0),
                    selected=self.url_value(facet, value) in selected.get(facet, set()),
                )
                for value, label in labels[facet]
            ]
            facets[facet] = [value for value in values if value.count or value.selected]
        return facets

    def url_value(self, facet: str, value: str) -> str:
        """How a value is written in a search address (districts by code, not by id)."""
        if facet == "districts":
            return self.districts.get(int(value), (value, ""))[0]
        return value


def selected_values(params: SearchParams, catalogue: FacetCatalogue) -> dict[str, set[str]]:
    """The values of each facet chosen in `params`, as written in addresses."""
    topic_codes = {pk: code for code, pk, _name in catalogue.topics}
    return {
        "blocks": set(params.blocks),
        "kinds": set(params.kinds),
        "topics": {topic_codes.get(pk, str(pk)) for pk in params.topics},
        "days": {str(day) for day in params.days},
        "times": set(params.times),
        "price": {"free"} if params.free else set(),
        "languages": set(params.languages),
        "modes": set(params.modes),
        "access": set(params.access),
        "districts": {catalogue.districts.get(pk, (str(pk), ""))[0] for pk in params.districts},
        "sectors": set(params.sectors),
        "places": {"yes"} if params.places else set(),
    }
