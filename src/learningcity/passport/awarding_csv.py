"""Awarding from a CSV file: read it, preview every row's outcome, then award all or nothing.

The file has an `email` column (required) and may have `name`, `note` and `evidence_url`; it may be
UTF-8 (with or without BOM), Windows-1252 or Latin-1, separated by `,` or `;`. Reading is pure
(`parse`); the preview looks up accounts and holders (`preview`); awarding re-reads the database,
so a preview that went stale never awards twice (`award_rows`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from learningcity.accounts.models import User
from learningcity.passport import services
from learningcity.passport.awarding_permissions import can_manage
from learningcity.passport.models import Achievement, Award, AwardMethod

CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_ROWS = 10_000
NOTE_MAX_CHARS = 2000
URL_MAX_CHARS = 500
CHUNK = 500

COLUMNS = {
    "email": ("email", "mail", "courriel", "emailaddress", "adresseemail", "adressemail", "adressecourriel"),
    "name": ("name", "nom", "fullname", "nomcomplet", "prenomnom"),
    "note": ("note", "notes", "comment", "commentaire"),
    "evidence_url": ("evidenceurl", "evidence", "evidencelink", "preuve", "lienpreuve", "lien", "link", "url"),
}

AWARD, HELD, NO_ACCOUNT, INVALID_EMAIL, DUPLICATE, INVALID = (
    "award", "held", "no_account", "invalid_email", "duplicate", "invalid",
)  # fmt: skip
BLOCKING = (NO_ACCOUNT, INVALID_EMAIL, INVALID)
OUTCOME_LABELS = {
    AWARD: gettext_lazy("will be awarded"),
    HELD: gettext_lazy("already holds it"),
    NO_ACCOUNT: gettext_lazy("no account with this e-mail"),
    INVALID_EMAIL: gettext_lazy("invalid e-mail"),
    DUPLICATE: gettext_lazy("duplicate row"),
    INVALID: gettext_lazy("invalid row"),
}


class CsvRejected(Exception):  # noqa: N818 (a rejection for people, not a program error)
    """The whole file cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class CsvLine:
    """One data row as read: its row number in the file (the headings are row 1) and its cells."""

    row: int
    email: str
    name: str = ""
    note: str = ""
    evidence_url: str = ""

    def as_list(self) -> list[Any]:
        """A JSON-friendly form, to keep a preview in the session."""
        return [self.row, self.email, self.name, self.note, self.evidence_url]

    @classmethod
    def from_list(cls, values: Sequence[Any]) -> CsvLine:
        return cls(int(values[0]), *(str(value) for value in values[1:5]))


# Reading


