"""The catalogue, registrations and feedback as the plain tables `analytics.indicators` computes from."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from learningcity.catalogue.models import City, Opportunity, PopulationCount
from learningcity.enrolment.models import Registration
from learningcity.festival.summary import festival_tables
from learningcity.monitoring.inputs import AGE_BANDS, band_shares
from learningcity.monitoring.measuring import WALK_METRES
from learningcity.monitoring.models import Feedback, FollowUp, StatisticValue

BAND_LABELS = [band for band, _, _ in AGE_BANDS]


def age_band(ages: pd.Series) -> pd.Series:
    """The age band label of each age (missing age: "none")."""
    edges = [low for _, low, _ in AGE_BANDS[1:]]
    codes = np.searchsorted(edges, ages.fillna(-1).to_numpy(), side="right")
    labels = np.array(BAND_LABELS, dtype=object)[codes]
    labels[ages.isna().to_numpy()] = "none"
    return pd.Series(labels, index=ages.index, dtype="category")


def _people(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Turn a user's year of birth, sex and district into the breakdown columns."""
    frame["age_band"] = age_band(year - frame.pop("year_of_birth").astype("Float64"))
    frame["sex"] = frame["sex"].fillna("").replace("", "none").astype("category")
    frame["district"] = frame["district"].fillna("none").astype("category")
    return frame


def participations(city: City, year: int) -> pd.DataFrame:
    """One row per registration of a person for a session of the city, in the year.

    A family member registered from a guardian's account is a person of their own (their own age,
    sex not recorded, the household's district; `person_id` is minus their id, so it never meets a
    user's). Group bookings (a class, an association) are places, not identified people: left out.
    """
    rows = Registration.objects.filter(
        session__opportunity__city=city, session__start__year=year, group_name="", group_organisation__isnull=True
    ).values_list(
        "user_id", "user__year_of_birth", "user__sex", "user__district__code", "session__opportunity_id",
        "session__start", "status", "attended", "session__series_key", "family_member_id",
        "family_member__year_of_birth",
    )  # fmt: skip
    columns = ["person_id", "year_of_birth", "sex", "district", "opportunity_id", "session_start", "status",
               "attended", "series_key", "relative_id", "relative_born"]  # fmt: skip
    frame = pd.DataFrame(list(rows), columns=columns)
    relative = frame["relative_id"].notna()
    if relative.any():
        frame["person_id"] = frame["person_id"].where(~relative, -frame["relative_id"]).astype("int64")
        frame["year_of_birth"] = frame["year_of_birth"].where(~relative, frame["relative_born"])
        frame["sex"] = frame["sex"].where(~relative, "")
    frame = frame.drop(columns=["relative_id", "relative_born"])
    frame["session_start"] = pd.to_datetime(frame["session_start"], utc=True).dt.tz_convert(city.time_zone)
    frame["attended"] = frame["attended"].astype("boolean")
    frame["series_key"] = frame["series_key"].replace("", None)
    # A place offered from the waitlist is not taken until confirmed: the indicators count it as waiting.
    frame["status"] = frame["status"].replace({"offered": "waitlisted"}).astype("category")
    return _people(frame, year)


def population(city: City) -> pd.DataFrame:
    """Inhabitants by district, age band, sex and census year (census bands shared out over ours by years covered)."""
    records: list[dict[str, Any]] = []
    rows = PopulationCount.objects.filter(district__city=city).values_list(
        "district__code", "age_min", "age_max", "sex", "year", "count"
    )
    for district, age_min, age_max, sex, year, count in rows:
        for _column, band, share in band_shares(age_min, age_max):
            records.append({"district": district, "age_band": band, "sex": sex, "year": year, "count": count * share})
    frame = pd.DataFrame(records, columns=["district", "age_band", "sex", "year", "count"])
    grouped: pd.DataFrame = frame.groupby(["district", "age_band", "sex", "year"], as_index=False)[["count"]].sum()
    return grouped


