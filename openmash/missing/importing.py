"""Importing missing episodes recorded elsewhere, keeping their real times so delays are measured (docs/import.md).

One row per episode. Like the domestic-abuse import (openmash.events.importing, whose file readers and cell
rules it shares), every row is checked before anything is written and a file with any problem imports nothing,
every problem reported by line and column. The episodes are then written a chunk a short transaction through
the write gate, their reports **held** (seen by no one, delivered to no one), and the whole file released at
once when it is all in (the domestic-abuse import's release).

A chunk is written in rounds (``_rounds``), no child twice in a round, each round a few statements: its
missing reports recorded together (``services.missing_reports_record_many``: one plan, one insert a table, one
audit append), then the found reports of those found (``services.found_reports_record_many``), then the return
interviews and the clocks they stop. A child's later episode waits for a later round, so that it counts the
earlier one as a repeat and names the child the earlier one recorded, as one episode at a time would: the same
rows whatever the chunk size (tests/missing/test_import_chunks.py).

As history (the default, ``--as history``) the episodes are what happened elsewhere: they count in the missing
list, the SSDA903 return and every measure with their real times, but create no work now: their shares are
never sent (no inbox delivery, alert or webhook) nor escalated, the return-interview clocks their found reports
start are closed at once (met or missed at the real offer, or missed when the file records none), and the
return-interview service's inbox does not list them. As live work (``--as live``) they are a backlog still
waiting: delivered, on the clock and escalated like any new report.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_append
from openmash.clocks.models import Clock
from openmash.database import write_transaction
from openmash.events.models import Event, ImportBatch, Source, SubjectRole
from openmash.lib import identifiers
from openmash.lib.clock_rules import ClockRule
from openmash.lib.names import name_key
from openmash.missing import services
from openmash.missing.models import Category, InterviewResponse, MissingEpisode, ReturnInterview, Risk
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.recording.import_rows import (
    RowError,
    _date_of_birth,
    _instant,
)
from openmash.recording.import_rows import cell_text as _text
from openmash.recording.import_rows import file_digest as _digest
from openmash.recording.import_rows import file_rows as _rows
from openmash.recording.import_rows import rows_in as _rows_in
from openmash.recording.importing import MOST_PROBLEMS, ImportBlocked, ImportFailed, _release
from openmash.recording.services import PersonInput
from openmash.sharing.models import Delivery, DeliveryStatus, ImportedAs, Share

REQUIRED = [
    "reference",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "council",
    "looked_after",
    "category",
    "risk_level",
    "last_seen_at",
    "reported_at",
]
OPTIONAL = [
    "child_nhs_number",
    "child_upn",
    "council_told_at",
    "found_at",
    "return_interview_offered_at",
    "return_interview_held_at",
    "return_interview_independent",
]
KNOWN = frozenset(REQUIRED + OPTIONAL)
INSTANTS = (
    "last_seen_at",
    "reported_at",
    "council_told_at",
    "found_at",
    "return_interview_offered_at",
    "return_interview_held_at",
)
CATEGORIES = {"missing": Category.MISSING, "away": Category.AWAY}
# Episodes written a transaction, planned together: each holds SQLite's write lock for a few hundred
# milliseconds at most (at 2 to 4 ms an episode; written one at a time, 16 ms each, 50 held it for most of a second).
WRITE_CHUNK = 100

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class MissingImportSummary:
    rows: int
    episodes: int
    shares: int
    release_seconds: float


def _yes_no(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text.lower())


class _Checker:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.now = timezone.now()
        self.councils: dict[str, Organisation | str] = {}
        self.references: dict[str, int] = {}
        assert actor.organisation is not None
        self.done = set(
            MissingEpisode.objects.filter(reported_by=actor.organisation).values_list("reference", flat=True)
        )

    def _council(self, name: str) -> Organisation | str:
        if name not in self.councils:
            try:
                found = organisation_resolve(name)
                self.councils[name] = (
                    found if found.kind == OrganisationKind.COUNCIL else f"{found.name} is not a council"
                )
            except UnknownOrganisation as error:
                self.councils[name] = str(error)
        return self.councils[name]

    def check(self, line: int, row: dict[str, object]) -> tuple[dict[str, Any] | None, list[RowError]]:
        problems: dict[str, str] = {}
        text = {column: _text(value) for column, value in row.items() if column in KNOWN}
        for column in REQUIRED:
            if not text.get(column):
                problems[column] = "is empty"
        reference = text.get("reference", "")
        if reference:
            if reference in self.references:
                problems["reference"] = (
                    f"is the same as line {self.references[reference]}: one row per episode"
                )
            elif reference in self.done:
                problems["reference"] = "was imported before: this episode is already on record"
            else:
                self.references[reference] = line
            if len(reference) > 60:
                problems["reference"] = "is longer than 60 characters"
        times: dict[str, dt.datetime | None] = dict.fromkeys(INSTANTS)
        for column in INSTANTS:
            if column in problems or not text.get(column):
                continue
            value = _instant(row[column], self.now)
            if isinstance(value, str):
                problems[column] = value
            else:
                times[column] = value
        order = [
            "last_seen_at",
            "reported_at",
            "found_at",
            "return_interview_offered_at",
            "return_interview_held_at",
        ]
        for earlier, later in itertools.pairwise(order):
            if times[earlier] and times[later] and times[later] < times[earlier]:  # type: ignore[operator]
                problems.setdefault(later, f"is before {earlier}")
        told = times["council_told_at"]
        if told is not None and times["reported_at"] is not None and told < times["reported_at"]:
            problems["council_told_at"] = "is before reported_at"
        if times["return_interview_offered_at"] and not times["found_at"]:
            problems.setdefault("found_at", "is empty, but a return interview was offered")
        if times["return_interview_held_at"] and not times["return_interview_offered_at"]:
            problems.setdefault("return_interview_offered_at", "is empty, but a return interview was held")
        independent = _yes_no(text.get("return_interview_independent", ""))
        if times["return_interview_held_at"] and independent is None:
            problems["return_interview_independent"] = "must be yes or no when the interview was held"
        elif text.get("return_interview_independent") and independent is None:
            problems["return_interview_independent"] = "must be yes or no"
        born: dt.date | None = None
        if "child_date_of_birth" not in problems:
            given = _date_of_birth(row["child_date_of_birth"])
            last_seen = times["last_seen_at"]
            if isinstance(given, str):
                problems["child_date_of_birth"] = given
            elif last_seen is not None and given > last_seen.date():
                problems["child_date_of_birth"] = "is after the child was last seen"
            else:
                born = given
        for column, scheme_problem in (
            ("child_nhs_number", identifiers.nhs_number_problem),
            ("child_upn", identifiers.upn_problem),
        ):
            if text.get(column) and (problem := scheme_problem(text[column])):
                problems[column] = problem
        looked_after = _yes_no(text.get("looked_after", ""))
        if "looked_after" not in problems and looked_after is None:
            problems["looked_after"] = "must be yes or no"
        category = CATEGORIES.get(text.get("category", "").lower())
        if "category" not in problems and category is None:
            problems["category"] = "must be missing or away"
        risk = text.get("risk_level", "").lower()
        if "risk_level" not in problems and risk not in Risk.values:
            problems["risk_level"] = "must be no-apparent-risk, low, medium or high"
        council: Organisation | None = None
        if "council" not in problems:
            found = self._council(text["council"])
            if isinstance(found, str):
                problems["council"] = found
            else:
                council = found
        for column in ("child_given_name", "child_family_name"):
            if len(text.get(column, "")) > 100:
                problems[column] = "is longer than 100 characters"
        if problems:
            return None, [RowError(line, column, message) for column, message in problems.items()]
        assert council is not None and born is not None
        return {
            "line": line,
            "reference": reference,
            "given_name": text["child_given_name"],
            "family_name": text["child_family_name"],
            "date_of_birth": born,
            "nhs_number": text.get("child_nhs_number", ""),
            "upn": text.get("child_upn", ""),
            "council": council,
            "looked_after": looked_after,
            "category": category,
            "risk": risk,
            "independent": independent,
            **times,
        }, []


def _check(
    actor: Actor, path: Path, progress: Progress | None, written: set[str]
) -> tuple[int, list[dict[str, Any]]]:
    problems: list[RowError] = []
    checker = _Checker(actor)
    checker.done -= written
    header: list[str] = []
    good: list[dict[str, Any]] = []
    rows = 0
    total = _rows_in(path)
    for line, names, values in _rows(path, problems):
        if not line:
            header = names
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                problems += [RowError(1, column, "column is missing from the header") for column in missing]
                break
            continue
        rows += 1
        if len(values) > len(header) and any(_text(value) for value in values[len(header) :]):
            problems.append(
                RowError(
                    line,
                    f"{len(header) + 1} (after the last named column)",
                    f"this row has {len(values)} values but the header names {len(header)} columns",
                )
            )
        checked, its_problems = checker.check(line, dict(zip(header, values, strict=False)))
        problems += its_problems
        if checked is not None and not problems:
            good.append(checked)
        if progress and rows % 500 == 0:
            progress("Checking", rows, max(total, rows))
    if not header and not problems:
        problems.append(RowError(1, "-", "the file is empty: it needs a header row and at least one row"))
    elif not rows and not problems:
        problems.append(RowError(2, "-", "the file has a header row but no rows"))
    if problems:
        raise ImportFailed(problems[:MOST_PROBLEMS], more=max(len(problems) - MOST_PROBLEMS, 0))
    if progress:
        progress("Checking", rows, rows)
    return rows, good


def _child_keys(row: dict[str, Any]) -> set[tuple[str, object]]:
    """What tells a row's child from another's within a chunk: name and date of birth, and any identifier."""
    keys: set[tuple[str, object]] = {
        ("name", (name_key(row["given_name"], row["family_name"]), row["date_of_birth"]))
    }
    keys |= {(scheme, row[scheme]) for scheme in ("nhs_number", "upn") if row[scheme]}
    return keys


def _rounds(chunk: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A chunk's rows in rounds, in file order, no child twice in a round: a child's later episode is
    recorded after its earlier one is written (it counts the earlier one as a repeat, and names the child the
    earlier one recorded)."""
    rounds: list[list[dict[str, Any]]] = []
    waiting = chunk
    while waiting:
        this: list[dict[str, Any]] = []
        later: list[dict[str, Any]] = []
        seen: set[tuple[str, object]] = set()
        for row in waiting:
            keys = _child_keys(row)
            (later if keys & seen else this).append(row)
            seen |= keys
        rounds.append(this)
        waiting = later
    return rounds


