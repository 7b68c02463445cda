"""Builders shared by the awarding tests (this module holds no test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.accounts.models import User
from learningcity.passport import services
from learningcity.passport.models import Achievement, Award
from tests.factories import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make_achievement(world: World, **fields: Any) -> Achievement:
    """An achievement of provider A (pass `organisation=None` for the city's own)."""
    values: dict[str, Any] = {
        "city": world.city,
        "organisation": world.org_a,
        "name_fr": "Atelier numérique",
        "name_en": "Digital workshop",
        "description_fr": "Les bases du numérique.",
        "description_en": "Digital basics.",
        "criteria_fr": "Suivre trois séances",
        "criteria_en": "Attend three sessions",
    }
    values.update(fields)
    return Achievement.objects.create(**values)


def person(world: World, role: str) -> User:
    """The persona's account (every role but "anonymous" has one)."""
    user = world.users[role]
    assert user is not None
    return user


def give(world: World, achievement: Achievement, role: str = "other_resident", **options: Any) -> Award:
    """Award `achievement` to a persona, by hand."""
    return services.award(achievement, services.Holder(user=person(world, role)), by=None, method="hand", **options)


def url(name: str, *args: Any, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def page(client: Client, name: str, *args: Any, language: str = "en", query: str = "") -> str:
    """The page's HTML, after checking it answered 200."""
    response = client.get(url(name, *args, language=language) + query)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def upload(content: bytes, name: str = "list.csv", content_type: str = "text/csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