def parse(data: bytes) -> list[CsvLine]:
    """The data rows of a CSV file, or CsvRejected (not text, too big, no `email` column, no rows, too many)."""
    if len(data) > CSV_MAX_BYTES:
        raise CsvRejected(
            _("The file is %(size)s, more than the %(limit)s allowed: split it into smaller files.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(CSV_MAX_BYTES)}
        )
    text = decode(data)
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines = list(_rows(reader))
    if not lines:
        raise CsvRejected(_("The file has no rows under its headings."))
    return lines


def decode(data: bytes) -> str:
    """The text of the file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvRejected(_("This is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8) first."))
    if not data.strip():
        raise CsvRejected(_("The file is empty."))
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\t\r\n")
    if "\x00" in text or controls > len(text[:8192]) // 100:
        raise CsvRejected(_("This is not a text file: save the list as CSV (UTF-8) and upload that file."))
    return text


def _heading_key(heading: str) -> str:
    folded = unicodedata.normalize("NFKD", heading.strip().lower())
    return "".join(char for char in folded if char.isalnum())


def _columns(headings: list[str]) -> dict[str, int]:
    """Which column holds what; CsvRejected without an e-mail column."""
    found: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = _heading_key(heading)
        for field, names in COLUMNS.items():
            if key in names and field not in found:
                found[field] = index
    if "email" not in found:
        shown = ", ".join(heading.strip() for heading in headings if heading.strip())[:200] or "—"
        raise CsvRejected(
            _(
                "The file has no “email” column (its first row reads: %(headings)s). "
                "Name the column of e-mail addresses “email”."
            )
            % {"headings": shown}
        )
    return found


def _rows(reader: Any) -> Iterator[CsvLine]:
    try:
        headings = next(reader, None)
        if headings is None:
            return
        columns = _columns(headings)
        count = 0
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > CSV_MAX_ROWS:
                raise CsvRejected(
                    _("The file has more than %(limit)s rows: split it into smaller files.")
                    % {"limit": f"{CSV_MAX_ROWS:,}"}
                )
            yield CsvLine(reader.line_num, *(_cell(cells, columns.get(field)) for field in COLUMNS))
    except csv.Error as error:
        raise CsvRejected(
            _("The file is not valid CSV near row %(row)s: %(detail)s.") % {"row": reader.line_num, "detail": error}
        ) from error


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


# Preview


@dataclass(frozen=True)
class PreviewRow:
    line: CsvLine
    outcome: str
    detail: str = ""
    user_id: int | None = None

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    @property
    def blocking(self) -> bool:
        return self.outcome in BLOCKING


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {outcome: counted[outcome] for outcome in OUTCOME_LABELS if counted[outcome]}

    @property
    def to_award(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.outcome == AWARD]

    @property
    def errors(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.blocking]


def preview(achievement: Achievement, lines: Sequence[CsvLine]) -> Preview:
    """Each row's outcome if awarded now: will award, already holds it, no account, invalid, duplicate."""
    emails = {line.email.lower() for line in lines if line.email}
    accounts = _accounts(emails)
    held = _held(achievement, list(accounts.values()))
    first_row: dict[str, int] = {}
    rows: list[PreviewRow] = []
    for line in lines:
        email = line.email.lower()
        rows.append(_outcome(line, email, accounts, held, first_row))
        if email and email not in first_row:
            first_row[email] = line.row
    return Preview(rows)


def _outcome(
    line: CsvLine, email: str, accounts: dict[str, int], held: set[int], first_row: dict[str, int]
) -> PreviewRow:
    try:
        validate_email(email)
    except ValidationError:
        detail = (
            _("The e-mail cell is empty.")
            if not email
            else _("“%(email)s” is not an e-mail address.") % {"email": line.email}
        )
        return PreviewRow(line, INVALID_EMAIL, detail)
    if email in first_row:
        return PreviewRow(line, DUPLICATE, _("Same e-mail as row %(row)s.") % {"row": first_row[email]})
    problem = _cell_problem(line)
    if problem:
        return PreviewRow(line, INVALID, problem)
    user_id = accounts.get(email)
    if user_id is None:
        return PreviewRow(line, NO_ACCOUNT, _("The person must sign up first, with this address."))
    if user_id in held:
        return PreviewRow(line, HELD, "", user_id)
    return PreviewRow(line, AWARD, "", user_id)


def _cell_problem(line: CsvLine) -> str:
    if len(line.note) > NOTE_MAX_CHARS:
        return _("The note is longer than %(limit)s characters.") % {"limit": f"{NOTE_MAX_CHARS:,}"}
    if line.evidence_url:
        try:
            if len(line.evidence_url) > URL_MAX_CHARS:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(line.evidence_url)
        except ValidationError:
            return _("The evidence link is not a web address (http:// or https://).")
    return ""


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _accounts(emails: set[str]) -> dict[str, int]:
    """Active accounts by lower-case e-mail address."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(emails)):
        rows = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk, is_active=True)
        found.update(rows.values_list("email_lower", "pk"))
    return found


def _held(achievement: Achievement, user_ids: list[int]) -> set[int]:
    held: set[int] = set()
    for chunk in _chunks(user_ids):
        awards = Award.objects.filter(
            achievement=achievement, recipient_id__in=chunk, family_member__isnull=True, revoked_at__isnull=True
        )
        held.update(awards.values_list("recipient_id", flat=True))
    return held


# Awarding


@dataclass(frozen=True)
class CsvResult:
    awarded: int
    held: int
    left_out: int  # rows with errors or duplicates, not awarded


def award_rows(*, achievement: Achievement, by: Any, lines: Sequence[CsvLine], valid_rows_only: bool) -> CsvResult:
    """Award every row that can be, in one transaction; rows with errors block it unless `valid_rows_only`."""
    if not can_manage(by, achievement):
        raise PermissionDenied(_("Only the issuer's staff can do this."))
    return write_awards(achievement=achievement, by=by, lines=lines, valid_rows_only=valid_rows_only)


def write_awards(*, achievement: Achievement, by: Any, lines: Sequence[CsvLine], valid_rows_only: bool) -> CsvResult:
    """`award_rows` without the permission check (the operator's command line)."""
    checked = preview(achievement, lines)
    if checked.errors and not valid_rows_only:
        count = len(checked.errors)
        raise ValidationError(
            ngettext(
                "%(count)d row has an error: correct the file, or choose to award the valid rows only.",
                "%(count)d rows have errors: correct the file, or choose to award the valid rows only.",
                count,
            )
            % {"count": count}
        )
    groups: dict[tuple[str, str], list[services.Holder]] = defaultdict(list)
    users = User.objects.in_bulk([row.user_id for row in checked.to_award if row.user_id])
    for row in checked.to_award:
        groups[(row.line.note, row.line.evidence_url)].append(services.Holder(user=users[row.user_id]))
    awarded = 0
    try:
        with transaction.atomic():  # one award_many per note and evidence, all or nothing together
            for (note, evidence_url), holders in groups.items():
                evidence = [{"url": evidence_url}] if evidence_url else []
                made = services.award_many(
                    achievement, holders, by=by, method=AwardMethod.BULK, narrative=note,
                    evidence=evidence, skip_holders_of=True,
                )  # fmt: skip
                awarded += len(made)
    except services.AwardError as error:
        raise ValidationError(str(error)) from error
    held_before = sum(1 for row in checked.rows if row.outcome == HELD)
    raced = len(checked.to_award) - awarded  # awarded by someone else since the preview
    left_out = len(checked.rows) - len(checked.to_award) - held_before
    return CsvResult(awarded=awarded, held=held_before + raced, left_out=left_out)
