"""Reading an import file (CSV or XLSX, as a stream) and checking every row of it: each cell read as the
column needs (instants in London time, dates of birth, yes/no), each problem found by line and column, the
rows of one incident agreeing. The first step of an import (recording/importing.py), which stages what it
reads. Over 400 lines because it is one reader per format and one check per column, which read best
together; it writes nothing."""

import codecs
import csv
import datetime as dt
import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.events.models import EventKind, Source, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.lib.instants import (
    CLOCK_SKEW,
    EARLIEST_BIRTH,
    EARLIEST_EVENT,
    NonexistentLocalTime,
    london_to_utc,
)
from openmash.organisations.models import Organisation
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.recording.checks import RISK_LEVELS
from openmash.recording.services import EventInput, PersonInput, event_check
from openmash.sharing.models import ImportedAs

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
OPTIONAL = ["shared_at", "handled_at", "council", "child_nhs_number", "child_upn", "child_school_urn"]
# Columns that must agree across the rows of one incident.
INCIDENT_COLUMNS = [
    "occurred_at",
    "reported_at",
    "shared_at",
    "handled_at",
    "risk_level",
    "postcode",
    "council",
    "summary",
]
INSTANT_COLUMNS = ("occurred_at", "reported_at", "shared_at", "handled_at")
_FINGERPRINT = struct.Struct(f"<{len(INCIDENT_COLUMNS)}q")
KNOWN = frozenset(REQUIRED + OPTIONAL)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class _Formula:
    """An XLSX cell holding a formula whose value was never saved (a file written by a program, not Excel)."""

    def __init__(self, text: str):
        self.text = text


# --- Reading ---------------------------------------------------------------------------------------------

NOT_UTF8 = (
    "is not UTF-8 text (perhaps Latin-1 or Windows-1252): save the file as 'CSV UTF-8' and import it again"
)


def _csv_lines(handle: Any, bad: set[int]) -> Iterator[str]:
    """The file's lines as text, each decoded alone so that a byte that is not UTF-8 is found on its line."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(number)
            yield raw.decode("utf-8", "replace")


def _read_csv(path: Path, problems: list[RowError]) -> Iterator[tuple[int, list[str], list[object]]]:
    """The header, then each row: its first line and its values (as text)."""
    bad: set[int] = set()
    with path.open("rb") as handle:
        reader = csv.reader(_csv_lines(handle, bad))
        try:
            header = next(reader, None)
        except csv.Error as error:
            problems.append(RowError(1, "-", f"cannot be read as CSV: {error}"))
            return
        if header is None:
            return
        header = [name.strip() for name in header]
        for column, name in enumerate(header):
            if bad and 1 in bad and "\ufffd" in name:
                problems.append(RowError(1, name or str(column + 1), NOT_UTF8))
        yield 0, header, []
        last = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                problems.append(RowError(last + 1, "-", f"cannot be read as CSV: {error}"))
                return
            first, last = last + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            spans_bad = [number for number in range(first, last + 1) if number in bad]
            for column, value in enumerate(values):
                if spans_bad and "\ufffd" in value:
                    name = header[column] if column < len(header) else str(column + 1)
                    problems.append(RowError(spans_bad[0], name, NOT_UTF8))
            yield first, header, list(values)


def _read_xlsx(path: Path, problems: list[RowError]) -> Iterator[tuple[int, list[str], list[object]]]:
    """The first sheet: the header, then each row with its values as Excel saved them. A formula cell is read
    as the value Excel saved with it; a formula with no saved value is reported, not read as empty."""
    from openpyxl import load_workbook

    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formulas_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        problems.append(RowError(1, "-", f"cannot be read as an Excel workbook: {error}"))
        return
    try:
        values = values_book.worksheets[0].iter_rows(values_only=True)
        formulas = formulas_book.worksheets[0].iter_rows(values_only=True)
        header_cells = next(values, None)
        next(formulas, None)
        if header_cells is None:
            return
        header = [str(cell if cell is not None else "").strip() for cell in header_cells]
        yield 0, header, []
        for number, (row, written) in enumerate(zip(values, formulas, strict=False), start=2):
            cells: list[object] = []
            for value, formula in zip(row, list(written) + [None] * (len(row) - len(written)), strict=True):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    cells.append(_Formula(formula))
                else:
                    cells.append(value)
            if any(cell not in (None, "") for cell in cells):
                yield number, header, cells
    finally:
        values_book.close()
        formulas_book.close()


def file_rows(path: Path, problems: list[RowError]) -> Iterator[tuple[int, list[str], list[object]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, problems)
    return _read_csv(path, problems)


def rows_in(path: Path) -> int:
    """About how many rows the file has, for the progress bar (a CSV's lines, a sheet's stated size)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True)
            most = book.worksheets[0].max_row or 1
            book.close()
            return max(most - 1, 0)
        except Exception:
            return 0
    with path.open("rb") as handle:
        return max(sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Checking one row ------------------------------------------------------------------------------------

# Excel counts days from 30 December 1899; a cell formatted as a number shows that count.
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001  # a wall time: read as London time below
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_DATE_AND_TIME = re.compile(r"\d[Tt ]\d")


def cell_text(value: object) -> str:
    if type(value) is str:  # every cell of a CSV file, most of an XLSX file's: the one test first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a URN or NHS number Excel stored as a number
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _excel_serial(value: float) -> dt.datetime | None:
    if not 1 <= value < 2958466:  # 1 January 1900 to 31 December 9999
        return None
    return EXCEL_EPOCH + dt.timedelta(seconds=round(value * 86400))


def _wall_time(value: object) -> dt.datetime | str:
    """A cell as a date and time (naive means London wall time), or what is wrong with it."""
    if type(value) is str:  # a CSV cell: straight to the text's checks
        return _wall_time_text(value.strip())
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())  # London wall time
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value)) or f"{value!r} is not a date and time"
    return _wall_time_text(cell_text(value))


