"""Writes about people: their roles, their verified e-mail address, their family members."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember, User
from learningcity.accounts.signals import family_member_removing
from learningcity.catalogue.models import City

COORDINATORS_GROUP = "Coordinators"
VERIFICATION_SALT = "learningcity.accounts.verify-email"
DEFAULT_VERIFICATION_DAYS = 3


def coordinators_group() -> Group:
    """The "Coordinators" group: add, change and view on the catalogue and on the city's indicators."""
    group, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    models = [
        *apps.get_app_config("catalogue").get_models(),
        apps.get_model("monitoring", "CityIndicator"),
        apps.get_model("monitoring", "StatisticValue"),
    ]
    for model in models:
        codenames = [f"{action}_{model._meta.model_name}" for action in ("add", "change", "view")]
        app_label = model._meta.app_label
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    return group


@transaction.atomic
def coordinator_appoint(*, user: User, city: City) -> User:
    """Make someone a coordinator of a city, with access to the admin for that city's catalogue."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.coordinated_cities.add(city)
    user.groups.add(coordinators_group())
    return user


# --- e-mail verification ---------------------------------------------------------------------------


def verification_lifetime() -> timedelta:
    """How long a verification link works (EMAIL_VERIFICATION_DAYS, 3 days by default)."""
    return timedelta(days=int(getattr(settings, "EMAIL_VERIFICATION_DAYS", DEFAULT_VERIFICATION_DAYS)))


def email_verification_token(user: User) -> str:
    """A signed, timestamped token naming the account and the address it proves (a new address needs a new one)."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFICATION_SALT, compress=True)


def email_verification_send(*, user: User) -> None:
    """E-mail the person a link that proves they read this address; sent by the task worker after commit."""
    from learningcity.accounts import tasks

    if user.email_verified:
        return
    transaction.on_commit(partial(tasks.send_verification_email.enqueue, user.pk))


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Mark the address in a valid link as verified; a second use of the link changes nothing."""
    try:
        data: dict[str, Any] = signing.loads(token, salt=VERIFICATION_SALT, max_age=verification_lifetime())
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Log in and ask for a new one."), code="expired") from error
    except signing.BadSignature as error:
        raise ValidationError(
            _("This link is not valid. Copy the whole address from the e-mail."), code="invalid"
        ) from error
    user = User.objects.select_for_update().filter(pk=int(data.get("user") or 0), is_active=True).first()
    if user is None or user.email.lower() != str(data.get("email", "")).lower():
        raise ValidationError(_("This link is for an address that is no longer on the account."), code="stale")
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


# --- family members --------------------------------------------------------------------------------


@transaction.atomic
def family_member_add(*, account: User, name: str, year_of_birth: int) -> FamilyMember:
    """A guardian adds a child or another relative they will register from their account."""
    member = FamilyMember(account=account, name=name.strip(), year_of_birth=year_of_birth)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def family_member_remove(*, member: FamilyMember, by: Any) -> FamilyMember:
    """Take someone off the family list; refused while they hold an upcoming place or wait for one."""
    from learningcity.enrolment.models import ACTIVE

    if member.account_id != by.pk:
        raise PermissionDenied(_("This person is not on your family list."))
    upcoming = member.registrations.filter(status__in=ACTIVE, session__start__gt=timezone.now())
    if upcoming.exists():
        raise ValidationError(
            _("%(name)s is registered for a session still to come: cancel it first.") % {"name": member.name}
        )
    family_member_removing.send(sender=FamilyMember, member=member, by=by)
    member.removed_at = timezone.now()
    member.save(update_fields=["removed_at"])
    return member
