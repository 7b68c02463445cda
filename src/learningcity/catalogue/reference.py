"""Reference data every city shares: UNESCO's building blocks, audiences and languages."""

from __future__ import annotations

from typing import Any

BUILDING_BLOCKS: list[tuple[str, str, str]] = [
    (
        "inclusive-education",
        "Apprentissage inclusif, de l'éducation de base à l'enseignement supérieur",
        "Inclusive learning from basic to higher education",
    ),
    (
        "families-communities",
        "Apprentissage revitalisé dans les familles et les communautés",
        "Revitalised learning in families and communities",
    ),
    (
        "workplace",
        "Apprentissage efficace pour et sur le lieu de travail",
        "Effective learning for and in the workplace",
    ),
    (
        "learning-technologies",
        "Usage élargi des technologies modernes d'apprentissage",
        "Extended use of modern learning technologies",
    ),
    (
        "quality",
        "Qualité et excellence de l'apprentissage",
        "Enhanced quality and excellence in learning",
    ),
    (
        "culture-of-learning",
        "Culture de l'apprentissage tout au long de la vie",
        "A vibrant culture of learning throughout life",
    ),
]

AUDIENCE_LABELS: list[tuple[str, str, str]] = [
    ("families", "Familles", "Families"),
    ("children", "Enfants", "Children"),
    ("young-people", "Jeunes", "Young people"),
    ("adults", "Adultes", "Adults"),
    ("seniors", "Seniors", "Seniors"),
    ("job-seekers", "Personnes en recherche d'emploi", "Job seekers"),
    ("newcomers", "Nouveaux arrivants", "Newcomers"),
    ("parents", "Parents", "Parents"),
    ("disabled-people", "Personnes en situation de handicap", "Disabled people"),
    ("employees", "Salariés", "Employees"),
]

LANGUAGES: list[tuple[str, str, str]] = [
    ("fr", "français", "French"),
    ("en", "anglais", "English"),
    ("ar", "arabe", "Arabic"),
    ("es", "espagnol", "Spanish"),
    ("pt", "portugais", "Portuguese"),
    ("de", "allemand", "German"),
    ("it", "italien", "Italian"),
    ("zh", "chinois", "Chinese"),
    ("tr", "turc", "Turkish"),
    ("uk", "ukrainien", "Ukrainian"),
    ("fsl", "langue des signes française", "French Sign Language"),
]


def load_reference_data(*, building_block: Any = None, audience_label: Any = None, language: Any = None) -> None:
    """Create or update the shared vocabularies (models are passed in by migrations; default: current ones)."""
    from learningcity.catalogue import models

    building_block = building_block or models.BuildingBlock
    audience_label = audience_label or models.AudienceLabel
    language = language or models.Language
    for position, (code, name_fr, name_en) in enumerate(BUILDING_BLOCKS, start=1):
        building_block.objects.update_or_create(
            code=code, defaults={"position": position, "name_fr": name_fr, "name_en": name_en}
        )
    for code, name_fr, name_en in AUDIENCE_LABELS:
        audience_label.objects.update_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en})
    for code, name_fr, name_en in LANGUAGES:
        language.objects.update_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en})