def _wall_time_text(text: str) -> dt.datetime | str:
    if _NUMBER.fullmatch(text):
        return _excel_serial(float(text)) or f"{text!r} is not a date and time"
    if not _DATE_AND_TIME.search(text):
        return f"{text!r} is not an ISO 8601 date and time (such as 2026-03-01T21:30)"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not an ISO 8601 date and time (such as 2026-03-01T21:30)"


def _instant(value: object, now: dt.datetime) -> dt.datetime | str:
    """A cell as an instant, or what is wrong with it. Without an offset it is London time (one rule for the
    whole product: openmash.lib.instants.london_to_utc)."""
    wall = _wall_time(value)
    if isinstance(wall, str):
        return wall
    try:
        instant = london_to_utc(wall)
    except NonexistentLocalTime as error:
        return f"{cell_text(value)}: {error}"
    if instant < EARLIEST_EVENT:
        return f"{cell_text(value)} is before {EARLIEST_EVENT.year}: check the year"
    if instant > now + CLOCK_SKEW:
        return f"{cell_text(value)} is in the future"
    return instant


def _date_of_birth(value: object) -> dt.date | str:
    if isinstance(value, dt.datetime):
        born = value.date()
    elif isinstance(value, dt.date):
        born = value
    elif (isinstance(value, int | float) and not isinstance(value, bool)) or _NUMBER.fullmatch(
        cell_text(value)
    ):
        serial = _excel_serial(float(cell_text(value)))
        if serial is None:
            return f"{cell_text(value)!r} is not a date (YYYY-MM-DD)"
        born = serial.date()
    else:
        try:
            born = dt.date.fromisoformat(cell_text(value)[:10])
        except ValueError:
            return f"{cell_text(value)!r} is not a date (YYYY-MM-DD)"
    if born < EARLIEST_BIRTH:
        return f"{born.isoformat()} is before {EARLIEST_BIRTH.year}: check the year"
    return born


# Service error keys and the file column they come from.
COLUMN_NAMES = {
    "police_reference": "police_reference",
    "occurred_at": "occurred_at",
    "reported_at": "reported_at",
    "shared_at": "shared_at",
    "risk_level": "risk_level",
    "postcode": "postcode",
    "council": "council",
    "summary": "summary",
    "children.0.family_name": "child_family_name",
    "children.0.given_name": "child_given_name",
    "children.0.date_of_birth": "child_date_of_birth",
    "children.0.nhs_number": "child_nhs_number",
    "children.0.upn": "child_upn",
    "children": "child_given_name",
}


