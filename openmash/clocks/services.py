"""Starting and stopping clocks, an area's own figures, and the sweep that marks and escalates breaches.

Other apps start and stop clocks through these functions only; the deadline itself is always the engine's.
Just over the ~400 lines a service module is kept to: the area settings (cached) and the breach sweep are
small, and kept beside the starts and stops they feed so one file shows a clock's whole life.
"""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import User
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_append, audit_record
from openmash.clocks import engine
from openmash.clocks.models import Allocation, AreaClockSetting, Clock, SchoolCalendar, TermBreak, WorkType
from openmash.database import rows_insert, write_transaction
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.govuk import govuk_datetime
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Person

if TYPE_CHECKING:
    from openmash.events.models import Event

# Area settings are read on every deadline; they change a few times a year. Each process keeps them this long.
SETTINGS_TTL_SECONDS = 30.0


@dataclass(frozen=True)
class _Local:
    """What one organisation has set for itself: figures for local defaults, and its school calendar."""

    settings: Mapping[str, AreaClockSetting] = field(default_factory=dict)
    term_breaks: tuple[tuple[dt.date, dt.date], ...] = ()
    school_day_start: dt.time | None = None


_NOTHING_SET = _Local()
_settings_lock = threading.Lock()
_settings_cache: tuple[float, dict[int, _Local]] = (0.0, {})


def _all_local() -> dict[int, _Local]:
    global _settings_cache
    loaded_at, table = _settings_cache
    if time.monotonic() - loaded_at < SETTINGS_TTL_SECONDS:
        return table
    settings: dict[int, dict[str, AreaClockSetting]] = {}
    for setting in AreaClockSetting.objects.all():
        settings.setdefault(setting.organisation_id, {})[setting.rule] = setting
    breaks: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for item in TermBreak.objects.order_by("first_day"):
        breaks.setdefault(item.organisation_id, []).append((item.first_day, item.last_day))
    starts = dict(SchoolCalendar.objects.values_list("organisation_id", "school_day_start"))
    fresh = {
        organisation_id: _Local(
            settings=settings.get(organisation_id, {}),
            term_breaks=tuple(breaks.get(organisation_id, ())),
            school_day_start=starts.get(organisation_id),
        )
        for organisation_id in {*settings, *breaks, *starts}
    }
    with _settings_lock:
        _settings_cache = (time.monotonic(), fresh)
    return fresh


def forget_area_settings() -> None:
    """Read the area settings afresh on next use (after a change here, and in tests)."""
    global _settings_cache
    with _settings_lock:
        _settings_cache = (0.0, {})


def _area_id(organisation: Organisation) -> int:
    """Whose local procedures apply: a council's own; a school's or partnership's council's; others their own.
    By id, without loading the council: a school's share reads this for every incident."""
    if (
        organisation.kind in (OrganisationKind.SCHOOL, OrganisationKind.PARTNERSHIP)
        and organisation.parent_id
    ):
        return organisation.parent_id
    return organisation.pk


def _area_of(organisation: Organisation) -> Organisation:
    if _area_id(organisation) == organisation.pk:
        return organisation
    parent = organisation.parent
    assert parent is not None
    return parent


def _local(organisation: Organisation | None) -> _Local:
    return _all_local().get(organisation.pk, _NOTHING_SET) if organisation is not None else _NOTHING_SET


def _area_local(organisation: Organisation) -> _Local:
    return _all_local().get(_area_id(organisation), _NOTHING_SET)


def area_settings_for(organisation: Organisation) -> Mapping[str, AreaClockSetting]:
    return _area_local(organisation).settings


def school_calendar_for(
    organisation: Organisation,
) -> tuple[tuple[tuple[dt.date, dt.date], ...], dt.time | None]:
    """(term breaks, school-day start) for Operation Encompass: a school's own where it has set them, otherwise
    its council's (a council's own for a home-educated child's notice)."""
    own, area = _local(organisation), _area_local(organisation)
    return own.term_breaks or area.term_breaks, own.school_day_start or area.school_day_start


