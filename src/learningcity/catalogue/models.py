"""The catalogue: who offers what learning, where and when, in a city of a network."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from learningcity import public_cache

MAX_AGE = 120


class BilingualName(models.Model):
    """Vocabulary entries named in French and English: `name` picks the active language."""

    name_fr: str
    name_en: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return localized(self.name_fr, self.name_en)


class City(models.Model):
    """A learning city; every district, venue, organisation and indicator belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    country_code = models.CharField(_("country"), max_length=2, default="FR")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """An area of a city used for planning and for measuring who is reached."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="district_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def population(self) -> int:
        """Total inhabitants over all age bands and sexes."""
        return int(self.population_counts.aggregate(total=models.Sum("count"))["total"] or 0)


class PopulationCount(models.Model):
    """Inhabitants of a district in one age band and sex (census or estimate)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="population_counts")
    age_min = models.PositiveSmallIntegerField(_("minimum age"))
    age_max = models.PositiveSmallIntegerField(_("maximum age"))
    sex = models.CharField(_("sex"), max_length=1, choices=[("F", _("Female")), ("M", _("Male"))])
    count = models.PositiveIntegerField(_("inhabitants"))
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(fields=["district", "age_min", "sex", "year"], name="population_band_unique"),
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="population_ages_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.age_min}-{self.age_max} {self.sex} {self.year}: {self.count}"


class Sector(models.TextChoices):
    """Formal, non-formal or informal learning, as in UNESCO's vocabulary."""

    FORMAL = "formal", _("Formal")
    NON_FORMAL = "non_formal", _("Non-formal")
    INFORMAL = "informal", _("Informal")


class OrganisationType(models.TextChoices):
    """What kind of body a provider is."""

    SCHOOL = "school", _("School")
    UNIVERSITY = "university", _("University")
    VOCATIONAL = "vocational", _("Vocational training centre")
    LIBRARY = "library", _("Library")
    MUSEUM = "museum", _("Museum")
    ASSOCIATION = "association", _("Association")
    EMPLOYER = "employer", _("Employer")
    CITY_SERVICE = "city_service", _("City service")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    ONLINE_PLATFORM = "online_platform", _("Online platform")
    CULTURAL = "cultural", _("Cultural venue")
    SPORTS = "sports", _("Sports club")


siret_validator = RegexValidator(r"^\d{14}$", _("A SIRET number has exactly 14 digits."))


def siret_checksum_valid(siret: str) -> bool:
    """The Luhn check that every SIRET satisfies."""
    total = 0
    for index, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


