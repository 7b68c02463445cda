"""Writes about people's roles."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from learningcity.accounts.models import User
from learningcity.catalogue.models import City

COORDINATORS_GROUP = "Coordinators"


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
