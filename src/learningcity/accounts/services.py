"""Writes about people's roles."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from learningcity.accounts.models import User
from learningcity.catalogue.models import City

COORDINATORS_GROUP = "Coordinators"


def coordinators_group() -> Group:
    """The "Coordinators" group, with add, change and view permissions on every catalogue model."""
    group, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    codenames = [
        f"{action}_{model._meta.model_name}"
        for model in apps.get_app_config("catalogue").get_models()
        for action in ("add", "change", "view")
    ]
    permissions = Permission.objects.filter(content_type__app_label="catalogue", codename__in=codenames)
    group.permissions.add(*permissions)
    return group


@transaction.atomic
def coordinator_appoint(*, user: User, city: City) -> User:
    """Make someone a coordinator of a city, with access to the admin for that city's catalogue."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.coordinated_cities.add(city)
    user.groups.add(coordinators_group())
    return user
