"""The roster as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.enrolment.models import Registration
from learningcity.enrolment.selectors import Roster
from learningcity.spreadsheets import safe_cell


def roster_csv(roster: Roster) -> str:
    """One row per registration: participant, booker, contact, group, places, status, position, attendance."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([
        _("Participant"), _("Booked by"), _("E-mail"), _("Organisation of the group"), _("Places"), _("Status"),
        _("Waitlist position"), _("Present"), _("Registered at"), _("Reduced price claimed"),
    ])  # fmt: skip
    rows: list[tuple[Registration, int | None]] = [(row, None) for row in roster.confirmed + roster.offered]
    rows += [(row, position) for position, row in enumerate(roster.waitlisted, start=1)]
    for registration, position in rows:
        writer.writerow([safe_cell(value) for value in _row(registration, position)])
    return buffer.getvalue()


def _row(registration: Registration, position: int | None) -> list[Any]:
    present = {True: _("yes"), False: _("no"), None: ""}[registration.attended]
    registered = timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")
    return [
        registration.participant_name, str(registration.user), registration.user.email,
        registration.group_organisation.name if registration.group_organisation else "", registration.places,
        registration.get_status_display(), position or "", present, registered,
        _("yes") if registration.reduced_price_claimed else "",
    ]  # fmt: skip
