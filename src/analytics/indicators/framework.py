"""UNESCO's Key Features of Learning Cities as versioned data: areas, sub-areas and indicators.

The default framework ships as `framework.yaml` in this package and is read with
`importlib.resources`, so it is found in a source checkout and in an installed wheel alike.

>>> framework = load_framework()
>>> [area.code for area in framework.areas]
['wider-benefits', 'building-blocks', 'fundamental-conditions']
>>> framework.sub_area("2.2").building_block
'families-communities'
>>> framework.indicator("participation-rate").name.en
'Residents who took part'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, NoReturn, cast

import yaml

BREAKDOWNS = ("age_band", "sex", "district", "building_block", "sector", "year")
DIRECTIONS = ("higher", "lower")
SOURCES = ("platform", "statistic", "survey")


@dataclass(frozen=True)
class Text:
    """A text in French and English."""

    fr: str
    en: str


@dataclass(frozen=True)
class Unit:
    """What an indicator's value counts, and the factor applied to numerator / denominator."""

    code: str
    name: Text
    scale: float


@dataclass(frozen=True)
class Area:
    """One of the framework's three areas."""

    code: str
    name: Text


@dataclass(frozen=True)
class SubArea:
    """One of the twelve sub-areas; building-block sub-areas name the catalogue's building block."""

    code: str
    area: str
    name: Text
    building_block: str | None = None


