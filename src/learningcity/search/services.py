"""Writes of the search app: saved searches, their alerts, and the choice of personal suggestions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learningcity.catalogue.models import City
from learningcity.search.forms import SearchForm
from learningcity.search.models import SavedSearch, SearchPreference

MAX_SAVED_SEARCHES = 20
NAME_MAX_LENGTH = SavedSearch._meta.get_field("name").max_length or 100
QUERY_MAX_LENGTH = SavedSearch._meta.get_field("query").max_length or 2000
# A saved search always starts on its first page; the form's other fields are the search itself.
NOT_SAVED = {"page"}


def saved_search_query(query: str, *, city: City) -> str:
    """The query string as it is kept: only search parameters, checked by `SearchForm`, page left out.

    Raises `ValidationError` (on the field "query") when the search is not one the search page accepts.
    """
    data = QueryDict(query.strip().lstrip("?"))
    kept = QueryDict(mutable=True)
    for name in SearchForm.base_fields:
        values = [value for value in data.getlist(name) if value.strip()]
        if values and name not in NOT_SAVED:
            kept.setlist(name, values)
    form = SearchForm(kept, city=city)
    if not form.is_valid():
        problems = " ".join(str(detail["message"]) for detail in form.errors_by_field())
        raise ValidationError({"query": _("This search cannot be saved: %(problems)s") % {"problems": problems}})
    cleaned = kept.urlencode()
    if len(cleaned) > QUERY_MAX_LENGTH:
        raise ValidationError({"query": _("This search is too long to be saved.")})
    return cleaned


@transaction.atomic
def saved_search_create(*, user: Any, city: City, name: str, query: str) -> SavedSearch:
    """A resident keeps a search, to come back to it and hear of new matches (alerts on)."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Give the search a name, so you recognise it in your list.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Use at most %(limit)d characters for the name.") % {"limit": NAME_MAX_LENGTH}
    try:
        query = saved_search_query(query, city=city)
    except ValidationError as error:
        errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    # Lock the person's row so that two saves at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            ngettext(
                "You can keep at most %(limit)d saved search. Delete one first.",
                "You can keep at most %(limit)d saved searches. Delete one first.",
                MAX_SAVED_SEARCHES,
            )
            % {"limit": MAX_SAVED_SEARCHES}
        )
    return SavedSearch.objects.create(user=user, city=city, name=name, query=query)


def _owned(saved_search: SavedSearch, by: Any) -> None:
    if saved_search.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This saved search is not yours."))


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch, by: Any) -> None:
    """The owner deletes a saved search (and with it the record of what it was told)."""
    _owned(saved_search, by)
    saved_search.delete()


@transaction.atomic
def saved_search_set_alerts(*, saved_search: SavedSearch, by: Any, alerts: bool) -> SavedSearch:
    """The owner turns e-mail alerts of a saved search on or off."""
    _owned(saved_search, by)
    saved_search.alerts = alerts
    saved_search.save(update_fields=["alerts"])
    return saved_search


def search_preference_set(*, user: Any, suggestions: bool) -> SearchPreference:
    """A person turns personal suggestions ("for you") on or off."""
    preference, _created = SearchPreference.objects.update_or_create(
        user=user, defaults={"suggestions": suggestions, "updated_at": timezone.now()}
    )
    return preference