class RowChecker:
    """Checks the rows of one file, remembering only what spans rows: each incident's number, first line and
    the fingerprint of its incident columns, and the councils named."""

    def __init__(self, actor: Actor, imported_as: str) -> None:
        self.actor = actor
        self.imported_as = imported_as
        self.now = timezone.now()
        self.incidents: dict[str, tuple[int, int, bytes]] = {}
        self.councils: dict[str, Organisation | str] = {}

    def _council(self, name: str) -> Organisation | str:
        if name not in self.councils:
            try:
                self.councils[name] = organisation_resolve(name)
            except UnknownOrganisation as error:
                self.councils[name] = str(error)
        return self.councils[name]

    def check(self, line: int, row: dict[str, object]) -> tuple[int, dict[str, Any] | None, list[RowError]]:
        """The row's incident number, its values to stage (None when it has a problem), and its problems."""
        problems: dict[str, str] = {}
        for column, value in row.items():
            if isinstance(value, _Formula) and column in KNOWN:  # other columns are ignored
                problems[column] = (
                    f"is a formula ({value.text}) with no saved value: open the file in Excel and save it, "
                    "or paste the values in place of the formulas"
                )
        text = {
            column: cell_text(value)
            for column, value in row.items()
            if column in KNOWN and column not in problems and not isinstance(value, _Formula)
        }
        for column in REQUIRED:
            if column not in problems and not text.get(column):
                problems[column] = "is empty"
        reference = text.get("police_reference", "")
        # Eight bytes a column (the text's hash, which is this process's own), in one string: little to
        # remember for each incident of a large file.
        fingerprint = _FINGERPRINT.pack(*[hash(text.get(column, "")) for column in INCIDENT_COLUMNS])
        number, first_line, first_print = self.incidents.setdefault(
            reference, (len(self.incidents), line, fingerprint)
        )
        first = first_line == line
        for index, column in enumerate(INCIDENT_COLUMNS if fingerprint != first_print else ()):
            if fingerprint[index * 8 : index * 8 + 8] != first_print[index * 8 : index * 8 + 8] and reference:
                problems.setdefault(
                    column, f"differs from line {first_line} of the same incident {reference}"
                )
        instants: dict[str, dt.datetime | None] = {}
        for column in INSTANT_COLUMNS:
            instants[column] = None
            if column in problems or column not in row or not text.get(column):
                continue
            value = _instant(row[column], self.now)
            if isinstance(value, str):
                problems[column] = value
            else:
                instants[column] = value
        handled = instants["handled_at"]
        if (
            self.imported_as == ImportedAs.HISTORY
            and "shared_at" not in problems
            and not text.get("shared_at")
        ):
            # Without it the share would be counted as reaching the council today: years late in every measure.
            problems["shared_at"] = (
                "is empty: as history, when the incident reached the council is what its measures count (import "
                "with --as live for incidents reaching the council only now)"
            )
        if handled is not None and self.imported_as != ImportedAs.HISTORY:
            problems["handled_at"] = (
                "says the incident was handled already: import the file as history (--as history), or leave "
                "the column out for work still waiting"
            )
        elif handled is not None:
            arrived = instants["shared_at"] or instants["reported_at"] or instants["occurred_at"]
            if arrived is not None and handled < arrived:
                problems["handled_at"] = (
                    f"{cell_text(row['handled_at'])} is before the council was told of it"
                )
        born: dt.date | None = None
        if "child_date_of_birth" not in problems:
            value_born = _date_of_birth(row["child_date_of_birth"])
            if isinstance(value_born, str):
                problems["child_date_of_birth"] = value_born
            else:
                born = value_born
                occurred = instants["occurred_at"]
                if occurred is not None and born > occurred.astimezone(dt.UTC).date():
                    problems["child_date_of_birth"] = (
                        f"{born.isoformat()} is after the incident ({occurred.date().isoformat()}): "
                        "a child at an incident must already be born"
                    )
        risk = text.get("risk_level", "").lower()
        if "risk_level" not in problems and risk not in RISK_LEVELS:
            problems["risk_level"] = "must be standard, medium or high"
        present = text.get("child_present", "").lower()
        if "child_present" not in problems and present not in ("yes", "no"):
            problems["child_present"] = "must be yes or no"
        council: Organisation | None = None
        if text.get("council") and "council" not in problems:
            found = self._council(text["council"])
            if isinstance(found, str):
                problems["council"] = found
            else:
                council = found
        data = EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference=reference,
            occurred_at=instants["occurred_at"],
            reported_at=instants["reported_at"],
            shared_at=instants["shared_at"],
            imported_as=self.imported_as,
            handled_at=handled,
            postcode=text.get("postcode", ""),
            council=council,
            risk_level=risk,
            summary=text.get("summary", ""),
            people=[
                PersonInput(
                    role=SubjectRole.CHILD,
                    given_name=text.get("child_given_name", ""),
                    family_name=text.get("child_family_name", ""),
                    date_of_birth=born,
                    nhs_number=text.get("child_nhs_number", ""),
                    upn=text.get("child_upn", ""),
                )
            ],
            source=Source.HELD,
        )
        # The service's own checks (postcode, council, identifiers, times in order), whatever else is wrong,
        # so that every problem of the file is found in one pass. A later row of an incident adds only its
        # child's problems; a column with a problem already is not reported twice.
        try:
            event_check(actor=self.actor, data=data)
        except InvalidInput as error:
            for key, messages in error.errors.items():
                if not first and not key.startswith("children"):
                    continue
                column = COLUMN_NAMES.get(key, key)
                if column not in problems:
                    problems[column] = "; ".join(messages)
        if problems:
            return number, None, [RowError(line, column, message) for column, message in problems.items()]
        return (
            number,
            {
                "reference": reference,
                "occurred_at": _iso(instants["occurred_at"]),
                "reported_at": _iso(instants["reported_at"]),
                "shared_at": _iso(instants["shared_at"]),
                "handled_at": _iso(handled),
                "risk_level": risk,
                "postcode": text.get("postcode", ""),
                "council": council.pk if council else None,
                "summary": text.get("summary", ""),
                "given_name": text.get("child_given_name", ""),
                "family_name": text.get("child_family_name", ""),
                "date_of_birth": born.isoformat() if born else None,
                "nhs_number": text.get("child_nhs_number", ""),
                "upn": text.get("child_upn", ""),
                "school_urn": text.get("child_school_urn", ""),
                "present": present == "yes",
            },
            [],
        )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def instant_from(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
