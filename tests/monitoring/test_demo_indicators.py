"""The default indicators on the small demo city, checked against counts made here with plain queries.

Nothing of the indicator code (tables, band sharing, analytics) is used for the expected values:
they come straight from the models, with the 5-year census bands summed where they tile our age bands.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from django.db.models import Count, Q, Sum

from analytics.indicators import compute_indicators
from learningcity.catalogue.models import City, Opportunity, Organisation, PopulationCount
from learningcity.demo.generator import DemoSummary, build_demo_city
from learningcity.demo.names import CITY_SLUG
from learningcity.enrolment.models import Registration
from learningcity.monitoring.dashboard import city_cells
from learningcity.monitoring.indicator_tables import indicator_tables
from tests.demo.conftest import SMALL

YEAR = SMALL["anchor"].year  # type: ignore[attr-defined]  # the demo registers people in the anchor's year
# Our age bands that are whole unions of the census's 5-year bands (0-5, 6-10, 11-17 and 18-24 are not).
TILED_BANDS = {"25-44": (25, 44), "45-64": (45, 64), "65-79": (65, 79), "80+": (80, 120)}


@pytest.fixture
def demo(db: None) -> tuple[City, pd.DataFrame]:
    """The small demo city and its indicators of YEAR, in total and by district."""
    summary: DemoSummary = build_demo_city(**SMALL)  # type: ignore[arg-type]
    assert summary.residents > 0
    city = City.objects.get(slug=CITY_SLUG)
    return city, city_cells(city, YEAR, None)  # type: ignore[arg-type]


def value(cells: pd.DataFrame, code: str, **labels: str) -> float:
    """The value of one cell (the total without labels)."""
    rows = cells[cells["indicator"] == code]
    rows = rows[rows["breakdown"] == ("+".join(labels) or "total")]
    for dimension, label in labels.items():
        rows = rows[rows[dimension] == label]
    assert len(rows) == 1, (code, labels, rows)
    return float(rows["value"].iloc[0])


def year_bounds(city: City) -> tuple[datetime, datetime]:
    zone = ZoneInfo(city.time_zone)
    return datetime(YEAR, 1, 1, tzinfo=zone), datetime(YEAR + 1, 1, 1, tzinfo=zone)


def inhabitants(city: City, **filters: object) -> float:
    latest = PopulationCount.objects.filter(district__city=city, year__lte=YEAR).order_by("-year")[0].year
    counts = PopulationCount.objects.filter(district__city=city, year=latest, **filters)
    return float(counts.aggregate(total=Sum("count"))["total"] or 0)


def test_participation_by_age_band_and_sex_matches_a_count_of_attendees(demo: tuple[City, pd.DataFrame]) -> None:
    city, _cells = demo
    start, end = year_bounds(city)
    attendees = set(
        Registration.objects.filter(
            session__opportunity__city=city, session__start__gte=start, session__start__lt=end,
            status="confirmed", attended=True,
        ).values_list("user_id", "user__year_of_birth", "user__sex")
    )  # fmt: skip
    assert len({person for person, _, _ in attendees}) >= 30, "the demo has people taking part that year"
    cells = compute_indicators(
        indicator_tables(city, YEAR), None, YEAR, [("age_band", "sex")], area=city.slug,
        indicators=["participation-rate"],
    )  # fmt: skip
    checked = 0
    for band, (low, high) in TILED_BANDS.items():
        for sex in ("F", "M"):
            people = {person for person, born, their_sex in attendees
                      if born is not None and low <= YEAR - born <= high and their_sex == sex}  # fmt: skip
            population = inhabitants(city, age_min__gte=low, age_max__lte=high, sex=sex)
            if not people:
                continue
            assert value(cells, "participation-rate", age_band=band, sex=sex) == pytest.approx(
                100 * len(people) / population
            ), (band, sex)
            checked += 1
    assert checked >= 4


def test_offer_indicators_match_counts_of_published_offers(demo: tuple[City, pd.DataFrame]) -> None:
    city, cells = demo
    offers = Opportunity.objects.filter(city=city, status="published")
    total = offers.count()
    assert total > 100
    assert value(cells, "opportunities-per-1000") == pytest.approx(1000 * total / inhabitants(city))
    assert value(cells, "free-offers") == pytest.approx(100 * offers.filter(is_free=True).count() / total)
    online = offers.filter(mode__in=["online", "blended"]).count()
    assert value(cells, "online-offers") == pytest.approx(100 * online / total)
    district = city.districts.order_by("code").first()
    assert district is not None
    in_district = offers.filter(venue__district=district).count()
    assert value(cells, "opportunities-per-1000", district=district.code) == pytest.approx(
        1000 * in_district / inhabitants(city, district=district)
    )


def test_provider_diversity_matches_the_evenness_of_active_organisations(demo: tuple[City, pd.DataFrame]) -> None:
    city, cells = demo
    active = (
        Organisation.objects.filter(city=city)
        .annotate(offers=Count("opportunities", filter=Q(opportunities__status="published")))
        .filter(offers__gt=0)
    )
    by_sector = Counter(active.values_list("sector", flat=True))
    counted = [by_sector.get(sector, 0) for sector in ("formal", "non_formal", "informal")]
    shares = [n / sum(counted) for n in counted if n]
    evenness = -sum(p * math.log(p) for p in shares) / math.log(3)
    assert 0 < evenness < 1
    assert value(cells, "provider-sector-evenness") == pytest.approx(evenness)
    assert value(cells, "active-partner-organisations") == active.count()


def test_attendance_matches_a_count_of_registrations_taken(demo: tuple[City, pd.DataFrame]) -> None:
    city, cells = demo
    start, end = year_bounds(city)
    taken = Registration.objects.filter(
        session__opportunity__city=city, session__start__gte=start, session__start__lt=end,
        status="confirmed", attended__isnull=False,
    )  # fmt: skip
    came = taken.filter(attended=True).count()
    assert taken.count() > came > 0
    assert value(cells, "attendance-rate") == pytest.approx(100 * came / taken.count())
