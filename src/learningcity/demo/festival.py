"""The demo city's learning festival: this year's, three weeks after the anchor date, with its call still open.

Events come from the demo's own listings (no session is added, so the catalogue's counts stay as
built): published, on-site listings of verified organisations with a session during the festival.
Most are accepted, a few declined with a reason, and a few wait for the coordinator, among them
listings of the two providers whose staff have demo logins, so every persona has something to do.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef

from learningcity.accounts.models import Membership, User
from learningcity.catalogue.models import City, Opportunity, Session, Status
from learningcity.demo.names import EMAIL_DOMAIN, ORGANISATION_A, ORGANISATION_B
from learningcity.festival.models import Festival, Submission, SubmissionStatus

FESTIVAL_KINDS = ("festival_event", "workshop", "talk", "guided_visit", "club")
ACCEPTED, DECLINED, WAITING = 40, 4, 6
DECLINE_MESSAGES = [
    ("Le programme est complet ce jour-là ; proposez-le l'an prochain !",
     "The programme is full that day; do propose it next year!"),
    ("Cet atelier s'éloigne du thème du festival.", "This workshop strays from the festival's theme."),
]  # fmt: skip


def build_demo_festival(*, city: City, anchor: date, seed: int) -> Festival:
    """Create the festival and its submissions; the same seed and anchor give the same festival."""
    rng = random.Random(f"{seed}:festival")
    zone = ZoneInfo(city.time_zone)
    first = anchor + timedelta(days=21)
    festival = Festival.objects.create(
        city=city, slug=f"learning-festival-{first.year}",
        name_fr=f"Fête de l'apprentissage {first.year}", name_en=f"Learning Festival {first.year}",
        theme_fr="Apprendre dans sa ville, à tout âge", theme_en="Learning in your city, at every age",
        starts_on=first, ends_on=first + timedelta(days=8), call_opens_on=anchor - timedelta(days=30),
        call_closes_on=anchor + timedelta(days=7), created_at=_moment(anchor - timedelta(days=31), zone),
    )  # fmt: skip
    candidates = list(_candidates(festival))
    personas = [opportunity for opportunity in candidates if opportunity.organisation.name in _persona_organisations()]
    others = [opportunity for opportunity in candidates if opportunity not in personas]
    rng.shuffle(others)
    declined = others[:DECLINED]
    waiting = personas[:2] + others[DECLINED : DECLINED + WAITING - len(personas[:2])]
    accepted = personas[2:4] + others[DECLINED + len(waiting) - len(personas[:2]) :][:ACCEPTED]
    coordinator = User.objects.get(email=f"coordinator@{EMAIL_DOMAIN}")
    rows = [_submission(festival, o, SubmissionStatus.PENDING, rng, zone, anchor) for o in waiting]
    rows += [_submission(festival, o, SubmissionStatus.ACCEPTED, rng, zone, anchor, coordinator) for o in accepted]
    rows += [_submission(festival, o, SubmissionStatus.DECLINED, rng, zone, anchor, coordinator) for o in declined]
    Submission.objects.bulk_create(rows)
    return festival


def _persona_organisations() -> set[str]:
    return {ORGANISATION_A[0], ORGANISATION_B[0]}


def _candidates(festival: Festival) -> list[Opportunity]:
    """Published on-site listings of verified organisations with a session during the festival, by id."""
    start, end = festival.window()
    during = Session.objects.filter(opportunity=OuterRef("pk"), start__gte=start, start__lt=end)
    return list(
        Opportunity.objects.filter(
            Exists(during), city=festival.city, status=Status.PUBLISHED, kind__in=FESTIVAL_KINDS,
            venue__isnull=False, organisation__verified=True,
        )
        .select_related("organisation")
        .order_by("pk")
    )  # fmt: skip


def _submission(
    festival: Festival,
    opportunity: Opportunity,
    status: str,
    rng: random.Random,
    zone: ZoneInfo,
    anchor: date,
    coordinator: User | None = None,
) -> Submission:
    submitted_on = anchor - timedelta(days=rng.randint(2, 28))
    decided = status != SubmissionStatus.PENDING
    message_fr, message_en = rng.choice(DECLINE_MESSAGES) if status == SubmissionStatus.DECLINED else ("", "")
    staff = Membership.objects.filter(organisation_id=opportunity.organisation_id).order_by("pk").first()
    return Submission(
        festival=festival, opportunity=opportunity, status=status, submitted_by=staff.user if staff else None,
        submitted_at=_moment(submitted_on, zone),
        message=f"{message_fr}\n{message_en}" if message_fr else ("Bienvenue au festival !" if decided else ""),
        decided_by=coordinator if decided else None,
        decided_at=_moment(submitted_on + timedelta(days=1), zone) if decided else None,
    )  # fmt: skip


def _moment(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(10), zone)
