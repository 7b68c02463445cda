"""The learning festival: a city's yearly festival, its call for events and the events submitted to it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import City, Opportunity, localized


class Festival(models.Model):
    """A city's learning festival: its dates, theme and call for events (dates in the city's time zone)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="festivals")
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    theme_fr = models.CharField(_("theme (French)"), max_length=300, blank=True)
    theme_en = models.CharField(_("theme (English)"), max_length=300, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    call_opens_on = models.DateField(_("call for events opens on"))
    call_closes_on = models.DateField(_("call for events closes on"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["city", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="festival_dates_ordered"),
            models.CheckConstraint(
                condition=Q(call_closes_on__gte=F("call_opens_on")), name="festival_call_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(call_closes_on__lte=F("ends_on")), name="festival_call_closes_by_the_end"
            ),
            models.CheckConstraint(condition=~Q(name_fr="") & ~Q(name_en=""), name="festival_named_in_both"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return localized(self.name_fr, self.name_en)

    @property
    def theme(self) -> str:
        """The theme in the active language, falling back to the other one."""
        return localized(self.theme_fr, self.theme_en)

    @property
    def theme_language(self) -> str:
        """The language the theme is shown in (for `lang` attributes)."""
        wanted = (get_language() or settings.LANGUAGE_CODE)[:2]
        return "en" if self.theme_en and (wanted == "en" or not self.theme_fr) else "fr"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day must be on or after the first day.")
        if self.call_opens_on and self.call_closes_on and self.call_closes_on < self.call_opens_on:
            errors["call_closes_on"] = _("The call for events must close on or after the day it opens.")
        elif self.call_closes_on and self.ends_on and self.call_closes_on > self.ends_on:
            errors["call_closes_on"] = _("The call for events must close by the festival's last day (%(day)s).") % {
                "day": formats.date_format(self.ends_on, "DATE_FORMAT")
            }
        if errors:
            raise ValidationError(errors)

    def window(self) -> tuple[datetime, datetime]:
        """The festival as an interval of instants: midnight of the first day to midnight after the last."""
        zone = ZoneInfo(self.city.time_zone)
        start = datetime.combine(self.starts_on, time.min, zone)
        end = datetime.combine(self.ends_on + timedelta(days=1), time.min, zone)
        return start, end

    def today(self) -> date:
        """Today's date in the city."""
        return timezone.localdate(timezone=ZoneInfo(self.city.time_zone))

    def call_state(self, today: date | None = None) -> str:
        """Where the call for events stands today: "upcoming", "open" or "closed"."""
        day = today or self.today()
        if day < self.call_opens_on:
            return "upcoming"
        return "closed" if day > self.call_closes_on else "open"

    def call_is_open(self, today: date | None = None) -> bool:
        """Providers may submit events today."""
        return self.call_state(today) == "open"

    def is_over(self, today: date | None = None) -> bool:
        """The last day has passed."""
        return (today or self.today()) > self.ends_on

    def days(self) -> list[date]:
        """Every day of the festival."""
        return [self.starts_on + timedelta(days=offset) for offset in range((self.ends_on - self.starts_on).days + 1)]


class SubmissionStatus(models.TextChoices):
    """Where a submitted event stands."""

    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted into the programme")
    DECLINED = "declined", _("Not accepted")


class Submission(models.Model):
    """An event a provider proposes for a festival, and the coordinator's decision with its message."""

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="submissions")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="festival_submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note to the coordinator"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    message = models.TextField(_("message to the provider"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("festival submission")
        verbose_name_plural = _("festival submissions")
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["festival", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["festival", "opportunity"], name="festival_submission_once"),
            models.CheckConstraint(
                condition=Q(status=SubmissionStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=SubmissionStatus.PENDING) & Q(decided_at__isnull=False)),
                name="festival_submission_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} @ {self.festival}"
