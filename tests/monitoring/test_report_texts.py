"""The city's own texts in the progress report: written by coordinators in both languages, shown in the report's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from learningcity.monitoring.models import ReportText
from learningcity.monitoring.report import report_html
from tests.conftest import ROLES
from tests.factories import World

URL = "/en/coordinate/indicators/report-texts/?year=2025"
MISSING = "Missing: the city has not written this section of the report yet."


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_lets_only_coordinators_write_the_texts(
    world: World, client_for: Callable[[str], Client], role_index: int
) -> None:
    client = client_for(ROLES[role_index])
    assert client.get(URL).status_code == [302, 403, 403, 403, 403, 200][role_index]
    response = client.post(URL, {"introduction_en": "Hacked", "introduction_fr": "Piraté"})
    assert response.status_code == [302, 403, 403, 403, 403, 302][role_index]
    assert ReportText.objects.exists() == (ROLES[role_index] == "coordinator")


def test_it_puts_each_section_in_the_reports_language_and_flags_the_missing_ones(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("coordinator")
    texts = {
        "introduction_fr": "Testville apprend à tout âge.", "introduction_en": "Testville learns at every age.",
        "highlights_fr": "Première fête de l'apprentissage.\n\nTrente partenaires.", "highlights_en": "",
    }  # fmt: skip
    assert client.post(URL, texts).status_code == 302
    assert client.get(URL).context["form"].initial["introduction_en"] == "Testville learns at every age."

    english = report_html(world.city, 2025, "en")
    assert "<h2>Introduction and vision</h2>" in english
    assert "Testville learns at every age." in english
    assert "Testville apprend" not in english
    assert english.count(MISSING) == 3, "highlights (not in English), governance and next steps are missing"
    french = report_html(world.city, 2025, "fr")
    assert "<p>Première fête de l&#x27;apprentissage.</p>" in french
    assert "<p>Trente partenaires.</p>" in french
    assert "Testville learns" not in french
    assert report_html(world.city, 2024, "en").count(MISSING) == 4, "texts belong to their year"


def test_it_removes_a_section_emptied_in_both_languages(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("coordinator")
    client.post(URL, {"governance_fr": "Un conseil.", "governance_en": "A board."})
    assert ReportText.objects.count() == 1
    client.post(URL, {"governance_fr": "  ", "governance_en": ""})
    assert not ReportText.objects.exists()


def test_it_refuses_a_text_over_the_limit_and_saves_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").post(URL, {"introduction_fr": "x" * 10001, "next_steps_en": "Grow."})
    assert response.status_code == 200
    assert "introduction_fr" in response.context["form"].errors
    assert not ReportText.objects.exists()