def _write_round(
    actor: Actor,
    rows: list[dict[str, Any]],
    known: dict[tuple[str, dt.date], Any],
    imported_as: str,
    interview_services: dict[int, Organisation],
) -> list[Event]:
    """Record a round's missing reports together, then the found reports of those found, then the return
    interviews the file records, each a few statements for the whole round (the missing services' many
    forms)."""
    inputs = []
    for row in rows:
        key = (name_key(row["given_name"], row["family_name"]), row["date_of_birth"])
        person_id = known.get(key) if not (row["nhs_number"] or row["upn"]) else None
        child = (
            PersonInput(role=SubjectRole.CHILD, person_id=person_id)
            if person_id is not None
            else PersonInput(
                role=SubjectRole.CHILD,
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=row["date_of_birth"],
                nhs_number=row["nhs_number"],
                upn=row["upn"],
            )
        )
        inputs.append(
            services.MissingReportInput(
                last_seen_at=row["last_seen_at"],
                reported_at=row["reported_at"],
                child=child,
                category=row["category"],
                risk=row["risk"],
                reference=row["reference"],
                council=row["council"],
                looked_after=row["looked_after"],
                council_told_at=row["council_told_at"],
                source=Source.IMPORT,  # held at the end of its chunk (the found report must see it first)
                imported_as=imported_as,
            )
        )
    reported = services.missing_reports_record_many(actor=actor, inputs=inputs)
    events = [one.recorded.event for one in reported]
    for row, one in zip(rows, reported, strict=True):
        known.setdefault(
            (name_key(row["given_name"], row["family_name"]), row["date_of_birth"]), one.episode.child_id
        )
    found_rows = [
        (row, one.episode) for row, one in zip(rows, reported, strict=True) if row["found_at"] is not None
    ]
    if not found_rows:
        return events
    found = services.found_reports_record_many(
        actor=actor,
        closing=[
            (
                episode,
                services.FoundInput(
                    found_at=row["found_at"],
                    found_by="As imported",
                    source=Source.IMPORT,
                    imported_as=imported_as,
                    # History reached the council when the child was found, as far as the file tells; live
                    # work now.
                    shared_at=row["found_at"] if imported_as == ImportedAs.HISTORY else None,
                ),
            )
            for row, episode in found_rows
        ],
    )
    events += [one.recorded.event for one in found]
    _interviews_write(actor, [row for row, _episode in found_rows], found, imported_as, interview_services)
    return events