def opportunities(city: City) -> dict[str, pd.DataFrame]:
    """Published offers of the city and their links to building blocks, audiences, languages and topics."""
    published = Opportunity.objects.published().filter(city=city)
    rows = published.values_list(
        "id", "venue__district__code", "is_free", "mode", "venue__step_free_access", "organisation_id",
        "organisation__sector", "last_verified",
    )  # fmt: skip
    frame = pd.DataFrame(list(rows), columns=["id", "district", "is_free", "mode", "step_free", "organisation_id",
                                              "sector", "last_verified"])  # fmt: skip
    verified = pd.to_datetime(frame.pop("last_verified"))
    frame["verified_recently"] = (pd.Timestamp.now() - verified).dt.days <= 365
    frame["step_free"] = frame["step_free"].fillna(False).astype(bool)
    through = Opportunity.building_blocks.through.objects.filter(opportunity__in=published)
    links = {
        "opportunity_building_blocks": pd.DataFrame(
            list(through.values_list("opportunity_id", "buildingblock__code")),
            columns=["opportunity_id", "building_block"],
        ),
        "opportunity_audiences": pd.DataFrame(
            list(Opportunity.audience_labels.through.objects.filter(opportunity__in=published)
                 .values_list("opportunity_id", "audiencelabel__code")),
            columns=["opportunity_id", "audience"],
        ),
        "opportunity_languages": pd.DataFrame(
            list(Opportunity.languages.through.objects.filter(opportunity__in=published)
                 .values_list("opportunity_id", "language_id")),
            columns=["opportunity_id", "language"],
        ),
    }  # fmt: skip
    return {"opportunities": frame, **links}


def feedback_tables(city: City, year: int) -> dict[str, pd.DataFrame]:
    """Ratings and follow-up answers of residents, with their breakdowns (no names)."""
    person = ["registration__user__year_of_birth", "registration__user__sex", "registration__user__district__code"]
    ratings = Feedback.objects.filter(registration__session__opportunity__city=city, created_at__year=year)
    answers = FollowUp.objects.filter(registration__session__opportunity__city=city, created_at__year=year)
    feedback = pd.DataFrame(list(ratings.values_list(*person, "created_at", "rating")),
                            columns=["year_of_birth", "sex", "district", "submitted_on", "rating"])  # fmt: skip
    follow_ups = pd.DataFrame(list(answers.values_list(*person, "created_at", "outcome")),
                              columns=["year_of_birth", "sex", "district", "answered_on", "outcome"])  # fmt: skip
    for frame, column in [(feedback, "submitted_on"), (follow_ups, "answered_on")]:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(city.time_zone)
    return {"feedback": _people(feedback, year), "follow_ups": _people(follow_ups, year)}


def statistics(city: City) -> pd.DataFrame:
    """Imported statistics of the city's indicators."""
    rows = StatisticValue.objects.filter(indicator__city=city, indicator__retired=False).values_list(
        "indicator__code", "area", "year", "value", "source"
    )
    return pd.DataFrame(list(rows), columns=["indicator", "area", "year", "value", "source"])


def free_offer_access(city: City) -> pd.DataFrame:
    """Per district and age band: residents within a 10-minute walk of a venue with a free offer (learning deserts)."""
    from learningcity.monitoring.access import AccessQuery, city_access
    from learningcity.monitoring.inputs import SupplyFilters

    columns = ["district", "age_band", "population", "population_within"]
    # Cells' parents index the districts that have a boundary, in code order (as city_access reads them).
    codes = [district.code for district in city.districts.order_by("code") if district.boundary]
    if not codes:
        return pd.DataFrame(columns=columns)  # no mapped district: the indicator reads "no data"
    result = city_access(city, AccessQuery(measure="nearest", supply=SupplyFilters(free_only=True)))
    parents = result.cells.frame["parent"].to_numpy(dtype=int)
    within = (result.nearest <= WALK_METRES).astype(float)
    rows = []
    for band in result.cells.population.columns:
        people = result.cells.population[band].to_numpy(dtype=float)
        totals = np.bincount(parents, weights=people, minlength=len(codes))
        near = np.bincount(parents, weights=people * within, minlength=len(codes))
        rows += [[code, band, totals[i], near[i]] for i, code in enumerate(codes)]
    return pd.DataFrame(rows, columns=columns)


def indicator_tables(city: City, year: int) -> dict[str, pd.DataFrame]:
    """Every table the default indicators need that the platform holds today."""
    return {
        "free_offer_access": free_offer_access(city),
        "participations": participations(city, year),
        "population": population(city),
        **opportunities(city),
        **feedback_tables(city, year),
        "statistics": statistics(city),
        **festival_tables(city),
    }
