"""A small catalogue to search: a few listings that differ in one way each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from learningcity.catalogue.models import (
    BuildingBlock,
    City,
    District,
    Language,
    Opportunity,
    Organisation,
    Session,
    Venue,
)
from tests.factories import make_city, make_opportunity, make_organisation

PARIS = ZoneInfo("Europe/Paris")


def local_moment(days_ahead: int, hour: int) -> datetime:
    """A moment `days_ahead` days from today at `hour` o'clock in the city's time."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def next_weekday(weekday: int) -> int:
    """Days from today to the next `weekday` (Monday 0), at least 2 days ahead."""
    today = timezone.localdate()
    ahead = (weekday - today.weekday()) % 7
    return ahead if ahead >= 2 else ahead + 7


@dataclass
class Catalogue:
    city: City
    library: Organisation
    museum: Organisation
    far_venue: Venue
    theatre: Opportunity
    watercolour: Opportunity
    painting_en: Opportunity
    evening_english: Opportunity
    seniors_yoga: Opportunity
    paid_coding: Opportunity
    online_course: Opportunity
    past_only: Opportunity
    draft: Opportunity


def reschedule(opportunity: Opportunity, *moments: datetime, capacity: int | None = None) -> None:
    opportunity.sessions.all().delete()
    for start in moments:
        Session.objects.create(opportunity=opportunity, start=start, end=start + timedelta(hours=2), capacity=capacity)


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    city = make_city()
    library = make_organisation(city, "Médiathèque Jean-Zay")
    museum = make_organisation(city, "Musée des Beaux-Arts")
    museum.sector = "formal"
    museum.save()
    rives = District.objects.get(city=city, code="02")
    far_venue = Venue.objects.create(
        city=city,
        organisation=None,
        name="Annexe des Rives",
        address="9 quai Nord",
        latitude=47.45,
        longitude=0.80,
        district=rives,
    )
    theatre = make_opportunity(
        library,
        title_fr="Théâtre d'improvisation",
        title_en="Improv theatre",
        description_fr="Jeux de scène pour adultes.",
        description_en="Stage games for adults.",
        age_min=16,
        kind="course",
    )
    reschedule(theatre, local_moment(next_weekday(1), 14))
    watercolour = make_opportunity(library)  # "Atelier d'aquarelle"
    reschedule(watercolour, local_moment(next_weekday(0), 10))
    painting_en = make_opportunity(
        museum,
        title_fr="",
        title_en="Painting landscapes",
        description_fr="",
        description_en="Paint the river in oils.",
        venue=far_venue,
        kind="workshop",
    )
    painting_en.languages.set([Language.objects.get(code="en")])
    reschedule(painting_en, local_moment(next_weekday(4) + 14, 10))
    evening_english = make_opportunity(
        library,
        title_fr="Conversation en anglais",
        title_en="English conversation",
        description_fr="On parle anglais autour d'un thé.",
        description_en="Speak English over tea.",
        kind="club",
    )
    reschedule(evening_english, local_moment(next_weekday(2), 19))
    seniors_yoga = make_opportunity(
        museum,
        title_fr="Yoga doux",
        title_en="Gentle yoga",
        description_fr="Des postures simples, sur chaise si besoin.",
        description_en="Simple postures, on a chair if needed.",
        age_min=60,
        age_max=120,
        kind="course",
    )
    reschedule(seniors_yoga, local_moment(next_weekday(5), 10))
    paid_coding = make_opportunity(
        library,
        title_fr="Initiation à la programmation Python",
        title_en="Introduction to Python programming",
        description_fr="Premiers programmes.",
        description_en="First programs.",
        is_free=False,
        price=Decimal("40.00"),
        age_min=12,
        age_max=120,
        kind="course",
    )
    paid_coding.building_blocks.add(BuildingBlock.objects.get(code="learning-technologies"))
    reschedule(paid_coding, local_moment(next_weekday(3), 14))
    online_course = make_opportunity(
        museum,
        title_fr="Histoire de l'art en ligne",
        title_en="Art history online",
        description_fr="Des vidéos et des quiz.",
        description_en="Videos and quizzes.",
        mode="online",
        venue=None,
        online_url="https://example.org/course",
        kind="online_course",
    )
    online_course.sessions.all().delete()
    past_only = make_opportunity(
        library,
        title_fr="Théâtre : saison passée",
        title_en="Theatre: last season",
        description_fr="C'était bien.",
        description_en="It was good.",
    )
    reschedule(past_only, timezone.now() - timedelta(days=30))
    draft = make_opportunity(
        library, status="draft", title_fr="Théâtre en brouillon", title_en="Draft theatre", description_fr="x"
    )
    return Catalogue(
        city=city,
        library=library,
        museum=museum,
        far_venue=far_venue,
        theatre=theatre,
        watercolour=watercolour,
        painting_en=painting_en,
        evening_english=evening_english,
        seniors_yoga=seniors_yoga,
        paid_coding=paid_coding,
        online_course=online_course,
        past_only=past_only,
        draft=draft,
    )