def _interviews_write(
    actor: Actor,
    rows: list[dict[str, Any]],
    found: list[services.RecordedEpisode],
    imported_as: str,
    interview_services: dict[int, Organisation],
) -> None:
    """The return interviews the file records, and the 72-hour clock each found report started, stopped at
    the real offer (met or missed), or, as history with no offer, closed: one query for the clocks, one
    statement each for the interviews and the clocks, one audit append."""
    now = timezone.now()
    clocks: dict[str, list[Clock]] = {}
    # By the found reports (the clocks' event, an indexed key), each the clock of its own report.
    for clock in Clock.objects.filter(
        rule=ClockRule.RETURN_INTERVIEW,
        event_id__in=[one.recorded.event.pk for one in found],
        subject_type="event",
        subject_id__in=[str(one.recorded.event.pk) for one in found],
    ):
        clocks.setdefault(clock.subject_id, []).append(clock)
    stopped: list[Clock] = []
    interviews: list[ReturnInterview] = []
    for row, one in zip(rows, found, strict=True):
        its_clocks = clocks.get(str(one.recorded.event.pk), [])
        offered = row["return_interview_offered_at"]
        if offered is None:
            if imported_as == ImportedAs.HISTORY:
                stopped += _unoffered_closed(actor, its_clocks, now)
            continue
        held = row["return_interview_held_at"]
        independent = row["independent"]
        interviews.append(
            ReturnInterview(
                episode=one.episode,
                service=_interview_service(row["council"], interview_services),
                offered_at=offered,
                offered_to="As imported",
                offered_by_label=actor.label,
                response=InterviewResponse.ACCEPTED if held else InterviewResponse.WAITING,
                held_at=held,
                interviewer_label="As imported" if held else "",
                independent=independent if held else None,
                independence_exception="Recorded as not independent in the imported file"
                if held and not independent
                else "",
                outcome_recorded_at=now if held else None,
            )
        )
        # The offer met (or missed) the 72-hour clock at its real time.
        for clock in its_clocks:
            late = offered > clock.due_at
            clock.stopped_at = offered
            clock.stopped_by_label = actor.label
            clock.breached_at = clock.due_at if late else None
            clock.breach_reason = "Offered late, as recorded in the imported file" if late else ""
            stopped.append(clock)
    if stopped:
        Clock.objects.bulk_update(stopped, ["stopped_at", "stopped_by_label", "breached_at", "breach_reason"])
    if interviews:
        ReturnInterview.objects.bulk_create(interviews)  # their ids, for the audit entries
        audit_append(
            [
                (
                    actor,
                    AuditInput(
                        action=AuditAction.CREATE,
                        object_type="return-interview",
                        object_id=interview.pk,
                        person_id=interview.episode.child_id,
                        reason="imported a return home interview",
                    ),
                )
                for interview in interviews
            ]
        )


