"""Phrase banks shared by every topic: audiences, places, formats, prices, in French and English.

The topic banks themselves live in `topics_culture` and `topics_skills`; this module defines their
shape (`TopicSpec`, `OfferSpec`) and the sentences a description is assembled from.
"""

from __future__ import annotations

from dataclasses import dataclass

Bilingual = tuple[str, str]

BLOCK_ALIASES: dict[str, str] = {
    "inclusive": "inclusive-education",
    "families": "families-communities",
    "workplace": "workplace",
    "technologies": "learning-technologies",
    "quality": "quality",
    "culture": "culture-of-learning",
}


@dataclass(frozen=True)
class OfferSpec:
    """One way a topic is offered: a bilingual title, a format, who it is for and at what ages."""

    title_fr: str
    title_en: str
    kind: str
    audiences: tuple[str, ...]
    age_min: int
    age_max: int
    credential: Bilingual | None = None
    languages: tuple[str, ...] = ("fr",)
    providers: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class TopicSpec:
    """A topic of the catalogue with everything needed to write believable listings about it."""

    code: str
    name_fr: str
    name_en: str
    parent: str
    formacode: str
    blocks: tuple[str, ...]
    providers: tuple[str, ...]
    learn: tuple[Bilingual, ...]
    offers: tuple[OfferSpec, ...]
    paid_share: float = 0.0
    prices: tuple[int, ...] = (5,)
    themes: tuple[Bilingual, ...] = ()
    hands_on: bool = False


def offer(
    title_fr: str,
    title_en: str,
    kind: str,
    audiences: str,
    ages: str = "16-120",
    *,
    credential: Bilingual | None = None,
    languages: str = "fr",
    providers: str = "",
    weight: float = 1.0,
) -> OfferSpec:
    """Build an `OfferSpec` from compact strings: audiences and languages space-separated, ages "min-max"."""
    low, high = (int(part) for part in ages.split("-"))
    return OfferSpec(
        title_fr=title_fr,
        title_en=title_en,
        kind=kind,
        audiences=tuple(audiences.split()),
        age_min=low,
        age_max=high,
        credential=credential,
        languages=tuple(languages.split()),
        providers=tuple(providers.split()),
        weight=weight,
    )


def topic(
    code: str,
    names: Bilingual,
    *,
    parent: str,
    formacode: str = "",
    blocks: str,
    providers: str,
    learn: tuple[Bilingual, ...],
    offers: tuple[OfferSpec, ...],
    paid_share: float = 0.0,
    prices: tuple[int, ...] = (5,),
    themes: tuple[Bilingual, ...] = (),
    hands_on: bool = False,
) -> TopicSpec:
    """Build a `TopicSpec`; `blocks` uses the short aliases of `BLOCK_ALIASES`."""
    return TopicSpec(
        code=code,
        name_fr=names[0],
        name_en=names[1],
        parent=parent,
        formacode=formacode,
        blocks=tuple(BLOCK_ALIASES[alias] for alias in blocks.split()),
        providers=tuple(providers.split()),
        learn=learn,
        offers=offers,
        paid_share=paid_share,
        prices=prices,
        themes=themes,
        hands_on=hands_on,
    )


# Sentence banks read best as compact tables, so the formatter leaves them alone.
# fmt: off
# Parent topics: (code, French name, English name, Formacode).
PARENT_TOPICS: list[tuple[str, str, str, str]] = [
    ("arts-culture", "Arts et culture", "Arts and culture", ""),
    ("languages", "Langues", "Languages", "15254"),
    ("families-childhood", "Familles et enfance", "Families and childhood", ""),
    ("science-discovery", "Sciences et découvertes", "Science and discovery", ""),
    ("digital", "Numérique", "Digital skills", ""),
    ("work-training", "Emploi et formation professionnelle", "Work and vocational training", ""),
    ("health-wellbeing", "Santé et bien-être", "Health and wellbeing", ""),
    ("environment-daily-life", "Environnement et vie quotidienne", "Environment and everyday life", ""),
    ("citizenship", "Citoyenneté et engagement", "Citizenship and volunteering", ""),
]

