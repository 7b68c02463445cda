"""What learners say: a rating after a session they attended, and what it led to some weeks later."""

from __future__ import annotations

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
