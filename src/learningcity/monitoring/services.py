"""Writes of the monitoring app: a city's indicators and report texts, learners' feedback and follow-ups."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.indicators import import_statistics, load_framework
from learningcity.catalogue.models import City
from learningcity.catalogue.permissions import is_coordinator_of
from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import (
    CityIndicator,
    Feedback,
    FollowUp,
    ReminderPreference,
    ReportSection,
    ReportText,
    Source,
    StatisticValue,
)

# A follow-up e-mail is sent only within this long after the question opens, so that a first run
# (or a long pause of the daily job) does not e-mail people about sessions from long ago.
FOLLOW_UP_EMAIL_WINDOW = timedelta(days=28)


def follow_up_after() -> timedelta:
    """How long after a session ends its follow-up question opens (setting FOLLOW_UP_AFTER_DAYS)."""
    return timedelta(days=settings.FOLLOW_UP_AFTER_DAYS)


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
    if timezone.now() < registration.session.end + follow_up_after():
        raise ValidationError(
            _("The follow-up question opens %(days)s days after the session.") % {"days": follow_up_after().days}
        )
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
            parameters=dict(indicator.parameters),
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


def _check_coordinator(by: Any, city: City) -> None:
    if not is_coordinator_of(by, city.pk):
        raise PermissionDenied(_("Only the city's coordinators can change its indicators and report."))


@transaction.atomic
def indicator_save(*, indicator: CityIndicator, by: Any) -> CityIndicator:
    """Add or change one of a city's indicators, checked field by field; nothing is written if anything is wrong."""
    _check_coordinator(by, indicator.city)
    if not indicator.framework_version:
        indicator.framework_version = load_framework().version
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_retire(*, indicator: CityIndicator, by: Any, retired: bool = True) -> CityIndicator:
    """Retire an indicator (kept with its statistics, hidden from what is published), or restore it."""
    _check_coordinator(by, indicator.city)
    indicator.retired = retired
    indicator.save(update_fields=["retired", "updated_at"])
    return indicator


def report_texts_initial(*, city: City, year: int) -> dict[str, str]:
    """The saved texts of the year as form fields (`introduction_fr`, ...)."""
    initial: dict[str, str] = {}
    for text in ReportText.objects.filter(city=city, year=year):
        initial[f"{text.section}_fr"], initial[f"{text.section}_en"] = text.text_fr, text.text_en
    return initial


@transaction.atomic
def report_texts_save(*, city: City, year: int, by: Any, texts: dict[str, str]) -> None:
    """Save every section of the year's report texts at once (a section left empty in both languages is removed)."""
    _check_coordinator(by, city)
    for section in ReportSection.values:
        french, english = (str(texts.get(f"{section}_{language}") or "").strip() for language in ("fr", "en"))
        if not french and not english:
            ReportText.objects.filter(city=city, year=year, section=section).delete()
            continue
        text = ReportText.objects.filter(city=city, year=year, section=section).first() or ReportText(
            city=city, year=year, section=section
        )
        text.text_fr, text.text_en, text.updated_by = french, english, by
        text.full_clean()
        text.save()


def reminder_preference_set(*, user: Any, follow_up_emails: bool) -> ReminderPreference:
    """A person says whether they want the follow-up question by e-mail."""
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"follow_up_emails": follow_up_emails}
    )
    return preference


def follow_ups_enqueue(*, now: datetime | None = None) -> int:
    """Queue one follow-up e-mail per person with a question that became due; returns how many were queued.

    Run daily (`learningcity follow-ups`): the task checks again before sending, so a person is
    never e-mailed twice about the same session even if the job runs twice.
    """
    from learningcity.monitoring import tasks
    from learningcity.monitoring.selectors import follow_up_reminders_due

    users = sorted(set(follow_up_reminders_due(now=now).values_list("user_id", flat=True)))
    for user_id in users:
        transaction.on_commit(partial(tasks.send_follow_up_reminder.enqueue, user_id))
    return len(users)