AUDIENCE_SENTENCES: dict[str, tuple[Bilingual, ...]] = {
    "families": (
        ("Ouvert aux familles : les enfants viennent accompagnés d'un adulte.",
         "Open to families: children come with an adult."),
        ("Une activité à partager en famille, entre petits et grands.",
         "An activity to share as a family, young and old together."),
    ),
    "children": (
        ("Pour les enfants, encadrés par des animateurs formés.", "For children, supervised by trained leaders."),
        ("Les enfants apprennent en s'amusant, à leur rythme.", "Children learn through play, at their own pace."),
    ),
    "young-people": (
        ("Pensé pour les jeunes, sans prérequis.", "Designed for young people, with no prior experience needed."),
        ("Les jeunes y trouvent un cadre détendu pour essayer et se tromper.",
         "Young people find a relaxed setting where it is fine to try and make mistakes."),
    ),
    "adults": (
        ("Ouvert à tous les adultes, débutants bienvenus.", "Open to all adults; beginners welcome."),
        ("Aucune connaissance préalable n'est nécessaire.", "No prior knowledge is needed."),
    ),
    "seniors": (
        ("Pour les seniors, dans une ambiance conviviale et sans pression.",
         "For older people, in a friendly and relaxed atmosphere."),
        ("Le rythme est adapté aux seniors et les groupes restent petits.",
         "The pace suits older learners and groups stay small."),
    ),
    "job-seekers": (
        ("Destiné aux personnes en recherche d'emploi, inscrites ou non à France Travail.",
         "For job seekers, whether or not they are registered with France Travail."),
        ("Un accompagnement concret pour reprendre le chemin de l'emploi.", "Practical support to get back into work."),
    ),
    "newcomers": (
        ("Pour les personnes arrivées récemment dans la ville, quel que soit leur niveau de français.",
         "For people who have recently arrived in the city, whatever their level of French."),
        ("Un premier pas pour se repérer dans la ville et rencontrer d'autres habitants.",
         "A first step to find your way around the city and meet other residents."),
    ),
    "parents": (
        ("Pour les parents et futurs parents, avec un temps d'échange entre pairs.",
         "For parents and parents-to-be, with time to share experiences."),
        ("Les parents y trouvent des réponses concrètes et un moment pour souffler.",
         "Parents find practical answers and a moment to breathe."),
    ),
    "disabled-people": (
        ("Accessible aux personnes en situation de handicap ; prévenez-nous pour adapter l'accueil.",
         "Accessible to disabled people; let us know so we can adapt the welcome."),
    ),
    "employees": (
        ("Pour les salariés, sur le temps de travail ou en dehors.", "For employees, during or outside working hours."),
        ("Peut être financé par le compte personnel de formation (CPF).",
         "Can be funded through the personal training account (CPF)."),
    ),
}

# Where it happens; {venue} and {address} are filled in per venue.
ON_SITE_SENTENCES: tuple[Bilingual, ...] = (
    ("Lieu : {venue}, {address}.", "Venue: {venue}, {address}."),
    ("Rendez-vous : {venue}, {address}.", "Where: {venue}, {address}."),
)
BLENDED_SENTENCES: tuple[Bilingual, ...] = (
    ("Formule mixte : une partie des séances en ligne, l'autre sur place ({venue}, {address}).",
     "Blended format: some sessions online, the others on site ({venue}, {address})."),
)
ONLINE_SENTENCES: tuple[Bilingual, ...] = (
    ("En ligne : le lien de connexion est envoyé après l'inscription.",
     "Online: the joining link is sent once you have registered."),
    ("Cela se passe en ligne, depuis chez soi, avec un ordinateur ou une tablette.",
     "It takes place online, from home, on a computer or a tablet."),
)
SELF_PACED_SENTENCES: tuple[Bilingual, ...] = (
    ("Ressource en ligne à suivre à son rythme, accessible à tout moment.",
     "An online resource to follow at your own pace, available at any time."),
)

KIND_SENTENCES: dict[str, Bilingual] = {
    "course": ("On s'inscrit pour l'ensemble du cycle.", "You sign up for the whole course."),
    "online_course": ("On s'inscrit pour l'ensemble du parcours.", "You sign up for the whole programme."),
    "club": ("On peut venir une fois pour essayer, puis revenir quand on veut.",
             "Come once to try it out, then come back whenever you like."),
    "talk": ("La rencontre se termine par un temps de questions.", "The session ends with time for questions."),
    "guided_visit": ("Rendez-vous à l'accueil dix minutes avant le départ.",
                     "Please arrive at the front desk ten minutes before the start."),
    "workshop": ("Le matériel est fourni.", "All materials are provided."),
    "festival_event": ("Un moment festif ouvert à tous les curieux.", "A festive event open to anyone curious."),
    "volunteering": ("Une courte formation est proposée avant la première mission.",
                     "A short training session is offered before your first assignment."),
    "mentoring": ("Un binôme est constitué après un premier entretien.",
                  "You are paired with a mentor after a first interview."),
    "apprenticeship": ("La formation alterne périodes en entreprise et en centre de formation.",
                       "Training alternates between the workplace and the training centre."),
    "self_paced": ("Les modules se suivent dans l'ordre de son choix.", "Modules can be taken in any order."),
}

REDUCED_PRICE_CONDITIONS: tuple[Bilingual, ...] = (
    ("Demandeurs d'emploi, étudiants et bénéficiaires des minima sociaux, sur justificatif.",
     "Job seekers, students and people on minimum income, with proof."),
    ("Moins de 18 ans et plus de 65 ans.", "Under 18 and over 65."),
    ("Détenteurs de la carte Villeneuve Solidaire.", "Holders of the Villeneuve Solidarity card."),
    ("Quotient familial inférieur à 800 €.", "Household income index below €800."),
)

REVIEW_NOTES: tuple[str, ...] = (
    "Merci de préciser l'âge minimum et le lieu exact de la première séance.",
    "La description anglaise est incomplète : pouvez-vous la compléter ?",
    "Indiquez si le matériel est fourni et si l'inscription est obligatoire.",
)
# fmt: on
