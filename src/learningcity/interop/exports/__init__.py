"""Exports of the public catalogue: HSDS, LHÉO, CSV, Parquet, iCalendar (`registry.export` picks the writer)."""