@dataclass(frozen=True)
class Indicator:
    """A measure of progress in a sub-area, with how to compute it (`method`, `parameters`)."""

    code: str
    sub_area: str
    name: Text
    definition: Text
    unit: str
    direction: Literal["higher", "lower"]
    source: Literal["platform", "statistic", "survey"]
    breakdowns: tuple[str, ...]
    target: float
    goalposts: tuple[float, float]
    personal: bool
    method: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Framework:
    """The areas, sub-areas, units and indicators of one version of the framework."""

    version: str
    reference: Text
    units: Mapping[str, Unit]
    areas: tuple[Area, ...]
    sub_areas: tuple[SubArea, ...]
    indicators: tuple[Indicator, ...]

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code, or a ValueError."""
        found = [indicator for indicator in self.indicators if indicator.code == code]
        return found[0] if found else _unknown("indicator", code)

    def sub_area(self, code: str) -> SubArea:
        """The sub-area with this code, or a ValueError."""
        found = [sub for sub in self.sub_areas if sub.code == code]
        return found[0] if found else _unknown("sub-area", code)

    def indicators_of(self, sub_area: str) -> tuple[Indicator, ...]:
        """The indicators of one sub-area, in framework order."""
        return tuple(indicator for indicator in self.indicators if indicator.sub_area == sub_area)

    def building_blocks(self) -> tuple[str, ...]:
        """The catalogue's building block codes, in the framework's order."""
        return tuple(sub.building_block for sub in self.sub_areas if sub.building_block)


def load_framework(text: str | None = None) -> Framework:
    """The framework from YAML text, or the packaged default; a ValueError names what is wrong."""
    if text is None:
        text = resources.files("analytics.indicators").joinpath("framework.yaml").read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"the framework is not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ValueError("the framework must be a YAML mapping with version, units, areas, sub_areas, indicators")
    framework = Framework(
        version=str(_required(document, "version", "framework")),
        reference=_text(document, "reference", "framework"),
        units={code: _unit(code, entry) for code, entry in _mapping(document, "units", "framework").items()},
        areas=tuple(_area(entry) for entry in _entries(document, "areas")),
        sub_areas=tuple(_sub_area(entry) for entry in _entries(document, "sub_areas")),
        indicators=tuple(_indicator(entry) for entry in _entries(document, "indicators")),
    )
    _check_references(framework)
    return framework


def _unit(code: str, entry: Any) -> Unit:
    where = f"unit {code!r}"
    scale = _number(_required(entry, "scale", where), f"{where}: scale")
    return Unit(code=code, name=_bilingual(entry, where), scale=scale)


def _area(entry: Any) -> Area:
    code = _code(entry, "area")
    return Area(code=code, name=_text(entry, "name", f"area {code!r}"))


def _sub_area(entry: Any) -> SubArea:
    code = _code(entry, "sub-area")
    where = f"sub-area {code!r}"
    block = entry.get("building_block")
    return SubArea(
        code=code,
        area=str(_required(entry, "area", where)),
        name=_text(entry, "name", where),
        building_block=None if block is None else str(block),
    )


def _indicator(entry: Any) -> Indicator:
    code = _code(entry, "indicator")
    where = f"indicator {code!r}"
    computation = dict(_mapping(entry, "computation", where))
    goalposts = _mapping(entry, "goalposts", where)
    low = _number(_required(goalposts, "low", f"{where}: goalposts"), f"{where}: goalposts low")
    high = _number(_required(goalposts, "high", f"{where}: goalposts"), f"{where}: goalposts high")
    if not low < high:
        raise ValueError(f"{where}: goalposts low ({low}) must be below high ({high})")
    breakdowns = tuple(str(key) for key in entry.get("breakdowns") or ())
    unknown = sorted(set(breakdowns) - set(BREAKDOWNS))
    if unknown:
        raise ValueError(f"{where}: unknown breakdowns {unknown}; known: {list(BREAKDOWNS)}")
    personal = entry.get("personal")
    if not isinstance(personal, bool):
        raise ValueError(f"{where}: personal must be true or false")
    return Indicator(
        code=code,
        sub_area=str(_required(entry, "sub_area", where)),
        name=_text(entry, "name", where),
        definition=_text(entry, "definition", where),
        unit=str(_required(entry, "unit", where)),
        direction=cast(Literal["higher", "lower"], _choice(entry, "direction", DIRECTIONS, where)),
        source=cast(Literal["platform", "statistic", "survey"], _choice(entry, "source", SOURCES, where)),
        breakdowns=breakdowns,
        target=_number(_required(entry, "target", where), f"{where}: target"),
        goalposts=(low, high),
        personal=personal,
        method=str(computation.pop("method", "")) or _missing(where, "computation.method"),
        parameters=computation,
    )


def _check_references(framework: Framework) -> None:
    for kind, items in (("area", framework.areas), ("sub-area", framework.sub_areas)):
        _check_unique(kind, [item.code for item in items])
    _check_unique("indicator", [indicator.code for indicator in framework.indicators])
    area_codes = {area.code for area in framework.areas}
    for sub in framework.sub_areas:
        if sub.area not in area_codes:
            raise ValueError(f"sub-area {sub.code!r}: unknown area {sub.area!r}")
    sub_codes = {sub.code for sub in framework.sub_areas}
    for indicator in framework.indicators:
        where = f"indicator {indicator.code!r}"
        if indicator.sub_area not in sub_codes:
            raise ValueError(f"{where}: unknown sub-area {indicator.sub_area!r}")
        if indicator.unit not in framework.units:
            raise ValueError(f"{where}: unknown unit {indicator.unit!r}; known: {sorted(framework.units)}")
        if (indicator.source == "platform") == (indicator.method == "statistic"):
            raise ValueError(f"{where}: statistic and survey indicators, and only they, use the 'statistic' method")


def _check_unique(kind: str, codes: Sequence[str]) -> None:
    repeated = sorted(code for code, times in Counter(codes).items() if times > 1)
    if repeated:
        raise ValueError(f"{kind} codes must be unique; repeated: {repeated}")


def _unknown(kind: str, code: str) -> NoReturn:
    raise ValueError(f"no {kind} with code {code!r}")


def _entries(document: Mapping[str, Any], key: str) -> list[Any]:
    entries = document.get(key)
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"the framework needs a non-empty list of {key}")
    return entries


def _mapping(entry: Any, key: str, where: str) -> Mapping[str, Any]:
    value = _required(entry, key, where)
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {key} must be a mapping")
    return value


def _code(entry: Any, kind: str) -> str:
    if not isinstance(entry, dict):
        raise ValueError(f"every {kind} must be a mapping, got {entry!r}")
    code = entry.get("code")
    if not isinstance(code, str) or not code:
        raise ValueError(f'every {kind} needs a text code (quote numbers such as "1.1"), got {code!r}')
    return code


def _text(entry: Any, key: str, where: str) -> Text:
    return _bilingual(_mapping(entry, key, where), f"{where}: {key}")


def _bilingual(entry: Mapping[str, Any], where: str) -> Text:
    texts = {language: entry.get(language) for language in ("fr", "en")}
    for language, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: the {language} text is missing or empty")
    return Text(fr=str(texts["fr"]), en=str(texts["en"]))


def _choice(entry: Mapping[str, Any], key: str, choices: Sequence[str], where: str) -> str:
    value = entry.get(key)
    if value not in choices:
        raise ValueError(f"{where}: {key} must be one of {list(choices)}, got {value!r}")
    return str(value)


def _required(entry: Any, key: str, where: str) -> Any:
    if not isinstance(entry, dict) or entry.get(key) is None:
        _missing(where, key)
    return entry[key]


def _missing(where: str, key: str) -> NoReturn:
    raise ValueError(f"{where}: {key} is missing")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number, got {value!r}")
    return float(value)
