"""Importing domestic abuse incidents recorded elsewhere, keeping their real times so delays are measured.

One row per child; rows sharing a ``police_reference`` form one incident. See docs/import.md. In three steps,
none of which holds the database for long, so the service answers throughout:

1. **Check and stage.** The file is read as a stream; every row is checked (every problem of the file is
   found in one pass, each by line and column) and staged in ``ImportRow``, a chunk a short transaction. A
   file with any problem imports nothing: its staged rows are removed.
2. **Write, held.** The incidents are written from the staging table a chunk at a time, each chunk its own
   short transaction through the write gate, as held: their events seen by no one, their deliveries claimed
   by no worker, the access they give not yet in force, their shares escalated to no one.
3. **Release.** The held rows are released a chunk of incidents a short transaction. As history (the
   default) a share counts in every measure with its real times but is nobody's work now: nothing is sent,
   nothing escalated. As live work its deliveries are sent as any share's.

A crash leaves nothing half-written: running the same file again carries on from the last chunk written or
released.
"""

import codecs
import csv
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from openmash.access.models import AccessReason
from openmash.accounts.actors import Actor
from openmash.database import write_transaction
from openmash.events.models import Event, EventKind, ImportBatch, ImportRow, RiskLevel, Source, SubjectRole
from openmash.events.services import CheckedEvent, EventInput, PersonInput, _carry_out, _plan, event_check
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
from openmash.sharing.delivery import wake_workers
from openmash.sharing.models import Delivery, DeliveryStatus, ImportedAs, Share

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
KNOWN = frozenset(REQUIRED + OPTIONAL)

# Rows staged a transaction, and incidents written a transaction: each holds SQLite's write lock for a few
# tens of milliseconds at most, so the service's own writes slip in between.
STAGE_CHUNK = 500
RECORD_CHUNK = 25
# Incidents released a transaction: each a short hold of the write lock, not one long one for the whole file.
RELEASE_CHUNK = 500
# The most problems reported: a file with a wrong column has one for every row.
MOST_PROBLEMS = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError], more: int = 0):
        self.errors = errors
        self.more = more  # problems found beyond those listed
        lines = [str(error) for error in errors]
        if more:
            lines.append(f"... and {more} more problem(s)")
        super().__init__("\n".join(lines))


class ImportBlocked(Exception):
    """Another import for the same force is unfinished."""


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    incidents: int
    shares: int
    release_seconds: float  # the longest any one transaction of the release held the database


# Told what has been done so far: the step ("Checking", "Writing", "Releasing"), rows (incidents, for the
# release) done, and in all (0 if unknown).
Progress = Callable[[str, int, int], None]


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


def _rows(path: Path, problems: list[RowError]) -> Iterator[tuple[int, list[str], list[object]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, problems)
    return _read_csv(path, problems)


def _rows_in(path: Path) -> int:
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


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Checking one row ------------------------------------------------------------------------------------

# Excel counts days from 30 December 1899; a cell formatted as a number shows that count.
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001  # a wall time: read as London time below
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def _text(value: object) -> str:
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
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())  # London wall time
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value)) or f"{value!r} is not a date and time"
    text = _text(value)
    if _NUMBER.fullmatch(text):
        return _excel_serial(float(text)) or f"{text!r} is not a date and time"
    if not re.search(r"\d[Tt ]\d", text):
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
        return f"{_text(value)}: {error}"
    if instant < EARLIEST_EVENT:
        return f"{_text(value)} is before {EARLIEST_EVENT.year}: check the year"
    if instant > now + CLOCK_SKEW:
        return f"{_text(value)} is in the future"
    return instant


def _date_of_birth(value: object) -> dt.date | str:
    if isinstance(value, dt.datetime):
        born = value.date()
    elif isinstance(value, dt.date):
        born = value
    elif (isinstance(value, int | float) and not isinstance(value, bool)) or _NUMBER.fullmatch(_text(value)):
        serial = _excel_serial(float(_text(value)))
        if serial is None:
            return f"{_text(value)!r} is not a date (YYYY-MM-DD)"
        born = serial.date()
    else:
        try:
            born = dt.date.fromisoformat(_text(value)[:10])
        except ValueError:
            return f"{_text(value)!r} is not a date (YYYY-MM-DD)"
    if born < EARLIEST_BIRTH:
        return f"{born.isoformat()} is before {EARLIEST_BIRTH.year}: check the year"
    return born


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
    "children.0.family_name": "child_family_name",
    "children.0.given_name": "child_given_name",
    "children.0.date_of_birth": "child_date_of_birth",
    "children.0.nhs_number": "child_nhs_number",
    "children.0.upn": "child_upn",
    "children": "child_given_name",
}


