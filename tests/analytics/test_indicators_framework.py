"""UNESCO's Key Features framework as data: complete, bilingual, consistent, and refusing broken files."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from analytics.indicators import BREAKDOWNS, METHODS, Framework, load_framework

UNESCO_SUB_AREAS = {
    "1.1": "Individual empowerment and social cohesion",
    "1.2": "Economic development and cultural prosperity",
    "1.3": "Sustainable development",
    "2.1": "Inclusive learning in the education system",
    "2.2": "Revitalised learning in families and communities",
    "2.3": "Effective learning for and in the workplace",
    "2.4": "Extended use of modern learning technologies",
    "2.5": "Enhanced quality and excellence in learning",
    "2.6": "A vibrant culture of learning throughout life",
    "3.1": "Strong political will and commitment",
    "3.2": "Governance and participation of all stakeholders",
    "3.3": "Mobilisation and utilisation of resources",
}
CATALOGUE_BLOCKS = {
    "2.1": "inclusive-education",
    "2.2": "families-communities",
    "2.3": "workplace",
    "2.4": "learning-technologies",
    "2.5": "quality",
    "2.6": "culture-of-learning",
}


@pytest.fixture(scope="module")
def framework() -> Framework:
    """The packaged framework."""
    return load_framework()


def default_document() -> dict[str, object]:
    """The packaged YAML as a mutable document, to break in tests."""
    text = resources.files("analytics.indicators").joinpath("framework.yaml").read_text(encoding="utf-8")
    document: dict[str, object] = yaml.safe_load(text)
    return document


def test_it_has_a_version(framework: Framework) -> None:
    assert framework.version


def test_it_has_the_three_areas_and_twelve_sub_areas_of_the_key_features(framework: Framework) -> None:
    assert [area.code for area in framework.areas] == ["wider-benefits", "building-blocks", "fundamental-conditions"]
    assert {sub.code: sub.name.en for sub in framework.sub_areas} == UNESCO_SUB_AREAS
    assert {sub.area for sub in framework.sub_areas if sub.code.startswith("2.")} == {"building-blocks"}


def test_it_maps_the_six_building_blocks_to_the_catalogue_codes(framework: Framework) -> None:
    assert {sub.code: sub.building_block for sub in framework.sub_areas if sub.building_block} == CATALOGUE_BLOCKS
    assert framework.building_blocks() == tuple(CATALOGUE_BLOCKS.values())


def test_it_has_at_least_thirty_indicators_with_unique_codes(framework: Framework) -> None:
    codes = [indicator.code for indicator in framework.indicators]

    assert len(codes) >= 30
    assert len(set(codes)) == len(codes)


def test_every_sub_area_has_an_indicator(framework: Framework) -> None:
    assert all(framework.indicators_of(sub.code) for sub in framework.sub_areas)


def test_every_text_is_in_french_and_english(framework: Framework) -> None:
    texts = [framework.reference]
    texts += [area.name for area in framework.areas] + [sub.name for sub in framework.sub_areas]
    texts += [unit.name for unit in framework.units.values()]
    texts += [text for indicator in framework.indicators for text in (indicator.name, indicator.definition)]

    assert all(text.fr.strip() and text.en.strip() for text in texts)
    assert not [text for text in texts if text.fr == text.en and len(text.fr) > 12]  # translated, not copied


def test_every_indicator_is_complete_and_computable(framework: Framework) -> None:
    for indicator in framework.indicators:
        assert indicator.direction in ("higher", "lower"), indicator.code
        assert indicator.source in ("platform", "statistic", "survey"), indicator.code
        assert set(indicator.breakdowns) <= set(BREAKDOWNS), indicator.code
        assert "year" in indicator.breakdowns, indicator.code
        assert indicator.goalposts[0] < indicator.goalposts[1], indicator.code
        assert indicator.unit in framework.units, indicator.code
        assert indicator.method in {*METHODS, "statistic"}, indicator.code


def test_it_has_the_platform_indicators_the_monitoring_issue_asks_for(framework: Framework) -> None:
    methods = {indicator.method for indicator in framework.indicators if indicator.source == "platform"}

    assert methods == set(METHODS)
    assert len([indicator for indicator in framework.indicators if indicator.source == "statistic"]) >= 10


def test_only_indicators_about_people_are_marked_personal(framework: Framework) -> None:
    personal = {indicator.code for indicator in framework.indicators if indicator.personal}

    assert personal == {
        "learner-positive-outcomes",
        "registration-rate",
        "participation-rate",
        "credentials-issued",
        "attendance-rate",
        "series-completion",
        "learner-satisfaction",
        "pathways-completed",
        "waitlist-pressure",
    }


def test_it_finds_items_by_code(framework: Framework) -> None:
    assert framework.indicator("waitlist-pressure").direction == "lower"
    assert framework.sub_area("3.3").area == "fundamental-conditions"
    with pytest.raises(ValueError, match=r"no sub-area with code '4\.1'"):
        framework.sub_area("4.1")


def test_it_loads_a_framework_given_as_text() -> None:
    document = default_document()
    document["version"] = "test"

    assert load_framework(yaml.safe_dump(document, allow_unicode=True)).version == "test"


def _break(document: dict[str, object], path: list[object], value: object) -> None:
    target: object = document
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    if value is KeyError:
        del target[path[-1]]  # type: ignore[attr-defined]
    else:
        target[path[-1]] = value  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["version"], KeyError, "framework: version is missing"),
        (["indicators", 0, "name", "fr"], "", "indicator 'learner-positive-outcomes': name: the fr text is missing"),
        (["indicators", 1, "code"], "learner-positive-outcomes", "indicator codes must be unique"),
        (["indicators", 0, "sub_area"], "4.1", "unknown sub-area '4.1'"),
        (["indicators", 0, "direction"], "up", "direction must be one of"),
        (["indicators", 0, "source"], "census", "source must be one of"),
        (["indicators", 0, "unit"], "furlongs", "unknown unit 'furlongs'"),
        (["indicators", 0, "breakdowns"], ["borough"], "unknown breakdowns"),
        (["indicators", 0, "goalposts"], {"low": 90, "high": 30}, "goalposts low"),
        (["indicators", 0, "personal"], "yes", "personal must be true or false"),
        (["indicators", 0, "computation"], {"method": "statistic"}, "only they, use the 'statistic' method"),
        (["sub_areas", 0, "code"], 1.1, "quote numbers"),
        (["sub_areas", 0, "area"], "benefits", "unknown area 'benefits'"),
    ],
)
def test_it_refuses_a_broken_framework_naming_the_entry(path: list[object], value: object, message: str) -> None:
    document = default_document()
    _break(document, path, value)

    with pytest.raises(ValueError, match=message):
        load_framework(yaml.safe_dump(document, allow_unicode=True))


def test_it_refuses_text_that_is_not_yaml() -> None:
    with pytest.raises(ValueError, match="not valid YAML"):
        load_framework("version: [unclosed")
