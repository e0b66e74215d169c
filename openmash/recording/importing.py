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

import datetime as dt
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
from openmash.database import Insert, rows_insert, write_transaction
from openmash.events.models import Event, EventKind, ImportBatch, ImportRow, Source, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.organisations.models import Organisation
from openmash.recording.import_rows import (
    COLUMN_NAMES,
    REQUIRED,
    RowChecker,
    RowError,
    cell_text,
    file_digest,
    file_rows,
    instant_from,
    rows_in,
)
from openmash.recording.services import CheckedEvent, EventInput, PersonInput, _carry_out, _plan, event_check
from openmash.sharing.models import Delivery, DeliveryStatus, ImportedAs, Share
from openmash.sharing.outbox import wake_workers

# Rows staged a transaction, and incidents written a transaction: each holds SQLite's write lock for a few
# tens of milliseconds at most, so the service's own writes slip in between.
STAGE_CHUNK = 500
RECORD_CHUNK = 100
# Incidents released a transaction: each a short hold of the write lock, not one long one for the whole file.
RELEASE_CHUNK = 500
# The most problems reported: a file with a wrong column has one for every row.
MOST_PROBLEMS = 1000


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


# Told what has been done so far: the step ("Checking", "Writing"), rows done, rows in all (0 if unknown).
Progress = Callable[[str, int, int], None]


# --- Staging, writing held, releasing ----------------------------------------------------------------------

# Access given by held incidents expires at once (1970, plus the batch's number so that two forces' imports
# are told apart) until their file is released: the policy already ignores expired reasons.
HELD_ACCESS = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _held_access_until(batch: ImportBatch) -> dt.datetime:
    return HELD_ACCESS + dt.timedelta(seconds=batch.pk)


@contextmanager
def _writing(*, durable: bool = False) -> Iterator[None]:
    """One short write transaction, queued behind the service's own writers (decision 0008). Staged and held
    chunks are nobody's until the release: their commits do not wait for the disk (decision 0015); the
    release's do, and flush everything written before them."""
    with write_transaction(durable=durable, many_rows=True):
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
    total = rows_in(path)
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
    checker = RowChecker(actor, imported_as)
    header: list[str] = []
    # Staged by the direct insert (database.rows_insert): no model instance a row.
    waiting: list[tuple[int, int, int, dict[str, Any]]] = []
    rows = 0
    try:
        for line, names, values in file_rows(path, problems):
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
            if len(values) > len(header) and any(cell_text(value) for value in values[len(header) :]):
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
                waiting.append((batch.pk, number, line, staged))
            if len(waiting) >= STAGE_CHUNK:
                with _writing():
                    _staged_insert(waiting).run()
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
            _staged_insert(waiting).run()
            batch.save(update_fields=["rows", "incidents", "checked"])
        if progress:
            progress("Checking", rows, rows)
    except BaseException:
        _unstage(batch)
        raise
    return batch


def _staged_insert(rows: list[tuple[int, int, int, dict[str, Any]]]) -> Insert:
    return rows_insert(ImportRow, ("batch_id", "incident", "line", "values"), rows)


def _incident_input(lines: list[tuple[int, dict[str, Any]]], imported_as: str) -> EventInput:
    first = lines[0][1]
    return EventInput(
        kind=EventKind.DOMESTIC_ABUSE,
        reference=first["reference"],
        occurred_at=instant_from(first["occurred_at"]),
        reported_at=instant_from(first["reported_at"]),
        shared_at=instant_from(first["shared_at"]),
        imported_as=imported_as,
        handled_at=instant_from(first.get("handled_at")),
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
                    RowError(lines[0][0], COLUMN_NAMES.get(key, key), "; ".join(messages))
                    for key, messages in error.errors.items()
                ]
        if failed:
            raise ImportFailed(failed)
        for attempt in (1, 2):
            # Planned before the lock, with reads only (decision 0010); planned again if a child it planned
            # as new was recorded meanwhile by someone else (the identifier's unique constraint).
            planned = _plan(checked, held_until=until)
            try:
                with _writing():
                    _carry_out_held(planned, batch, upto)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        batch.recorded = upto
        done_rows += len(staged)
        if progress:
            progress("Writing", done_rows, batch.rows)


def _carry_out_held(planned: Any, batch: ImportBatch, upto: int) -> None:
    # Planned held (``_plan``'s ``held_until``): the access it gives expires at ``until`` until the release,
    # and its deliveries are history, never sent, or held, for the release to make pending.
    _carry_out(planned, [None] * len(planned.recorded))
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
        with _writing(durable=True):
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
        with _writing(durable=True):
            AccessReason.objects.filter(pk__in=reason_ids).update(expires_at=None)
        longest = max(longest, time.monotonic() - began)
    with _writing(durable=True):
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
    digest = file_digest(path)
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
