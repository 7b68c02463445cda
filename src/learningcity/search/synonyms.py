"""Words residents use that listings do not: the format's usual names, short forms, near-synonyms.

Listings say what they are through their kind ("course", "workshop"...), so the kind's usual
names in both languages are indexed with each listing ("cours de piano" finds a piano course
whose text never says "cours"). Query words in `QUERY_SYNONYMS` also match their listed
alternatives ("ados" finds "adolescents"). Both lists are plain data: a city can extend them.
Words are written normalised (lower case, no accents).
"""

from __future__ import annotations

KIND_WORDS: dict[str, tuple[str, str]] = {
    "course": ("cours lecons", "course class lessons"),
    "workshop": ("atelier", "workshop"),
    "talk": ("conference rencontre", "talk lecture"),
    "club": ("club groupe", "club group"),
    "guided_visit": ("visite guidee", "guided visit tour"),
    "festival_event": ("festival evenement", "festival event"),
    "self_paced": ("ressource autonomie", "self paced resource"),
    "online_course": ("cours en ligne", "online course class"),
    "apprenticeship": ("apprentissage alternance", "apprenticeship"),
    "volunteering": ("benevolat", "volunteering"),
    "mentoring": ("mentorat accompagnement", "mentoring"),
}

QUERY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ado": ("adolescent",),
    "ados": ("adolescents",),
    "teen": ("teenager",),
    "teens": ("teenagers",),
    "gamins": ("enfants",),
    "kids": ("children",),
    "seniors": ("aines",),
    "aines": ("seniors",),
    "photo": ("photographie", "photography"),
    "photos": ("photographie", "photography"),
    "poterie": ("ceramique", "argile", "modelage"),
    "pottery": ("ceramics", "clay"),
    "velo": ("bicyclette",),
    "bike": ("bicycle",),
    "maths": ("mathematiques",),
    "math": ("mathematics",),
    "info": ("informatique",),
    "ordi": ("ordinateur",),
    "appli": ("application",),
    "apps": ("applications",),
    "pc": ("ordinateur", "computer"),
    "lesson": ("course",),
    "lessons": ("course",),
    "leçon": ("cours",),
    "fle": ("francais",),
    "cv": ("curriculum",),
}
