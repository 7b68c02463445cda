"""A minimal format for pipeline tests: a JSON list of OpportunityRecord fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from learningcity.interop.records import (
    FileRejected,
    OpportunityRecord,
    OrganisationRecord,
    Parsed,
    ParseOptions,
    RowError,
    SessionRecord,
    VenueRecord,
)


def parse(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    try:
        items = json.loads(data)
    except ValueError as error:
        raise FileRejected("not JSON") from error
    for line, item in enumerate(items, start=1):
        if "error" in item:
            yield RowError(line=line, field=item["error"], reason="bad value", external_id=item.get("id", ""))
            continue
        yield record(line, item)


def record(line: int, item: dict[str, Any]) -> OpportunityRecord:
    fields = dict(item)
    venue = fields.pop("venue", None)
    organisation = fields.pop("organisation", None)
    sessions = fields.pop("sessions", [])
    if "price" in fields and fields["price"] is not None:
        fields["price"] = Decimal(str(fields["price"]))
    return OpportunityRecord(
        line=line,
        external_id=fields.pop("id"),
        venue=VenueRecord(**venue) if venue else None,
        organisation=OrganisationRecord(**organisation) if organisation else None,
        sessions=[
            SessionRecord(start=datetime.fromisoformat(start), end=datetime.fromisoformat(end))
            for start, end in sessions
        ],
        **fields,
    )