def overrides_for(organisation: Organisation) -> dict[str, dict[str, int]]:
    """The organisation's area settings in the engine's form: ``{"strategy-discussion": {"working_days": 3}}``."""
    return {rule: {setting.unit: setting.amount} for rule, setting in area_settings_for(organisation).items()}


def figure_words(unit: str, amount: int) -> str:
    if unit == engine.Unit.SCHOOL_DAY_START:
        return "start of the next school day"
    words = {
        engine.Unit.WORKING_DAYS: ("working day", "working days"),
        engine.Unit.DAYS: ("day", "days"),
        engine.Unit.HOURS: ("hour", "hours"),
        engine.Unit.MONTHS: ("month", "months"),
    }[engine.Unit(unit)]
    return f"{amount} {words[0] if amount == 1 else words[1]}"


def deadline(rule: str, start: dt.datetime, organisation: Organisation) -> dt.datetime:
    """When ``organisation`` must have acted on a clock of ``rule`` started at ``start``: its nation's
    calendar, its area's own figure where it has set one, and (for Operation Encompass) its school days."""
    term_breaks, school_day_start = school_calendar_for(organisation)
    return engine.due(
        rule,
        start,
        nation=organisation.nation or engine.Nation.ENGLAND,
        overrides=overrides_for(organisation),
        term_breaks=term_breaks,
        school_day_start=school_day_start,
    )


def deadlines(rule: str, starts: Iterable[dt.datetime], organisation: Organisation) -> list[dt.datetime]:
    """``deadline`` of each of many starts of one rule for one organisation, its settings read once and each
    start's day worked out once (``engine.due_many``): a year's missing episodes of an area at once."""
    term_breaks, school_day_start = school_calendar_for(organisation)
    return engine.due_many(
        rule,
        starts,
        nation=organisation.nation or engine.Nation.ENGLAND,
        overrides=overrides_for(organisation),
        term_breaks=term_breaks,
        school_day_start=school_day_start,
    )


