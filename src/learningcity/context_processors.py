"""Values every template needs: reading mode, map settings, the page in the other language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def site(request: HttpRequest) -> dict[str, Any]:
    """The reading mode, map settings and language alternates shared by every page."""
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    full_path = request.get_full_path()
    alternates = [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "current": code == current,
            "url": request.build_absolute_uri(translate_url(request.path, code)),
            "switch_url": reverse("switch-language") + "?" + urlencode({"lang": code, "next": full_path}),
        }
        for code, _name in settings.LANGUAGES
    ]
    return {
        "reading_mode": request.COOKIES.get("reading_mode") == "easy",
        "map_tile_url": settings.MAP_TILE_URL,
        "language_alternates": alternates,
    }
