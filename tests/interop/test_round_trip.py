"""Round trip: the demo city exported as open data and imported into an empty city gives the same public catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from learningcity.catalogue.models import City, Opportunity, Status
from learningcity.cli import main
from learningcity.demo.generator import build_demo_city
from learningcity.interop.pipeline import run_import
from tests.demo.conftest import ANCHOR

pytestmark = pytest.mark.django_db


def public_catalogue(city: City) -> list[tuple[Any, ...]]:
    """What a resident sees of each published listing (ids differ; several listings may share a title)."""
    catalogue: list[tuple[Any, ...]] = []
    listings = Opportunity.objects.filter(city=city, status=Status.PUBLISHED).select_related("organisation", "venue")
    for listing in listings.prefetch_related("sessions", "topics", "languages"):
        venue = listing.venue
        entry = {
            "provider": listing.organisation.name,
            "title_fr": listing.title_fr,
            "title_en": listing.title_en,
            "ages": (listing.age_min, listing.age_max),
            "cost": (listing.is_free, listing.price),
            "mode": (listing.mode, listing.online_url),
            "venue": None
            if venue is None
            else (venue.name, venue.address, round(venue.latitude, 6), round(venue.longitude, 6)),
            "sessions": sorted(
                (s.start.replace(microsecond=0), s.end.replace(microsecond=0)) for s in listing.sessions.all()
            ),
            "topics": sorted(topic.code for topic in listing.topics.all()),
            "languages": sorted(language.code for language in listing.languages.all()),
        }
        catalogue.append(tuple(entry.items()))
    return sorted(catalogue, key=repr)


def test_the_demo_city_exported_and_imported_elsewhere_is_the_same_catalogue(tmp_path: Path) -> None:
    build_demo_city(size=150, residents=0, anchor=ANCHOR)
    demo = City.objects.get()
    exported = CliRunner().invoke(main, ["export", "--format", "hsds", "--output", str(tmp_path / "hsds")])
    assert exported.exit_code == 0, exported.output
    empty = City.objects.create(name="Ailleurs", slug="ailleurs", latitude=demo.latitude, longitude=demo.longitude)

    result = run_import(
        city=empty,
        format="hsds",
        content=(tmp_path / "hsds" / "services.json").read_bytes(),
        target_status="published",
        dry_run=False,
    )

    assert result.file_error is None
    assert result.counts["rejected"] == 0, [row for row in result.rows if row["errors"]][:3]
    original, copy = public_catalogue(demo), public_catalogue(empty)
    assert len(original) > 50
    missing = [dict(entry) for entry in original if entry not in copy]
    extra = [dict(entry) for entry in copy if entry not in original]
    assert not missing, (
        len(missing),
        [{k: (m[k], x.get(k)) for k in m if m[k] != x.get(k)} for m, x in zip(missing[:4], extra[:4], strict=False)],
    )
    assert copy == original
    again = run_import(
        city=empty,
        format="hsds",
        content=(tmp_path / "hsds" / "services.json").read_bytes(),
        target_status="published",
        dry_run=False,
    )
    assert again.counts["unchanged"] == result.counts["created"]
