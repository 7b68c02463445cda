"""Writes of the monitoring app: learners' feedback and follow-ups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.indicators import import_statistics, load_framework
from learningcity.catalogue.models import City
from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import CityIndicator, Feedback, FollowUp, Source, StatisticValue

FOLLOW_UP_AFTER = timedelta(days=28)


def _check_attended(registration: Registration, by: Any) -> None:
    if registration.user_id != by.pk:
        raise PermissionDenied(_("This is someone else's registration."))
    if registration.attended is not True:
        raise ValidationError(_("Feedback is open to people who attended the session."))
    if registration.session.end > timezone.now():
        raise ValidationError(_("Feedback opens when the session is over."))


AnswerT = TypeVar("AnswerT", Feedback, FollowUp)


def _save_once(answer: AnswerT, already: str) -> AnswerT:
    """Validate and save a learner's answer; a second answer for the same registration is refused."""
    answer.full_clean(exclude=["registration"])
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as error:
        raise ValidationError(already) from error
    return answer


@transaction.atomic
def feedback_give(*, registration: Registration, by: Any, rating: int, comment: str = "") -> Feedback:
    """A learner rates a session they attended, once."""
    _check_attended(registration, by)
    feedback = Feedback(registration=registration, rating=rating, comment=comment.strip())
    return _save_once(feedback, _("You already gave your feedback on this session."))


@transaction.atomic
def follow_up_give(*, registration: Registration, by: Any, outcome: str, comment: str = "") -> FollowUp:
    """Some weeks later, a learner says what the learning led to, once."""
    _check_attended(registration, by)
    if timezone.now() < registration.session.end + FOLLOW_UP_AFTER:
        raise ValidationError(_("The follow-up question opens four weeks after the session."))
    follow_up = FollowUp(registration=registration, outcome=outcome, comment=comment.strip())
    return _save_once(follow_up, _("You already answered this question."))


@transaction.atomic
def indicators_install(*, city: City) -> int:
    """Give a city the framework's default indicators it does not track yet; returns how many were added."""
    framework = load_framework()
    existing = set(CityIndicator.objects.filter(city=city).values_list("code", flat=True))
    new = [
        CityIndicator(
            city=city,
            code=indicator.code,
            sub_area=indicator.sub_area,
            name_fr=indicator.name.fr,
            name_en=indicator.name.en,
            definition_fr=indicator.definition.fr,
            definition_en=indicator.definition.en,
            unit=indicator.unit,
            direction=indicator.direction,
            source=indicator.source,
            breakdowns=list(indicator.breakdowns),
            target=indicator.target,
            goalpost_low=indicator.goalposts[0],
            goalpost_high=indicator.goalposts[1],
            method=indicator.method,
            framework_version=framework.version,
        )
        for indicator in framework.indicators
        if indicator.code not in existing
    ]
    CityIndicator.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def statistics_import(*, city: City, csv_text: str, indicator: str | None = None) -> tuple[int, int]:
    """Import official statistics (indicator, area, year, value, source) all or nothing; returns (created, updated).

    Every indicator must be one the city tracks with an imported source (statistic or survey); a
    value already imported for the same area and year is replaced by the newer file.
    """
    try:
        rows = import_statistics(csv_text, indicator=indicator)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    tracked = {
        item.code: item
        for item in CityIndicator.objects.filter(city=city, retired=False, source__in=[Source.STATISTIC, Source.SURVEY])
    }
    unknown = sorted(set(rows["indicator"]) - set(tracked))
    if unknown:
        raise ValidationError(
            _("These indicators are not imported statistics of this city: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    created = updated = 0
    for row in rows.to_dict("records"):
        _value, was_created = StatisticValue.objects.update_or_create(
            indicator=tracked[str(row["indicator"])],
            area=str(row["area"]),
            year=int(row["year"]),
            defaults={"value": float(row["value"]), "source": str(row["source"]), "imported_at": timezone.now()},
        )
        created += was_created
        updated += not was_created
    return created, updated