def area_setting_set(
    *, actor: Actor, organisation: Organisation, rule: str, unit: str, amount: int, reason: str
) -> AreaClockSetting:
    """Set an area's own figure for a local-default clock. The engine refuses national rules."""
    if not policy.may_set_clock_figures(actor, organisation):
        raise NotAllowed("Only the organisation's administrators set its local clock figures")
    errors: dict[str, str] = {}
    try:
        engine.due(rule, timezone.now(), nation=organisation.nation, overrides={rule: {unit: amount}})
    except ValueError as error:
        errors["amount"] = str(error)
    if not reason.strip():
        errors["reason"] = "Say where the area agreed this figure (for example, its local procedures)"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        setting, _ = AreaClockSetting.objects.update_or_create(
            organisation=organisation,
            rule=rule,
            defaults={
                "unit": unit,
                "amount": amount,
                "reason": reason.strip(),
                "set_by_label": actor.label,
                "set_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="area-clock-setting",
            object_id=setting.pk,
            reason="set a local clock figure",
            detail={"rule": rule, "unit": unit, "amount": amount},
        )
        transaction.on_commit(forget_area_settings)
    return setting


def _figure(rule: str, organisation: Organisation) -> tuple[str, str, str]:
    """The nation, the figure in words, and the area setting that applied (if any) to ``rule`` there."""
    nation = organisation.nation or engine.Nation.ENGLAND
    national = engine.load_rules(nation)[rule]
    setting = area_settings_for(organisation).get(rule)
    if setting is not None:
        figure = figure_words(setting.unit, setting.amount)
        note = (
            f"{_area_of(organisation).name} sets {figure} "
            f"(national default {figure_words(national.unit, national.amount)}): {setting.reason}"
        )
        return nation, figure, note
    return nation, figure_words(national.unit, national.amount), ""


def figure_for(rule: str, organisation: Organisation) -> tuple[str, str]:
    """(the figure a clock of ``rule`` runs to for this organisation, in words; the area's setting, in words,
    when it has set its own figure, else "")."""
    _nation, figure, note = _figure(rule, organisation)
    return figure, note


def clock_bring_forward(*, actor: Actor, clock: Clock, rule: str, start: dt.datetime, why: str) -> Clock:
    """Make an open clock due by the sooner of its own deadline and a clock of ``rule`` started at ``start``
    (a pre-birth review once the child is born). Its figure says so; audited. A deadline already past is
    marked breached by the next sweep, like any other."""
    if clock.stopped_at is not None:
        return clock
    sooner = deadline(rule, start, clock.organisation)
    figure, note = figure_for(rule, clock.organisation)
    clock.figure = f"{clock.figure}, or {figure} {why} if sooner"[
        : Clock._meta.get_field("figure").max_length
    ]
    if note:
        clock.area_setting = "; ".join(part for part in (clock.area_setting, note) if part)[:400]
    changed = sooner < clock.due_at
    if changed:
        clock.due_at = sooner
    with transaction.atomic():
        clock.save(update_fields=["figure", "area_setting", "due_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="clock",
            object_id=clock.pk,
            person_id=clock.person_id,
            reason=f"deadline of {clock.rule} brought forward" if changed else f"{clock.rule} checked",
            detail={"rule": clock.rule, "by": rule, "due_at": clock.due_at.isoformat()},
        )
    return clock


def _new_clock(
    *,
    rule: str,
    started_at: dt.datetime,
    organisation: Organisation,
    subject_type: str,
    subject_id: object,
    person_id: uuid.UUID | None,
    event: "Event | None",
    owner: User | None,
) -> Clock:
    _nation, figure, note = _figure(rule, organisation)
    return Clock(
        rule=rule,
        nation=organisation.nation or engine.Nation.ENGLAND,
        figure=figure,
        area_setting=note,
        organisation=organisation,
        owner=owner,
        person_id=person_id,
        event=event,
        subject_type=subject_type,
        subject_id=str(subject_id),
        started_at=started_at,
        due_at=deadline(rule, started_at, organisation),
    )


def clock_start(
    *,
    rule: str,
    started_at: dt.datetime,
    organisation: Organisation,
    subject_type: str,
    subject_id: object,
    person: Person | None = None,
    event: "Event | None" = None,
    owner: User | None = None,
) -> Clock:
    """Start a clock, or return the one already started for this rule, subject and child."""
    if timezone.is_naive(started_at):
        raise InvalidInput({"started_at": "Give the start with its time zone"})
    existing = Clock.objects.filter(
        rule=rule, subject_type=subject_type, subject_id=str(subject_id), person=person
    ).first()
    if existing is None and person is not None and _one_per_child(rule, organisation):
        existing = _open_for_child(rule, organisation).filter(person=person).first()
    if existing is not None:
        return existing
    clock = _new_clock(
        rule=rule,
        started_at=started_at,
        organisation=organisation,
        subject_type=subject_type,
        subject_id=subject_id,
        person_id=person.pk if person is not None else None,
        event=event,
        owner=owner,
    )
    try:
        with transaction.atomic():
            clock.save(force_insert=True)
    except IntegrityError:
        # Started at the same moment by another worker or request: theirs stands.
        return Clock.objects.get(
            rule=rule, subject_type=subject_type, subject_id=str(subject_id), person=person
        )
    return clock


def _one_per_child(rule: str, organisation: Organisation) -> bool:
    return engine.load_rules(organisation.nation or engine.Nation.ENGLAND)[rule].one_per_child


def _open_for_child(rule: str, organisation: Organisation) -> QuerySet[Clock]:
    return Clock.objects.filter(rule=rule, organisation=organisation, stopped_at__isnull=True)


def clocks_start_many(specs: Iterable[dict[str, Any]]) -> list[Clock]:
    """Start several new clocks in one insert (recording an event): each spec is clock_start's arguments,
    with the child by ``person_id``. A rule that is one duty to a child (``one_per_child``) starts no second
    clock for a child who has one open at that organisation: the open one, started first, stands."""
    wanted = list(specs)
    per_child = {
        (spec["rule"], spec["organisation"].pk, spec["person_id"])
        for spec in wanted
        if spec.get("person_id") is not None and _one_per_child(spec["rule"], spec["organisation"])
    }
    running = set()
    if per_child:
        condition = Q(pk__in=[])
        for rule, organisation_id, person_id in per_child:
            condition |= Q(rule=rule, organisation_id=organisation_id, person_id=person_id)
        running = set(
            Clock.objects.filter(condition, stopped_at__isnull=True).values_list(
                "rule", "organisation_id", "person_id"
            )
        )
    clocks = []
    for spec in wanted:
        key = (spec["rule"], spec["organisation"].pk, spec.get("person_id"))
        if key in per_child:
            if key in running:
                continue
            running.add(key)  # the first of the batch starts it; the others are met by the same work
        clocks.append(_new_clock(**spec))
    return Clock.objects.bulk_create(clocks, ignore_conflicts=True)


@dataclass(frozen=True)
class DoneClock:
    """A clock met or missed in the same moment the work that stops it was done: a notification to another
    agency, due within ``rule`` from ``started_at`` (counted where ``counted_for`` is, as the share's
    ``notification_due_at`` was) and done at ``done_at`` by ``organisation``."""

    rule: str
    organisation: Organisation
    counted_for: Organisation
    started_at: dt.datetime
    due_at: dt.datetime
    done_at: dt.datetime
    subject_type: str
    subject_id: object
    event: "Event | None" = None
    owner: User | None = None
    done_by_label: str = ""
    # Why it was done late, in the words of whoever was late ("" when they gave none).
    breach_reason: str = ""


# Said of a notification sent after its clock ran out, where nobody has given a reason yet.
LATE_WITHOUT_REASON = "Sent after the deadline; no reason recorded"


_DONE_COLUMNS = (
    "id",
    "rule",
    "nation",
    "figure",
    "area_setting",
    "organisation_id",
    "owner_id",
    "person_id",
    "event_id",
    "subject_type",
    "subject_id",
    "started_at",
    "due_at",
    "stopped_at",
    "stopped_by_label",
    "breached_at",
    "breach_reason",
    "escalated_at",
)


def clocks_record_done(done: Iterable[DoneClock]) -> None:
    """Record clocks already met or missed, in one insert: the organisation's measures count them, and a
    late one is a breach of the organisation that was late (never of anyone downstream)."""
    rows = []
    # The same few rules and recipients over and over: each figure worked out once.
    figures: dict[tuple[str, int], tuple[str, str, str]] = {}
    for item in done:
        key = (item.rule, item.counted_for.pk)
        if key not in figures:
            figures[key] = _figure(item.rule, item.counted_for)
        nation, figure, note = figures[key]
        late = item.done_at > item.due_at
        rows.append(
            (
                new_id(),
                item.rule,
                nation,
                figure,
                note,
                item.organisation.pk,
                item.owner.pk if item.owner is not None else None,
                None,
                item.event.pk if item.event is not None else None,
                item.subject_type,
                str(item.subject_id),
                item.started_at,
                item.due_at,
                item.done_at,
                item.done_by_label,
                item.due_at if late else None,
                (item.breach_reason.strip() or LATE_WITHOUT_REASON) if late else "",
                None,
            )
        )
    # Clocks of new shares (their subjects), written with the event: nothing to conflict with, so the direct
    # insert of their rows (openmash.database), with no model instance a clock and none of the ORM's SQL.
    rows_insert(Clock, _DONE_COLUMNS, rows).run()


def clock_stop(
    *, actor: Actor, clock: Clock, at: dt.datetime | None = None, breach_reason: str = ""
) -> Clock:
    """Stop a clock: met when stopped by its due time; otherwise breached, and the person stopping it must say
    why it was late (the reason is what inspectors read)."""
    at = at or timezone.now()
    if clock.stopped_at is not None:
        return clock
    if at < clock.started_at:
        raise InvalidInput({"at": "It cannot have happened before the clock started"})
    late = at > clock.due_at
    if late and not breach_reason.strip():
        due = govuk_datetime(clock.due_at)
        raise InvalidInput({"breach_reason": f"Give the reason for the delay: this was due by {due}"})
    with transaction.atomic():
        updated = Clock.objects.filter(pk=clock.pk, stopped_at__isnull=True).update(
            stopped_at=at,
            stopped_by_label=actor.label,
            breached_at=clock.breached_at or (clock.due_at if late else None),
            breach_reason=breach_reason.strip() if late else "",
        )
        if updated and clock.person_id is not None:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="clock",
                object_id=clock.pk,
                person_id=clock.person_id,
                reason=f"{'breached' if late else 'met'} {clock.rule}",
                detail={"rule": clock.rule, "breach_reason": breach_reason.strip()}
                if late
                else {"rule": clock.rule},
            )
    clock.refresh_from_db()
    return clock


def clocks_stop(
    *,
    actor: Actor,
    rule: str,
    person: Person,
    organisation: Organisation,
    at: dt.datetime | None = None,
    breach_reason: str = "",
) -> list[Clock]:
    """Stop every open clock of ``rule`` for this child at this organisation (one meeting meets them all).
    Atomic: if one needs a reason for the delay and has none, none is stopped."""
    with transaction.atomic():
        return [
            clock_stop(actor=actor, clock=clock, at=at, breach_reason=breach_reason)
            for clock in Clock.objects.filter(
                rule=rule, person=person, organisation=organisation, stopped_at__isnull=True
            )
        ]


def clocks_sweep_breaches(now: dt.datetime | None = None) -> int:
    """Mark open clocks past their due time as breached and escalate each to the organisation's team managers
    (shown on their deadlines page). Idempotent and safe with several workers: one conditional update."""
    now = now or timezone.now()
    with write_transaction():
        return Clock.objects.filter(stopped_at__isnull=True, breached_at__isnull=True, due_at__lt=now).update(
            breached_at=F("due_at"), escalated_at=now
        )


def allocated_worker(work_type: str, work_id: object) -> User | None:
    """The worker a piece of work is allocated to now, or None."""
    allocation = (
        Allocation.objects.filter(work_type=work_type, work_id=str(work_id), ended_at__isnull=True)
        .select_related("worker")
        .first()
    )
    return allocation.worker if allocation is not None else None


def clocks_of_work(work_type: str, work_id: object) -> "models.QuerySet[Clock]":
    """The clocks a piece of work runs on: a share's (the assessment or strategy discussion its decision
    started), a meeting's (those started when it was held), or the clock itself."""
    if work_type == WorkType.CLOCK:
        return Clock.objects.filter(pk=str(work_id))
    if work_type == WorkType.MEETING:
        return Clock.objects.filter(subject_type__startswith="meeting:", subject_id=str(work_id))
    return Clock.objects.filter(subject_type="share", subject_id=str(work_id))


def work_allocate(
    *,
    actor: Actor,
    organisation: Organisation,
    work_type: str,
    work_id: object,
    worker: User,
    person_ids: Iterable[uuid.UUID | None] = (),
) -> Allocation:
    """Allocate (or reallocate) a piece of the organisation's work to a worker. Its open clocks follow the
    worker at once, and clocks it starts later start with them (clocks.starts, meetings): the worker's and
    their manager's lists show them, not whoever pressed the button. Callers load the work for the actor
    (it exists and belongs to ``organisation``); the policy decides who may allocate to whom."""
    if not policy.may_allocate(actor, organisation.pk):
        raise NotAllowed("Only the organisation's team managers allocate its work")
    if work_type not in WorkType.values:
        raise InvalidInput({"work_type": "Choose what to allocate"})
    if not policy.may_be_allocated(actor, worker):
        raise InvalidInput({"worker": "Choose a case worker in your team"})
    now = timezone.now()
    with transaction.atomic():
        current = (
            Allocation.objects.select_for_update()
            .filter(work_type=work_type, work_id=str(work_id), ended_at__isnull=True)
            .first()
        )
        if current is not None and current.worker_id == worker.pk:
            return current
        if current is not None:
            Allocation.objects.filter(pk=current.pk).update(ended_at=now)
        allocation = Allocation.objects.create(
            organisation=organisation,
            work_type=work_type,
            work_id=str(work_id),
            worker=worker,
            allocated_by=actor.user,
            allocated_by_label=actor.label,
            allocated_at=now,
        )
        clocks_of_work(work_type, work_id).filter(organisation=organisation, stopped_at__isnull=True).update(
            owner=worker
        )
        detail = {
            "work_type": work_type,
            "work_id": str(work_id),
            "worker": worker.pk,
            "previous_worker": current.worker_id if current is not None else None,
        }
        reason = "reallocated work" if current is not None else "allocated work"
        audit_append(
            [
                (
                    actor,
                    AuditInput(AuditAction.UPDATE, "allocation", allocation.pk, person_id, reason, detail),
                )
                for person_id in (list(person_ids) or [None])
            ]
        )
    return allocation


def _may_set_school_days(actor: Actor, organisation: Organisation) -> None:
    if not policy.may_set_school_days(actor, organisation):
        raise NotAllowed("Only a school's or council's administrators set its school days")


def term_break_add(
    *, actor: Actor, organisation: Organisation, name: str, first_day: dt.date, last_day: dt.date
) -> TermBreak:
    """Add days the school (or the council's schools) is closed; Operation Encompass notices then fall due
    before the first school day after them."""
    _may_set_school_days(actor, organisation)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a name for the break, for example Christmas holiday"
    if last_day < first_day:
        errors["last_day"] = "The last day must be the same as or after the first day"
    elif (last_day - first_day).days > 366:
        errors["last_day"] = "A break can be at most a year long"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        item = TermBreak.objects.create(
            organisation=organisation, name=name.strip(), first_day=first_day, last_day=last_day
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="term-break",
            object_id=item.pk,
            reason="added a term break",
            detail={"name": item.name, "first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        )
        transaction.on_commit(forget_area_settings)
    return item


def term_break_remove(*, actor: Actor, term_break: TermBreak) -> None:
    _may_set_school_days(actor, term_break.organisation)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="term-break",
            object_id=term_break.pk,
            reason="removed a term break",
            detail={"name": term_break.name, "first_day": term_break.first_day.isoformat()},
        )
        term_break.delete()
        transaction.on_commit(forget_area_settings)


def school_day_start_set(*, actor: Actor, organisation: Organisation, starts_at: dt.time) -> SchoolCalendar:
    _may_set_school_days(actor, organisation)
    if not dt.time(6, 0) <= starts_at <= dt.time(11, 0):
        raise InvalidInput({"starts_at": "The school day must start between 06:00 and 11:00"})
    with transaction.atomic():
        calendar, _ = SchoolCalendar.objects.update_or_create(
            organisation=organisation,
            defaults={"school_day_start": starts_at, "set_by_label": actor.label, "set_at": timezone.now()},
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="school-calendar",
            object_id=calendar.pk,
            reason="set the start of the school day",
            detail={"school_day_start": starts_at.strftime("%H:%M")},
        )
        transaction.on_commit(forget_area_settings)
    return calendar