class Organisation(models.Model):
    """A provider of learning: school, library, museum, association, employer, city service..."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    verified = models.BooleanField(_("verified by the city"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["city", "sector"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.siret and not siret_checksum_valid(self.siret):
            raise ValidationError({"siret": _("This SIRET number fails its checksum.")})

    @property
    def description(self) -> str:
        """The description in the active language, falling back to the other one."""
        return localized(self.description_fr, self.description_en)


class Venue(models.Model):
    """A place where learning happens, with its accessibility features."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="venues")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="venues")
    opening_hours = models.CharField(
        _("opening hours"), max_length=255, blank=True, help_text=_("OpenStreetMap syntax, e.g. Mo-Fr 09:00-18:00")
    )
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilets = models.BooleanField(_("accessible toilets"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    sign_language = models.BooleanField(_("sign language"), default=False)
    easy_read = models.BooleanField(_("easy-read material"), default=False)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="venue_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accessibility_features(self) -> list[str]:
        """Human-readable names of the features this venue has."""
        names = [
            (self.step_free_access, _("step-free access")),
            (self.accessible_toilets, _("accessible toilets")),
            (self.hearing_loop, _("hearing loop")),
            (self.sign_language, _("sign language")),
            (self.easy_read, _("easy-read material")),
        ]
        return [str(label) for present, label in names if present]


class BuildingBlock(BilingualName):
    """One of UNESCO's six building blocks of a learning city."""

    code = models.SlugField(_("code"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("building block")
        verbose_name_plural = _("building blocks")
        ordering = ["position"]


class Topic(BilingualName):
    """A subject in the catalogue's taxonomy, optionally mapped to a Formacode code."""

    code = models.SlugField(_("code"), unique=True, max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    formacode = models.CharField(_("Formacode"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$")])

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["code"]


class AudienceLabel(BilingualName):
    """A group an opportunity is meant for: families, seniors, job seekers, newcomers..."""

    code = models.SlugField(_("code"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["code"]


class Language(BilingualName):
    """A language learning can happen in (ISO 639-1 code)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["code"]


class Kind(models.TextChoices):
    """The format of a learning opportunity."""

    COURSE = "course", _("Course")
    WORKSHOP = "workshop", _("Workshop")
    TALK = "talk", _("Talk")
    CLUB = "club", _("Club")
    GUIDED_VISIT = "guided_visit", _("Guided visit")
    FESTIVAL_EVENT = "festival_event", _("Festival event")
    SELF_PACED = "self_paced", _("Self-paced resource")
    ONLINE_COURSE = "online_course", _("Online course")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    VOLUNTEERING = "volunteering", _("Volunteering")
    MENTORING = "mentoring", _("Mentoring")


class Mode(models.TextChoices):
    """Where the learning happens."""

    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class Status(models.TextChoices):
    """Editorial workflow: providers draft and submit, coordinators publish and archive."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    """Filters shared by pages and the API."""

    def published(self) -> OpportunityQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Opportunity(models.Model):
    """A learning opportunity offered by an organisation: a course, workshop, visit, club..."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="opportunities")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="opportunities")
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    building_blocks = models.ManyToManyField(
        BuildingBlock, verbose_name=_("building blocks"), related_name="opportunities"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="opportunities")
    audience_labels = models.ManyToManyField(
        AudienceLabel, verbose_name=_("audiences"), blank=True, related_name="opportunities"
    )
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), related_name="opportunities")
    age_min = models.PositiveSmallIntegerField(_("minimum age"), default=0, validators=[MaxValueValidator(MAX_AGE)])
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), default=MAX_AGE, validators=[MaxValueValidator(MAX_AGE)]
    )
    is_free = models.BooleanField(_("free of charge"), default=True)
    price = models.DecimalField(_("price (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    reduced_price = models.DecimalField(_("reduced price (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    reduced_price_conditions_fr = models.CharField(_("reduced price conditions (French)"), max_length=300, blank=True)
    reduced_price_conditions_en = models.CharField(_("reduced price conditions (English)"), max_length=300, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ON_SITE)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities"
    )
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registration_required = models.BooleanField(_("registration required"), default=False)
    booked_as_series = models.BooleanField(
        _("booked as one series"), default=False, help_text=_("Registering books every session of the course")
    )
    credential_fr = models.CharField(_("credential it leads to (French)"), max_length=200, blank=True)
    credential_en = models.CharField(_("credential it leads to (English)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_note = models.TextField(_("note from the reviewer"), blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last modified"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["city", "status", "kind"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "age_min", "age_max"]),
            # Newest listings first (home, list, organisation and venue pages) without sorting every listing.
            models.Index(fields=["city", "status", "-published_at", "-id"], name="opportunity_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="opportunity_ages_ordered"),
            models.CheckConstraint(condition=Q(age_max__lte=MAX_AGE), name="opportunity_age_max_plausible"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="opportunity_price_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(reduced_price__isnull=True) | Q(reduced_price__gte=0),
                name="opportunity_reduced_price_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_free=False) | Q(price__isnull=True) | Q(price=0),
                name="opportunity_free_has_no_price",
            ),
            models.CheckConstraint(condition=~Q(mode="online") | ~Q(online_url=""), name="opportunity_online_has_link"),
            models.CheckConstraint(
                condition=Q(mode="online") | Q(venue__isnull=False), name="opportunity_on_site_has_venue"
            ),
            models.CheckConstraint(condition=~Q(title_fr="") | ~Q(title_en=""), name="opportunity_has_a_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language, falling back to the other one."""
        return localized(self.title_fr, self.title_en)

    @property
    def description(self) -> str:
        """The description in the active language, falling back to the other one."""
        return localized(self.description_fr, self.description_en)

    @property
    def credential(self) -> str:
        """The credential in the active language."""
        return localized(self.credential_fr, self.credential_en)

    @property
    def reduced_price_conditions(self) -> str:
        """Who gets the reduced price, in the active language."""
        return localized(self.reduced_price_conditions_fr, self.reduced_price_conditions_en)

    @property
    def slug(self) -> str:
        """A URL fragment from the title."""
        return slugify(self.title)[:60] or "opportunity"

    def content_language(self) -> str:
        """The language the title is actually shown in (for `lang` attributes)."""
        wanted = (get_language() or "fr")[:2]
        if wanted == "en" and self.title_en:
            return "en"
        if wanted == "fr" and self.title_fr:
            return "fr"
        return "fr" if self.title_fr else "en"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _("The maximum age must be at least the minimum age.")
        if not self.title_fr and not self.title_en:
            errors["title_fr"] = _("Give a title in French or in English.")
        if self.is_free and self.price:
            errors["price"] = _("A free opportunity has no price.")
        if not self.is_free and self.price is None:
            errors["price"] = _("Give the price, or mark the opportunity as free.")
        if self.mode == Mode.ONLINE and not self.online_url:
            errors["online_url"] = _("An online opportunity needs its link.")
        if self.mode != Mode.ONLINE and self.venue_id is None:
            errors["venue"] = _("An opportunity on site needs a venue.")
        if errors:
            raise ValidationError(errors)

    def is_verified_recently(self, today: date | None = None, days: int = 365) -> bool:
        """Whether the provider confirmed the listing within `days` days."""
        if self.last_verified is None:
            return False
        return ((today or timezone.localdate()) - self.last_verified).days <= days


class Session(models.Model):
    """A dated occurrence of an opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    recurrence_rule = models.CharField(_("recurrence rule (RFC 5545)"), max_length=300, blank=True)
    series_key = models.CharField(
        _("series"), max_length=36, blank=True, help_text=_("Sessions of one series share this key")
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start"]
        indexes = [models.Index(fields=["opportunity", "start"]), models.Index(fields=["start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} — {self.start:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})


def localized(french: str, english: str) -> str:
    """Pick the text in the active language, falling back to whichever exists."""
    if (get_language() or settings.LANGUAGE_CODE).startswith("en"):
        return english or french
    return french or english


# Anonymous visitors' kept answers (learningcity/public_cache.py) are dropped at each catalogue change.
public_cache.connect_signals()
