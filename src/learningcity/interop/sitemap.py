"""The sitemap (sitemaps.org 0.9): every public page in French and English, each naming its translation.

`/sitemap.xml` is always an index of `/sitemap-<n>.xml` pages holding at most `MAX_URLS` addresses
each (the protocol's limit), so a city of a million listings needs no other set-up. Each public
thing (a page, a published listing, an organisation, a venue, a festival) gives one `<url>` per
language, with `xhtml:link` alternates to every language (Google's hreflang in sitemaps) and its
`lastmod` when the database knows it. `django.contrib.sitemaps` would hold every item of the
site in memory to paginate it (`i18n = True` builds a list of item × language pairs), hence this
small module, which reads only the slice a page shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from learningcity.catalogue.models import Opportunity, Organisation, Venue
from learningcity.festival.models import Festival

MAX_URLS = 50_000  # per sitemap file (sitemaps.org); each item takes one <url> per language
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
CONTENT_TYPE = "application/xml; charset=utf-8"

# Public pages with no object of their own (the address is the same for every city of the instance).
PAGES = ("home", "catalogue:opportunity-list", "search:search", "festival:index", "monitoring:key-figures")


@dataclass(frozen=True)
class Item:
    """One public thing: how to name its page (in the active language) and when it last changed."""

    path: Callable[[], str]
    lastmod: datetime | None = None


@dataclass(frozen=True)
class Section:
    """A kind of public thing: how many there are and how to read a slice of them."""

    count: Callable[[], int]
    items: Callable[[int, int], list[Item]]


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _items_per_file() -> int:
    return max(1, MAX_URLS // len(_languages()))


def _pages_section() -> Section:
    def items(offset: int, limit: int) -> list[Item]:
        changed = Opportunity.objects.published().aggregate(last=Max("updated_at"))["last"]
        listings = {"home", "catalogue:opportunity-list", "search:search"}
        chosen = PAGES[offset : offset + limit]
        return [Item(_reverser(name), changed if name in listings else None) for name in chosen]

    return Section(count=lambda: len(PAGES), items=items)


def _reverser(name: str, *args: Any) -> Callable[[], str]:
    return lambda: reverse(name, args=args)


def _queryset_section(queryset: QuerySet[Any], item: Callable[[Any], Item]) -> Section:
    def items(offset: int, limit: int) -> list[Item]:
        return [item(instance) for instance in queryset.order_by("pk")[offset : offset + limit]]

    return Section(count=queryset.count, items=items)


def _opportunity_item(opportunity: Opportunity) -> Item:
    # The slug follows the title in the active language, so it is computed when the path is.
    return Item(
        lambda: reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]), opportunity.updated_at
    )


def _organisation_item(organisation: Organisation) -> Item:
    return Item(_reverser("catalogue:organisation", organisation.pk), organisation.updated_at)


def _venue_item(venue: Venue) -> Item:
    return Item(_reverser("catalogue:venue", venue.pk))


def _festival_item(festival: Festival) -> Item:
    return Item(_reverser("festival:programme", festival.slug))


def sections() -> list[Section]:
    """Everything public, in the order the sitemap files list it."""
    return [
        _pages_section(),
        _queryset_section(
            Opportunity.objects.published().only("pk", "title_fr", "title_en", "updated_at"), _opportunity_item
        ),
        _queryset_section(Organisation.objects.only("pk", "updated_at"), _organisation_item),
        _queryset_section(Venue.objects.only("pk"), _venue_item),
        _queryset_section(Festival.objects.only("pk", "slug"), _festival_item),
    ]


def file_count(counts: Sequence[int]) -> int:
    """How many sitemap files hold these items (always at least one, even for an empty site)."""
    return max(1, math.ceil(sum(counts) / _items_per_file()))


def file_items(number: int, all_sections: Sequence[Section], counts: Sequence[int]) -> list[Item]:
    """The items of sitemap file `number` (1-based): a window over the sections laid end to end."""
    size = _items_per_file()
    start, end = (number - 1) * size, number * size
    items: list[Item] = []
    offset = 0
    for section, count in zip(all_sections, counts, strict=True):
        low, high = max(start - offset, 0), min(end - offset, count)
        if low < high:
            items.extend(section.items(low, high - low))
        offset += count
        if offset >= end:
            break
    return items


def urlset(items: Sequence[Item]) -> str:
    """A `<urlset>`: one `<url>` per item and language, each listing every language's address."""
    addresses = []
    for language in _languages():
        with translation.override(language):
            addresses.append([settings.SITE_URL + item.path() for item in items])
    by_item = list(zip(*addresses, strict=True)) if items else []
    lines = [XML_HEAD, f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n']
    for item, urls in zip(items, by_item, strict=True):
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{language}" href={quoteattr(url)}/>'
            for language, url in zip(_languages(), urls, strict=True)
        )
        lastmod = f"<lastmod>{item.lastmod.isoformat(timespec='seconds')}</lastmod>" if item.lastmod else ""
        lines.extend(f"<url><loc>{escape(url)}</loc>{lastmod}{alternates}</url>\n" for url in urls)
    lines.append("</urlset>\n")
    return "".join(lines)


def sitemap_index(files: int) -> str:
    """A `<sitemapindex>` naming sitemap files 1 to `files`."""
    entries = "".join(
        f"<sitemap><loc>{escape(settings.SITE_URL + reverse('sitemap-file', args=[number]))}</loc></sitemap>\n"
        for number in range(1, files + 1)
    )
    return f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


@require_safe
def index_view(request: HttpRequest) -> HttpResponse:
    """`/sitemap.xml`: the index of the sitemap files."""
    files = file_count([section.count() for section in sections()])
    return HttpResponse(sitemap_index(files), content_type=CONTENT_TYPE)


@require_safe
def file_view(request: HttpRequest, number: int) -> HttpResponse:
    """`/sitemap-<n>.xml`: one file of addresses; 404 past the last one."""
    all_sections = sections()
    counts = [section.count() for section in all_sections]
    if not 1 <= number <= file_count(counts):
        raise Http404
    return HttpResponse(urlset(file_items(number, all_sections, counts)), content_type=CONTENT_TYPE)


# Included at the site's root by learningcity/urls.py (outside the /fr/ and /en/ prefixes).
urlpatterns = [
    path("sitemap.xml", index_view, name="sitemap"),
    path("sitemap-<int:number>.xml", file_view, name="sitemap-file"),
]
