"""Importing domestic abuse incidents recorded elsewhere, keeping their real times so delays are measured.

One row per child; rows sharing a ``police_reference`` form one incident. Every row is checked first; a file
with any error imports nothing, and each error names its line and column. See docs/import.md.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from openmash.accounts.actors import Actor
from openmash.clocks.engine import parse_instant
from openmash.events.models import EventKind, RiskLevel, Source, SubjectRole
from openmash.events.services import EventInput, PersonInput, RecordedEvent, event_record
from openmash.lib.errors import InvalidInput
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve

REQUIRED = [
    "police_reference",
    "occurred_at",
    "reported_at",
    "risk_level",
    "postcode",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "child_present",
    "summary",
]
OPTIONAL = ["shared_at", "council", "child_nhs_number", "child_upn", "child_school_urn"]
# Columns that must agree across the rows of one incident.
INCIDENT_COLUMNS = ["occurred_at", "reported_at", "shared_at", "risk_level", "postcode", "council", "summary"]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def _rows_from_csv(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    for row in reader:
        yield reader.line_num, {(key or "").strip(): (value or "").strip() for key, value in row.items()}


def _rows_from_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, [])]
    for number, values in enumerate(rows, start=2):
        cells = [
            ""
            if value is None
            else (value.isoformat() if isinstance(value, dt.datetime | dt.date) else str(value))
            for value in values
        ]
        if any(cells):
            yield number, dict(zip(header, (cell.strip() for cell in cells), strict=False))


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = list(_rows_from_xlsx(path))
    else:
        rows = list(_rows_from_csv(path.read_bytes()))
    header = list(rows[0][1]) if rows else []
    return header, rows


def _instant(
    row: dict[str, str], column: str, line: int, errors: list[RowError], required: bool = True
) -> dt.datetime | None:
    value = row.get(column, "")
    if not value:
        if required:
            errors.append(RowError(line, column, "is empty"))
        return None
    try:
        return parse_instant(value)
    except ValueError:
        errors.append(RowError(line, column, f"{value!r} is not an ISO 8601 date and time"))
        return None


def _child(row: dict[str, str], line: int, errors: list[RowError]) -> PersonInput:
    born = None
    if row.get("child_date_of_birth"):
        try:
            born = dt.date.fromisoformat(row["child_date_of_birth"][:10])
        except ValueError:
            errors.append(
                RowError(
                    line, "child_date_of_birth", f"{row['child_date_of_birth']!r} is not a date (YYYY-MM-DD)"
                )
            )
    present = row.get("child_present", "").lower()
    if present not in ("yes", "no"):
        errors.append(RowError(line, "child_present", "must be yes or no"))
    return PersonInput(
        role=SubjectRole.CHILD,
        given_name=row.get("child_given_name", ""),
        family_name=row.get("child_family_name", ""),
        date_of_birth=born,
        nhs_number=row.get("child_nhs_number", ""),
        upn=row.get("child_upn", ""),
        details={"present": present == "yes", "school_urn": row.get("child_school_urn", "")},
    )


def _incidents(
    rows: list[tuple[int, dict[str, str]]], errors: list[RowError]
) -> list[tuple[int, EventInput, dict[str, int]]]:
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        reference = row.get("police_reference", "")
        if not reference:
            errors.append(RowError(line, "police_reference", "is empty"))
            continue
        grouped.setdefault(reference, []).append((line, row))
    incidents = []
    for reference, members in grouped.items():
        first_line, first = members[0]
        for line, row in members[1:]:
            for column in INCIDENT_COLUMNS:
                if row.get(column, "") != first.get(column, ""):
                    errors.append(
                        RowError(
                            line, column, f"differs from line {first_line} of the same incident {reference}"
                        )
                    )
        occurred = _instant(first, "occurred_at", first_line, errors)
        reported = _instant(first, "reported_at", first_line, errors)
        shared = _instant(first, "shared_at", first_line, errors, required=False)
        risk = first.get("risk_level", "").lower()
        if risk not in RiskLevel.values:
            errors.append(RowError(first_line, "risk_level", "must be standard, medium or high"))
        council = None
        if first.get("council"):
            try:
                council = organisation_resolve(first["council"])
            except UnknownOrganisation as error:
                errors.append(RowError(first_line, "council", str(error)))
        children = [_child(row, line, errors) for line, row in members]
        lines = {f"children.{index}": line for index, (line, _row) in enumerate(members)}
        data = EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference=reference,
            occurred_at=occurred,
            reported_at=reported,
            shared_at=shared,
            postcode=first.get("postcode", ""),
            council=council,
            risk_level=risk,
            summary=first.get("summary", ""),
            people=children,
            source=Source.IMPORT,
        )
        incidents.append((first_line, data, lines))
    return incidents


# Service error keys and the file column they come from.
_COLUMNS = {
    "police_reference": "police_reference",
    "occurred_at": "occurred_at",
    "reported_at": "reported_at",
    "shared_at": "shared_at",
    "risk_level": "risk_level",
    "postcode": "postcode",
    "council": "council",
    "summary": "summary",
}


def import_domestic_abuse(*, actor: Actor, path: Path) -> list[RecordedEvent]:
    """Import every incident in the file, or none: the first problem anywhere rolls the whole file back."""
    header, rows = read_rows(path)
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFailed([RowError(1, column, "column is missing from the header") for column in missing])
    if not rows:
        raise ImportFailed([RowError(1, "-", "the file has no rows")])
    errors: list[RowError] = []
    incidents = _incidents(rows, errors)
    if errors:
        raise ImportFailed(errors)
    recorded: list[RecordedEvent] = []
    with transaction.atomic():
        for first_line, data, lines in incidents:
            try:
                recorded.append(event_record(actor=actor, data=data))
            except InvalidInput as error:
                for key, messages in error.errors.items():
                    parts = key.split(".")
                    line = lines.get(".".join(parts[:2]), first_line)
                    column = (
                        f"child_{parts[2]}"
                        if len(parts) == 3 and parts[0] == "children"
                        else _COLUMNS.get(key, key)
                    )
                    errors.extend(RowError(line, column, message) for message in messages)
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
    return recorded