class _Checker:
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
            column: _text(value)
            for column, value in row.items()
            if column in KNOWN and column not in problems and not isinstance(value, _Formula)
        }
        for column in REQUIRED:
            if column not in problems and not text.get(column):
                problems[column] = "is empty"
        reference = text.get("police_reference", "")
        # Eight bytes a column, in one string: little to remember for each incident of a large file.
        fingerprint = b"".join(
            hashlib.blake2b(text.get(column, "").encode(), digest_size=8).digest()
            for column in INCIDENT_COLUMNS
        )
        number, first_line, first_print = self.incidents.setdefault(
            reference, (len(self.incidents), line, fingerprint)
        )
        first = first_line == line
        for index, column in enumerate(INCIDENT_COLUMNS):
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
                problems["handled_at"] = f"{_text(row['handled_at'])} is before the council was told of it"
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
        if "risk_level" not in problems and risk not in RiskLevel.values:
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
                column = _COLUMNS.get(key, key)
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


def _instant_from(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# --- Staging, writing held, releasing ----------------------------------------------------------------------

# Access given by held incidents expires at once (1970, plus the batch's number so that two forces' imports
# are told apart) until their file is released: the policy already ignores expired reasons.
HELD_ACCESS = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _held_access_until(batch: ImportBatch) -> dt.datetime:
    return HELD_ACCESS + dt.timedelta(seconds=batch.pk)


@contextmanager
def _writing() -> Iterator[None]:
    """One short write transaction, queued behind the service's own writers (decision 0008)."""
    with write_transaction():
        yield


def _unstage_rows(batch: ImportBatch) -> None:
    """Remove a batch's staged rows, a chunk a transaction."""
    while True:
        beyond = list(
            ImportRow.objects.filter(batch=batch)
            .order_by("incident")
            .values_list("incident", flat=True)[STAGE_CHUNK * 4 : STAGE_CHUNK * 4 + 1]
        )
        with _writing():
            rows = ImportRow.objects.filter(batch=batch)
            (rows.filter(incident__lt=beyond[0]) if beyond else rows).delete()
        if not beyond:
            return


def _unstage(batch: ImportBatch) -> None:
    """Remove a batch that wrote nothing yet, with its staged rows."""
    _unstage_rows(batch)
    with _writing():
        batch.delete()


def _stage(
    *, actor: Actor, path: Path, digest: str, imported_as: str, progress: Progress | None
) -> ImportBatch:
    """Check every row and stage the good ones, a chunk a transaction. Raises ImportFailed, with every
    problem of the file, having removed what it staged."""
    organisation = actor.organisation
    assert organisation is not None
    total = _rows_in(path)
    try:
        with _writing():
            batch = ImportBatch.objects.create(
                organisation=organisation,
                file_name=path.name[:300],
                digest=digest,
                imported_as=imported_as,
                started_at=timezone.now(),
            )
    except IntegrityError as error:
        raise ImportBlocked(f"Another import for {organisation.name} is under way") from error
    problems: list[RowError] = []
    checker = _Checker(actor, imported_as)
    header: list[str] = []
    waiting: list[ImportRow] = []
    rows = 0
    try:
        for line, names, values in _rows(path, problems):
            if not line:
                header = names
                missing = [column for column in REQUIRED if column not in header]
                if missing:
                    problems += [
                        RowError(1, column, "column is missing from the header") for column in missing
                    ]
                    break
                continue
            rows += 1
            if len(values) > len(header) and any(_text(value) for value in values[len(header) :]):
                problems.append(
                    RowError(
                        line,
                        f"{len(header) + 1} (after the last named column)",
                        f"this row has {len(values)} values but the header names {len(header)} columns; "
                        "a comma in a value needs the value in double quotes",
                    )
                )
            row = dict(zip(header, values, strict=False))
            number, staged, its_problems = checker.check(line, row)
            problems += its_problems
            if staged is not None and not problems:
                waiting.append(ImportRow(batch=batch, incident=number, line=line, values=staged))
            if len(waiting) >= STAGE_CHUNK:
                with _writing():
                    ImportRow.objects.bulk_create(waiting)
                waiting = []
            if problems:
                waiting = []  # nothing more is staged: the file will not be imported
            if progress and rows % 500 == 0:
                progress("Checking", rows, max(total, rows))
        if not header and not problems:
            problems.append(RowError(1, "-", "the file is empty: it needs a header row and at least one row"))
        elif not rows and not problems:
            problems.append(RowError(2, "-", "the file has a header row but no rows"))
        if problems:
            raise ImportFailed(problems[:MOST_PROBLEMS], more=max(len(problems) - MOST_PROBLEMS, 0))
        batch.rows, batch.incidents, batch.checked = rows, len(checker.incidents), True
        with _writing():
            ImportRow.objects.bulk_create(waiting)
            batch.save(update_fields=["rows", "incidents", "checked"])
        if progress:
            progress("Checking", rows, rows)
    except BaseException:
        _unstage(batch)
        raise
    return batch


def _incident_input(lines: list[tuple[int, dict[str, Any]]], imported_as: str) -> EventInput:
    first = lines[0][1]
    return EventInput(
        kind=EventKind.DOMESTIC_ABUSE,
        reference=first["reference"],
        occurred_at=_instant_from(first["occurred_at"]),
        reported_at=_instant_from(first["reported_at"]),
        shared_at=_instant_from(first["shared_at"]),
        imported_as=imported_as,
        handled_at=_instant_from(first.get("handled_at")),
        postcode=first["postcode"],
        council=_council_by_pk(first["council"]),
        risk_level=first["risk_level"],
        summary=first["summary"],
        people=[
            PersonInput(
                role=SubjectRole.CHILD,
                given_name=values["given_name"],
                family_name=values["family_name"],
                date_of_birth=dt.date.fromisoformat(values["date_of_birth"]),
                nhs_number=values["nhs_number"],
                upn=values["upn"],
                details={"present": values["present"], "school_urn": values["school_urn"]},
            )
            for _line, values in lines
        ],
        source=Source.HELD,
    )


_councils: dict[int, Organisation] = {}


def _council_by_pk(pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    if pk not in _councils:
        _councils[pk] = Organisation.objects.get(pk=pk)
    return _councils[pk]


def _write_held(*, actor: Actor, batch: ImportBatch, progress: Progress | None) -> None:
    """Write the staged incidents from where the batch got to, a chunk a short transaction, all held."""
    done_rows = ImportRow.objects.filter(batch=batch, incident__lt=batch.recorded).count()
    until = _held_access_until(batch)
    while batch.recorded < batch.incidents:
        upto = min(batch.recorded + RECORD_CHUNK, batch.incidents)
        staged = list(
            ImportRow.objects.filter(batch=batch, incident__gte=batch.recorded, incident__lt=upto)
            .order_by("incident", "line")
            .values_list("incident", "line", "values")
        )
        incidents: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        for number, line, values in staged:
            incidents.setdefault(number, []).append((line, values))
        checked: list[CheckedEvent] = []
        failed: list[RowError] = []
        for lines in incidents.values():
            try:
                checked.append(event_check(actor=actor, data=_incident_input(lines, batch.imported_as)))
            except InvalidInput as error:  # something changed since the file was checked (rare)
                failed += [
                    RowError(lines[0][0], _COLUMNS.get(key, key), "; ".join(messages))
                    for key, messages in error.errors.items()
                ]
        if failed:
            raise ImportFailed(failed)
        for attempt in (1, 2):
            # Planned before the lock, with reads only (decision 0010); planned again if a child it planned
            # as new was recorded meanwhile by someone else (the identifier's unique constraint).
            planned = _plan(checked)
            try:
                with _writing():
                    _carry_out_held(planned, batch, upto, until)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        batch.recorded = upto
        done_rows += len(staged)
        if progress:
            progress("Writing", done_rows, batch.rows)


def _carry_out_held(planned: Any, batch: ImportBatch, upto: int, until: dt.datetime) -> None:
    _carry_out(planned, [None] * len(planned.recorded))
    share_ids = [share.pk for one in planned.recorded for share in one.shares]
    # History is never sent, so its deliveries are marked so at once; live work's wait for the release.
    history = batch.imported_as == ImportedAs.HISTORY
    Delivery.objects.filter(share_id__in=share_ids).update(
        status=DeliveryStatus.HISTORY if history else DeliveryStatus.HELD
    )
    people = {subject.person_id for some in planned.subjects for subject in some}
    recorded_at = planned.recorded[0].event.recorded_at
    AccessReason.objects.filter(person_id__in=people, granted_at=recorded_at, expires_at__isnull=True).update(
        expires_at=until
    )
    ImportBatch.objects.filter(pk=batch.pk).update(recorded=upto)


def _release(*, batch: ImportBatch, progress: Progress | None) -> tuple[int, float]:
    """Make the file's incidents visible, RELEASE_CHUNK incidents a short transaction, then the access their
    shares give, a chunk a transaction too: how many shares, and the longest any one transaction took (the
    gate included). Live work's deliveries become pending and are sent; history's shares are marked as
    reaching their recipients when they really did (``shared_at``) and nothing is sent. A release that stops
    part way is finished by running the file again."""
    history = batch.imported_as == ImportedAs.HISTORY
    held = Event.objects.filter(recorded_by=batch.organisation, source=Source.HELD)
    shares = longest = 0.0
    released = 0
    while True:
        chunk = list(held.order_by("pk").values_list("pk", flat=True)[:RELEASE_CHUNK])
        if not chunk:
            break
        began = time.monotonic()
        with _writing():
            its_shares = Share.objects.filter(event_id__in=chunk)
            if history:
                shares += its_shares.update(delivered_at=F("shared_at"))
            else:
                shares += its_shares.count()
                Delivery.objects.filter(status=DeliveryStatus.HELD, share__event_id__in=chunk).update(
                    status=DeliveryStatus.PENDING
                )
                transaction.on_commit(wake_workers)
            Event.objects.filter(pk__in=chunk, source=Source.HELD).update(source=Source.IMPORT)
        longest = max(longest, time.monotonic() - began)
        released += len(chunk)
        if progress:
            progress("Releasing", released, batch.incidents)
    reasons = AccessReason.objects.filter(expires_at=_held_access_until(batch))
    while True:
        reason_ids = list(reasons.order_by("pk").values_list("pk", flat=True)[: RELEASE_CHUNK * 4])
        if not reason_ids:
            break
        began = time.monotonic()
        with _writing():
            AccessReason.objects.filter(pk__in=reason_ids).update(expires_at=None)
        longest = max(longest, time.monotonic() - began)
    with _writing():
        ImportBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
    _unstage_rows(batch)  # no longer needed
    return int(shares), longest


def import_domestic_abuse(
    *, actor: Actor, path: Path, imported_as: str = ImportedAs.HISTORY, progress: Progress | None = None
) -> ImportSummary:
    """Import every incident in the file, or none, as history (the default: counted, nobody's work now) or as
    live work (a backlog still waiting). A re-run of a file whose import stopped part way carries on where it
    stopped. Raises ImportFailed (every problem of the file) or ImportBlocked."""
    if imported_as not in ImportedAs.values:
        raise ValueError(f"imported_as must be one of {ImportedAs.values}")
    assert actor.organisation is not None
    digest = _digest(path)
    for finished in ImportBatch.objects.filter(
        organisation=actor.organisation, finished_at__isnull=False, staged__isnull=False
    ).distinct():
        _unstage_rows(finished)  # left by a run that stopped after its release
    batch = ImportBatch.objects.filter(organisation=actor.organisation, finished_at__isnull=True).first()
    if batch is not None and batch.recorded and batch.imported_as != imported_as:
        raise ImportBlocked(
            f"The import of {batch.file_name} for {actor.organisation.name} stopped part way, imported as "
            f"{batch.imported_as}. Import it again as {batch.imported_as} to finish it."
        )
    if batch is not None and not (
        batch.checked and batch.digest == digest and batch.imported_as == imported_as
    ):
        if batch.recorded:
            raise ImportBlocked(
                f"The import of {batch.file_name} for {actor.organisation.name} stopped part way "
                f"({batch.recorded} of {batch.incidents} incidents written, none of them visible yet). "
                f"Import {batch.file_name} again to finish it before importing another file."
            )
        _unstage(batch)  # stopped while checking, or before writing anything: start again
        batch = None
    if batch is None:
        batch = _stage(actor=actor, path=path, digest=digest, imported_as=imported_as, progress=progress)
    _write_held(actor=actor, batch=batch, progress=progress)
    shares, release_seconds = _release(batch=batch, progress=progress)
    return ImportSummary(
        rows=batch.rows, incidents=batch.incidents, shares=shares, release_seconds=release_seconds
    )
