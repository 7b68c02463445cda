"""People who use the platform and the roles they hold."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager["User"]):
    """Creates users identified by e-mail address."""

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class Sex(models.TextChoices):
    """Sex as recorded in population statistics; residents may decline to say."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNSAID = "", _("Prefer not to say")


class User(AbstractUser):
    """A person with an account: resident, provider staff, coordinator or admin."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, default="")
    district = models.ForeignKey(
        "catalogue.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    coordinated_cities = models.ManyToManyField(
        "catalogue.City", verbose_name=_("cities coordinated"), blank=True, related_name="coordinators"
    )
    email_verified_at = models.DateTimeField(_("e-mail address verified"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = EmailUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_of_birth__isnull=True) | models.Q(year_of_birth__gte=1900),
                name="user_year_of_birth_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def email_verified(self) -> bool:
        """The person opened the link we e-mailed to their current address."""
        return self.email_verified_at is not None

    @property
    def is_coordinator(self) -> bool:
        """Coordinates at least one city (admins count as coordinators)."""
        return self.is_superuser or self.coordinated_cities.exists()

    def organisation_ids(self) -> set[int]:
        """The organisations this person works for."""
        return set(self.memberships.values_list("organisation_id", flat=True))


class Membership(models.Model):
    """A person working for a provider organisation, allowed to edit its listings."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey("catalogue.Organisation", on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class FamilyMemberQuerySet(models.QuerySet["FamilyMember"]):
    """Family members still on their guardian's list."""

    def current(self) -> FamilyMemberQuerySet:
        return self.filter(removed_at__isnull=True)


class FamilyMember(models.Model):
    """A child or other relative whom an account holder registers for sessions from their own account.

    Removing one keeps the row (marked removed) so that past registrations and attendance stay whole.
    """

    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="family_members")
    name = models.CharField(_("name"), max_length=150)
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"))
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = FamilyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["year_of_birth", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year_of_birth__gte=1900), name="family_member_born_after_1900"),
            models.CheckConstraint(condition=~models.Q(name=""), name="family_member_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.year_of_birth is not None and self.year_of_birth > timezone.localdate().year:
            raise ValidationError({"year_of_birth": _("The year of birth cannot be in the future.")})
        if self.year_of_birth is not None and self.year_of_birth < 1900:
            raise ValidationError({"year_of_birth": _("Give a year of birth from 1900 on.")})
        if not (self.name or "").strip():
            raise ValidationError({"name": _("Give the person's name.")})


class ApiScope(models.TextChoices):
    """What an API token may do: reading, and each family of writes of the API (issue 9)."""

    READ = "read", _("Read my data (registrations, rosters, imports)")
    REGISTRATIONS_WRITE = "registrations:write", _("Register, cancel and confirm places")
    IMPORTS_WRITE = "imports:write", _("Upload and commit imports")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Tokens that still work: neither revoked nor expired."""

    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        return self.filter(unexpired, revoked_at__isnull=True)


class ApiToken(models.Model):
    """A secret that lets a provider's or partner's program use the API as its owner, within its scopes.

    Only a SHA-256 hash of the token is kept; the token itself (`lc_<prefix>_<secret>`) is shown once.
    A token bound to an organisation acts for that organisation only (its owner must be its staff).
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    token_hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="api_token_has_a_name"),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (lc_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def clean(self) -> None:
        if not (self.name or "").strip():
            raise ValidationError({"name": _("Give the token a name (what uses it).")})
        unknown = set(self.scopes or []) - set(ApiScope.values)
        if not self.scopes or unknown:
            raise ValidationError({"scopes": _("Choose at least one scope from the list.")})
