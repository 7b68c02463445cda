"""No page loads anything from another host: no CDN, no web fonts, no call home."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import World

ASSET = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?P<url>[^"]+)"')


@pytest.mark.parametrize(
    "url",
    [
        lambda w: "/en/",
        lambda w: "/fr/opportunities/",
        lambda w: f"/en/opportunities/{w.published.pk}/",
        lambda w: f"/en/organisations/{w.org_a.pk}/",
        lambda w: "/api/v1/docs",
        lambda w: "/en/admin/login/",
        lambda w: "/fr/key-figures/",
        lambda w: "/en/coordinate/indicators/",
    ],
)
def test_it_loads_every_asset_from_this_site(world: World, client: Client, url: Callable[[World], str]) -> None:
    page = client.get(url(world)).content.decode()
    foreign = [
        match["url"]
        for match in ASSET.finditer(page)
        if match["url"].startswith(("http:", "https:", "//")) and not match["url"].startswith("http://testserver/")
    ]
    assert foreign == []