def _interview_service(council: Organisation, known: dict[int, Organisation]) -> Organisation:
    """Who offered an imported interview: the return-interview service the council commissions, else the
    council itself."""
    if council.pk not in known:
        known[council.pk] = (
            Organisation.objects.filter(
                kind=OrganisationKind.RETURN_INTERVIEW_SERVICE, parent=council
            ).first()
            or council
        )
    return known[council.pk]


def _unoffered_closed(actor: Actor, clocks: list[Clock], now: dt.datetime) -> list[Clock]:
    """History only: a found report whose file records no offer leaves nobody a clock to meet now. Its
    return-interview clock is closed as missed when it fell due (it counts as late in the measures), or, not yet
    due, closed with the reason why it runs no more."""
    closed = []
    for clock in clocks:
        if clock.stopped_at is not None:
            continue
        due = clock.due_at <= now
        clock.stopped_at = now
        clock.stopped_by_label = actor.label
        clock.breached_at = clock.due_at if due else None
        clock.breach_reason = (
            "Imported as history: the imported file records no offer"
            if due
            else "Imported as history: not followed up in OpenMASH"
        )
        closed.append(clock)
    return closed


def import_missing(
    *,
    actor: Actor,
    path: Path,
    imported_as: str = ImportedAs.HISTORY,
    progress: Progress | None = None,
) -> MissingImportSummary:
    """Import every episode in the file, or none, as history (the default: counted, nobody's work now) or as
    live work (a backlog still waiting). A re-run of a file whose import stopped part way carries on where it
    stopped. Raises ImportFailed (every problem of the file) or ImportBlocked (another file's import for the
    organisation is unfinished, or this one's was begun as the other kind)."""
    if imported_as not in ImportedAs.values:
        raise ValueError(f"imported_as must be one of {ImportedAs.values}")
    organisation = actor.organisation
    assert organisation is not None
    digest = _digest(path)
    batch = ImportBatch.objects.filter(organisation=organisation, finished_at__isnull=True).first()
    if batch is not None and batch.digest != digest:
        raise ImportBlocked(
            f"The import of {batch.file_name} for {organisation.name} is unfinished. Import {batch.file_name} "
            "again to finish it before importing another file."
        )
    if batch is not None and batch.imported_as != imported_as:
        raise ImportBlocked(
            f"The import of {batch.file_name} for {organisation.name} stopped part way, imported as "
            f"{batch.imported_as}. Import it again as {batch.imported_as} to finish it."
        )
    # Episodes this file's unfinished import already wrote (held): skipped, not refused, on a re-run.
    written = set(
        MissingEpisode.objects.filter(
            reported_by=organisation, missing_report__source=Source.HELD
        ).values_list("reference", flat=True)
    )
    rows, good = _check(actor, path, progress, written)
    if batch is None:
        try:
            with write_transaction():
                batch = ImportBatch.objects.create(
                    organisation=organisation,
                    file_name=path.name[:300],
                    digest=digest,
                    started_at=timezone.now(),
                    rows=rows,
                    incidents=len(good),
                    checked=True,
                    imported_as=imported_as,
                )
        except IntegrityError as error:
            raise ImportBlocked(f"Another import for {organisation.name} is under way") from error
    todo = [row for row in good if row["reference"] not in written]
    known: dict[tuple[str, dt.date], Any] = {}
    interview_services: dict[int, Organisation] = {}
    for start in range(0, len(todo), WRITE_CHUNK):
        chunk = todo[start : start + WRITE_CHUNK]
        with write_transaction(many_rows=True):
            events: list[Event] = []
            for round_rows in _rounds(chunk):
                events += _write_round(actor, round_rows, known, imported_as, interview_services)
            # Held until the whole file is in: seen by no one, no worker claims the deliveries (the
            # domestic-abuse import's release makes the file visible at once). History is never sent: its
            # deliveries are marked so at once; live work's wait for the release.
            Event.objects.filter(pk__in=[event.pk for event in events]).update(source=Source.HELD)
            # By the shares' ids, read first: two indexed lookups, where a join inside the UPDATE was planned as
            # a scan on PostgreSQL and could run past the statement timeout on a large database.
            chunk_shares = list(Share.objects.filter(event__in=events).values_list("pk", flat=True))
            Delivery.objects.filter(share_id__in=chunk_shares).update(
                status=DeliveryStatus.HISTORY if imported_as == ImportedAs.HISTORY else DeliveryStatus.HELD
            )
            ImportBatch.objects.filter(pk=batch.pk).update(recorded=len(written) + start + len(chunk))
        if progress:
            progress("Writing", len(written) + start + len(chunk), len(good))
    shares, release_seconds = _release(batch=batch, progress=progress)
    return MissingImportSummary(rows=rows, episodes=len(good), shares=shares, release_seconds=release_seconds)
