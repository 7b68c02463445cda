"""A city's indicators and statistics, its own report texts, and what learners say (ratings, follow-ups)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    """A learner's rating (1 to 5) and comment on a session they attended."""

    registration = models.OneToOneField("enrolment.Registration", on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.registration} — {self.rating}/5"


class Outcome(models.TextChoices):
    """What the learning led to, asked some weeks later."""

    FURTHER_LEARNING = "further_learning", _("I went on learning (another course, a club...)")
    JOB = "job", _("It helped me find or keep a job")
    VOLUNTEERING = "volunteering", _("I started volunteering")
    SHARED = "shared", _("I shared what I learned with others")
    CONFIDENCE = "confidence", _("I feel more confident")
    NOTHING_YET = "nothing_yet", _("Nothing yet")


class FollowUp(models.Model):
    """Some weeks after attending: what the learning led to."""

    registration = models.OneToOneField("enrolment.Registration", on_delete=models.CASCADE, related_name="follow_up")
    outcome = models.CharField(_("what it led to"), max_length=32, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.registration} — {self.outcome}"


class Direction(models.TextChoices):
    """Whether more of an indicator is better."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Source(models.TextChoices):
    """Where an indicator's values come from."""

    PLATFORM = "platform", _("Computed from the platform")
    STATISTIC = "statistic", _("Imported statistic")
    SURVEY = "survey", _("Survey")


class CityIndicator(models.Model):
    """An indicator a city tracks under UNESCO's framework; coordinators add, edit and retire them."""

    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=64)
    sub_area = models.CharField(_("sub-area"), max_length=8, help_text=_("Framework sub-area, e.g. 2.3"))
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    definition_fr = models.TextField(_("definition (French)"))
    definition_en = models.TextField(_("definition (English)"))
    unit = models.CharField(_("unit"), max_length=32)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    goalpost_low = models.FloatField(_("lower goalpost"))
    goalpost_high = models.FloatField(_("upper goalpost"))
    method = models.CharField(_("computation"), max_length=64, blank=True, help_text=_("Platform method, if any"))
    parameters = models.JSONField(_("computation parameters"), default=dict, blank=True)
    framework_version = models.CharField(_("framework version"), max_length=16, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sub_area", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="indicator_code_unique_per_city"),
            models.CheckConstraint(
                condition=Q(goalpost_low__lt=models.F("goalpost_high")), name="indicator_goalposts_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en or self.name_fr}"

    def clean(self) -> None:
        if self.goalpost_low is not None and self.goalpost_high is not None and self.goalpost_low >= self.goalpost_high:
            raise ValidationError({"goalpost_high": _("The upper goalpost must be above the lower one.")})


class StatisticValue(models.Model):
    """A value of an imported statistic or survey indicator, for the city or one of its districts, one year."""

    indicator = models.ForeignKey(CityIndicator, on_delete=models.CASCADE, related_name="values")
    area = models.CharField(_("area"), max_length=100, help_text=_("District code, or the city's name"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=300)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statistic")
        verbose_name_plural = _("statistics")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "year"], name="statistic_once_per_area_year"),
            models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2200), name="statistic_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area} {self.year}: {self.value}"


class ReportSection(models.TextChoices):
    """The narrative sections a city writes for its progress report, in report order."""

    INTRODUCTION = "introduction", _("Introduction and vision")
    GOVERNANCE = "governance", _("Governance and partners")
    HIGHLIGHTS = "highlights", _("Highlights of the year")
    NEXT_STEPS = "next_steps", _("Next steps")


class ReportText(models.Model):
    """One narrative section of a city's progress report for one year, in French and English."""

    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="report_texts")
    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=16, choices=ReportSection.choices)
    text_fr = models.TextField(_("text (French)"), blank=True, max_length=10000)
    text_en = models.TextField(_("text (English)"), blank=True, max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        ordering = ["year", "section"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year", "section"], name="report_text_once_per_section"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="report_text_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year} {self.section}"


class FollowUpReminder(models.Model):
    """The follow-up question was e-mailed for this registration (at most once)."""

    registration = models.OneToOneField(
        "enrolment.Registration", on_delete=models.CASCADE, related_name="follow_up_reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")

    def __str__(self) -> str:
        return f"{self.registration} — {self.sent_at:%Y-%m-%d}"


class ReminderPreference(models.Model):
    """Whether a person wants the follow-up question by e-mail (no row: they do)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    follow_up_emails = models.BooleanField(_("e-mail me the follow-up question"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return f"{self.user}: {'yes' if self.follow_up_emails else 'no'}"
