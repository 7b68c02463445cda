"""The demo city's learning passport: achievements, awards earned by attendance, a pathway.

Built after the people: every achievement awarded by rule goes to those who attended its listing
(capped, to keep the build quick: each award is signed twice). The demo resident holds a shared
credential and is halfway along the pathway, so the passport pages have something to show.
"""

from __future__ import annotations

from django.db.models import Count, Q

from learningcity.accounts.models import User
from learningcity.catalogue.models import City, Opportunity, Organisation, Session
from learningcity.demo.names import EMAIL_DOMAIN, ORGANISATION_A, ORGANISATION_B
from learningcity.enrolment.models import Registration
from learningcity.passport import services
from learningcity.passport.models import (
    Achievement,
    AchievementEndorsement,
    AchievementType,
    AwardMethod,
    Level,
    Pathway,
    PathwayStep,
    SkillAlignment,
    StepKind,
)

AWARDS_PER_ACHIEVEMENT = 150


def build_demo_passport(*, city: City) -> int:
    """Create the demo achievements, awards and pathway; return the number of awards."""
    library = Organisation.objects.get(city=city, name=ORGANISATION_A[0])
    social = Organisation.objects.get(city=city, name=ORGANISATION_B[0])
    digital = _rule_achievement(
        library,
        "Premiers pas numériques",
        "First digital steps",
        "Avoir suivi une séance d'un atelier numérique de la médiathèque.",
        "Attended a session of one of the library's digital workshops.",
        skills=[("esco", "http://data.europa.eu/esco/skill/4e1f6e1b-6cf5-4b4b-8b2d-5a6d0d1e2b3a", "use digital tools")],
    )
    together = _rule_achievement(
        social,
        "Apprendre ensemble",
        "Learning together",
        "Avoir participé à un atelier collectif du centre social.",
        "Took part in a group workshop of the community centre.",
        skills=[("formacode", "15041", "communication")],
    )
    helper = Achievement.objects.create(
        city=city,
        organisation=None,
        name_fr="Médiateur numérique de quartier",
        name_en="Neighbourhood digital helper",
        description_fr="Peut aider ses voisins à utiliser les services en ligne.",
        description_en="Can help neighbours use online services.",
        criteria_fr="Avoir terminé le parcours « Aider ses voisins en ligne ».",
        criteria_en="Completed the “Helping neighbours online” pathway.",
        achievement_type=AchievementType.CERTIFICATE_OF_COMPLETION,
        level=Level.INTERMEDIATE,
    )
    AchievementEndorsement.objects.create(
        achievement=digital, organisation=social, comment="Reconnu par le centre social de la Gare."
    )
    pathway = Pathway.objects.create(
        city=city,
        name_fr="Aider ses voisins en ligne",
        name_en="Helping neighbours online",
        goal_fr="Devenir médiateur numérique bénévole dans son quartier.",
        goal_en="Become a volunteer digital helper in your neighbourhood.",
        completion_achievement=helper,
        published=True,
    )
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=digital, position=1)
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=together, position=2)
    awarded = 0
    for achievement in (digital, together):
        awarded += _award_attendees(achievement)
    resident = User.objects.filter(email=f"resident@{EMAIL_DOMAIN}").first()
    if resident is not None and not digital.awards.filter(recipient=resident).exists():
        award = services.award(digital, services.Holder(user=resident), by=None, method=AwardMethod.HAND)
        services.set_shared(award, True)
        awarded += 1
    return awarded


def _rule_achievement(
    organisation: Organisation,
    name_fr: str,
    name_en: str,
    criteria_fr: str,
    criteria_en: str,
    *,
    skills: list[tuple[str, str, str]],
) -> Achievement:
    """An achievement awarded for attending one session of the organisation's most attended listing."""
    listing = (
        Opportunity.objects.filter(organisation=organisation)
        .annotate(attended=Count("sessions__registrations", filter=Q(sessions__registrations__attended=True)))
        .order_by("-attended", "id")
        .first()
    )
    achievement = Achievement.objects.create(
        city=organisation.city,
        organisation=organisation,
        name_fr=name_fr,
        name_en=name_en,
        criteria_fr=criteria_fr,
        criteria_en=criteria_en,
        description_fr=criteria_fr,
        description_en=criteria_en,
        opportunity=listing,
        min_sessions=1 if listing else None,
    )
    for framework, code, label in skills:
        SkillAlignment.objects.create(achievement=achievement, framework=framework, code=code, label=label)
    return achievement


def _award_attendees(achievement: Achievement) -> int:
    if achievement.opportunity_id is None:
        return 0
    sessions = Session.objects.filter(opportunity_id=achievement.opportunity_id)
    user_ids = list(
        Registration.objects.filter(session__in=sessions, attended=True, family_member__isnull=True, group_name="")
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")[:AWARDS_PER_ACHIEVEMENT]
    )
    holders = [services.Holder(user=user) for user in User.objects.filter(pk__in=user_ids, is_active=True)]
    return len(services.award_many(achievement, holders, by=None, method=AwardMethod.RULE, skip_holders_of=True))
