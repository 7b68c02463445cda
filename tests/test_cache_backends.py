"""The file caches count their entries now and then, not at every write, and still stay bounded."""

from __future__ import annotations

from pathlib import Path

from learningcity.cache_backends import FileCache, SometimesCulledFileCache


def test_a_file_cache_stays_bounded_though_it_counts_its_entries_only_now_and_then(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 300, "CULL_FREQUENCY": 3}})
    for number in range(2000):
        cache.set(f"key-{number}", number, 60)
    entries = len(list(tmp_path.glob("*.djcache")))
    assert entries <= 300 + SometimesCulledFileCache.CULL_EVERY
    assert cache.get("key-1999") == 1999, "the latest entry is kept"
