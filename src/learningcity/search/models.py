"""The search index (one row per published opportunity), its vocabulary, saved searches and demand.

`SearchEntry` is a flat copy of what search filters, counts and sorts on, kept in step with the
catalogue in the same transaction (see `indexing`). The full-text part lives beside it in the
engine's own structure: an FTS5 table on SQLite, generated `tsvector` columns with GIN indexes
on PostgreSQL (created by this app's migrations).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import City, District, Opportunity, Organisation


class SearchEntry(models.Model):
    """What the search engine knows of one published opportunity."""

    opportunity = models.OneToOneField(
        Opportunity, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32)
    mode = models.CharField(max_length=16)
    sector = models.CharField(max_length=16)
    age_min = models.PositiveSmallIntegerField()
    age_max = models.PositiveSmallIntegerField()
    is_free = models.BooleanField()
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    blocks = models.PositiveIntegerField(default=0, help_text="bit n: building block at position n+1")
    access = models.PositiveIntegerField(default=0, help_text="bit n: accessibility feature n (see facets)")
    days = models.PositiveIntegerField(default=0, help_text="bit n: a coming session on weekday n (Monday 0)")
    times = models.PositiveIntegerField(default=0, help_text="bit n: a coming session in part of day n")
    languages = models.CharField(max_length=200, blank=True, help_text="' fra eng ': codes between spaces")
    topics = models.CharField(max_length=500, blank=True, help_text="' 3 12 ': topic ids and their parents")
    next_start = models.DateTimeField(null=True, blank=True)
    last_end = models.DateTimeField(null=True, blank=True)
    has_places = models.BooleanField(default=True)
    generation = models.BigIntegerField(default=0, help_text="the city's index generation that wrote this row")

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [
            models.Index(fields=["city", "next_start"]),
            models.Index(fields=["city", "last_end"]),
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["city", "generation"]),
        ]

    def __str__(self) -> str:
        return f"search entry {self.pk}"


class SearchGeneration(models.Model):
    """A counter per city, raised in the same transaction as every change to its search index.

    Searching processes keep a columnar copy of the index in memory (`snapshot`); comparing
    generations tells them, with one tiny query, whether and what to refresh.
    """

    city = models.OneToOneField(City, primary_key=True, on_delete=models.CASCADE, related_name="+")
    number = models.BigIntegerField(default=0)
    rebuilt = models.BigIntegerField(default=0, help_text="the generation of the last full rebuild")

    def __str__(self) -> str:
        return f"{self.city_id}: generation {self.number}"


class SearchRemoval(models.Model):
    """An entry removed from the index (unpublished or deleted), so that copies in memory drop it too.

    Plain numbers, not foreign keys: the listing (and even its city) may be gone.
    """

    city_id = models.BigIntegerField()
    opportunity_id = models.BigIntegerField()
    generation = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["city_id", "generation"])]

    def __str__(self) -> str:
        return f"removed {self.opportunity_id} at {self.generation}"


class SearchText(models.Model):
    """The analysed words of a listing (see `analysis`), apart from `SearchEntry` so that counting
    and sorting scan narrow rows; the engine's full-text index is built on this table."""

    entry = models.OneToOneField(SearchEntry, primary_key=True, on_delete=models.CASCADE, related_name="text")
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    generation = models.BigIntegerField(default=0, help_text="the city's index generation that last changed the text")

    class Meta:
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")

    def __str__(self) -> str:
        return f"search text {self.pk}"


class SearchTerm(models.Model):
    """A word of the catalogue, for spelling fixes and completion ("bibliotheqe" -> "bibliotheque")."""

    term = models.CharField(max_length=100, unique=True)
    frequency = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term


class SavedSearch(models.Model):
    """A resident's search, kept so that they hear of new opportunities that match it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("search"), max_length=2000, help_text=_("The search's parameters, as in its address"))
    alerts = models.BooleanField(_("e-mail me new matches"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class SavedSearchAlert(models.Model):
    """An opportunity already announced for a saved search (so nobody is told twice)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerts_sent")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "opportunity"], name="saved_search_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.saved_search} → {self.opportunity_id}"


class QueryStatistic(models.Model):
    """How often a query was asked on a day, and how often it found nothing (no person is recorded)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    empty = models.PositiveIntegerField(default=0, help_text="searches that found nothing")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "day", "query"], name="query_statistic_unique")]
        indexes = [models.Index(fields=["city", "day"])]

    def __str__(self) -> str:
        return f"{self.query} ({self.day})"


class SearchPreference(models.Model):
    """A resident's choice about personal suggestions ("for you"): off until they turn it on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_preference")
    suggestions = models.BooleanField(_("show me suggestions based on my own record"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("search preference")
        verbose_name_plural = _("search preferences")

    def __str__(self) -> str:
        return f"{self.user}: suggestions {'on' if self.suggestions else 'off'}"
