"""Concerns from two or more agencies: when agencies record concerns about the same child (or the same adult
across different children) within the area's window, the child's council front door is told which agencies
and what (issue 14). Run as a follow-up of recording each concern (events/followups.py, registered in
casework/followups.py), inside the concern's own transaction.

Why here: recording the share means recording an event (``recording.services.event_record``), so the rule
sits above recording, with the other multi-agency work about a child.

**Once for the same pair.** ``ConcernPairRaised`` keeps each pair of concerns raised to a front door, unique in
the database; the share and its pairs are written in one savepoint, dropped if the pair is there already. On
PostgreSQL two concerns recorded at the same moment by two processes cannot miss each other either: this
follow-up runs after ``audit_chain``, whose chain head stays locked until the commit, so recording
transactions reach it one at a time, and each statement (READ COMMITTED) sees every concern committed before.
On SQLite the write gate does the same.

**A third concern.** A further concern sends a new share only when it brings an agency the front door has not
yet been told of about that child within the window (police and a school, then health: a second share naming
all three). Another concern from an agency already named reaches the front door as its own notification, and
the earlier share already says the agencies are concerned together.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor, rule_actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.casework.models import ConcernPairRaised, ConcernWindowSetting
from openmash.database import write_transaction
from openmash.events.models import Event, EventKind, EventSubject, Source, SubjectRole
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record
from openmash.sharing import routing

# What counts as a concern about a child: an agency's own record that a child may be at risk, each one a
# notification the front door already triages (domain.md section 3: a domestic abuse incident with a child
# present, the police protection notice, a missing child report, a referral; section 4 lists who refers:
# schools, health, police, housing, ...). Not an information share (a council's vetting questions travel as one),
# a found report (it ends the missing episode) or the steps of work already under way (meetings, visits).
CONCERN_KINDS = frozenset(
    {
        EventKind.DOMESTIC_ABUSE,
        EventKind.POLICE_PROTECTION,
        EventKind.MISSING,
        EventKind.REFERRAL,
    }
)

# The area's window: concerns this many days apart or closer go together (issue 14: 7 unless the area says).
DEFAULT_WINDOW_DAYS = 7
WINDOW_DAYS_RANGE = range(1, 31)
# A concern imported from another system is history (docs/import.md): it counts as an earlier concern, but
# recording it raises nothing (its front door was told, or not, back then).
_RAISED_FROM = frozenset({Source.WEB, Source.API})


def concern_window(council: Organisation | None) -> dt.timedelta:
    """How close two agencies' concerns must be to go together in ``council``'s area: its own figure or 7 days."""
    setting = ConcernWindowSetting.objects.filter(council=council).first() if council is not None else None
    return dt.timedelta(days=setting.days if setting is not None else DEFAULT_WINDOW_DAYS)


def concern_window_set(*, actor: Actor, council: Organisation, days: int) -> ConcernWindowSetting:
    """An area sets its own window (its administrators or partnership leads, as for its clock figures)."""
    if not policy.may_set_clock_figures(actor, council):
        raise NotAllowed("Only the area's administrators or partnership leads set its figures")
    if days not in WINDOW_DAYS_RANGE:
        raise InvalidInput({"days": "Enter a number of days from 1 to 30"})
    with write_transaction():
        setting, _ = ConcernWindowSetting.objects.update_or_create(
            council=council,
            defaults={"days": days, "set_by_label": actor.label, "set_at": timezone.now()},
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="concern-window-setting",
            object_id=council.code,
            reason="set the window for concerns from two or more agencies",
            detail={"days": days},
        )
    return setting


@dataclass
class _FrontDoor:
    """What one council's front door is told: the concerns that go together and the people they share."""

    council: Organisation
    concerns: dict[uuid.UUID, Event] = field(default_factory=dict)
    children: set[uuid.UUID] = field(
        default_factory=set
    )  # the children of this council the concerns are about
    adults: set[uuid.UUID] = field(default_factory=set)  # an adult named in concerns about different children
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)


def _roles(event_id: uuid.UUID, subjects: list[EventSubject]) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    mine = [subject for subject in subjects if subject.event_id == event_id]
    return (
        {subject.person_id for subject in mine if subject.role == SubjectRole.CHILD},
        {subject.person_id for subject in mine if subject.role == SubjectRole.ADULT},
    )


def concerns_together_raise(recorded: RecordedEvent) -> None:
    """The follow-up of a concern: tell each child's front door of the other agencies' concerns within its window."""
    concern = recorded.event
    if concern.kind not in CONCERN_KINDS or concern.source not in _RAISED_FROM:
        return
    widest = dt.timedelta(days=WINDOW_DAYS_RANGE[-1])
    # One query on the hot path of every concern: the other agencies' concerns about its people, in the widest
    # window an area may set (each front door's own window is applied below).
    others = list(
        EventSubject.objects.filter(
            person__in=EventSubject.objects.filter(event=concern).values("person"),
            event__kind__in=CONCERN_KINDS,
            event__occurred_at__gte=concern.occurred_at - widest,
            event__occurred_at__lte=concern.occurred_at + widest,
        )
        .exclude(event__recorded_by=concern.recorded_by_id)
        .exclude(event__source=Source.HELD)
        .values_list("event_id", flat=True)
        .distinct()
    )
    if not others:
        return
    subjects = list(EventSubject.objects.filter(event_id__in=[concern.pk, *others]))
    events = Event.objects.select_related("recorded_by").in_bulk([concern.pk, *others])
    standing = routing.standing_of(Person.objects.filter(pk__in={subject.person_id for subject in subjects}))

    def front_door(child: uuid.UUID, about: Event) -> Organisation | None:
        subject = standing.get(child)
        return routing.home_council(subject, about) if subject is not None else about.council

    children, adults = _roles(concern.pk, subjects)
    doors: dict[int, _FrontDoor] = {}
    windows: dict[int, dt.timedelta] = {}
    for other_id in others:
        other = events[other_id]
        their_children, their_adults = _roles(other_id, subjects)
        shared_children = children & their_children
        # The same adult across different children: concerns naming one adult, about children none of whom is
        # in both (a child in both is the child's own case above).
        shared_adults = (
            (adults & their_adults) if not shared_children and children and their_children else set()
        )
        named_children = shared_children or (children | their_children if shared_adults else set())
        for child in named_children:
            council = front_door(child, concern if child in children else other)
            if council is None:
                continue
            window = windows.setdefault(council.pk, concern_window(council))
            if abs(concern.occurred_at - other.occurred_at) > window:
                continue
            door = doors.setdefault(council.pk, _FrontDoor(council))
            door.concerns |= {concern.pk: concern, other_id: other}
            door.children.add(child)
            door.adults |= shared_adults
            door.pairs.add((min(concern.pk, other_id), max(concern.pk, other_id)))
    for door in doors.values():
        _raise(door, concern, windows[door.council.pk])


def _raise(door: _FrontDoor, concern: Event, window: dt.timedelta) -> None:
    """Record the share for one front door, unless it names no agency the front door has not been told of."""
    actor = rule_actor(door.council)
    # Only people the council may see are named (knowing of someone is never a reason to see them: decision
    # 0012); a concern about anyone else is still listed, without their name.
    children = {pk for pk in door.children if people_selectors.reason_to_see(actor, pk) is not None}
    adults = {pk for pk in door.adults if people_selectors.reason_to_see(actor, pk) is not None}
    if not children:
        return
    agencies = {event.recorded_by.code for event in door.concerns.values()}
    told = _agencies_told(door.council, children, concern.occurred_at, window)
    if agencies <= told:
        return
    concerns = sorted(door.concerns.values(), key=lambda event: (event.occurred_at, event.pk))
    people = {person.pk: person for person in Person.objects.filter(pk__in=children | adults)}
    about = _about_whom(concerns, children, adults, people)
    names = _and([people[pk].full_name for pk in sorted(children, key=str)])
    agency_names = _and(sorted({event.recorded_by.name for event in concerns}))
    data = EventInput(
        kind=EventKind.CONCERNS_TOGETHER,
        occurred_at=max(event.occurred_at for event in concerns),
        council=door.council,
        summary=(
            f"{len(agencies)} agencies recorded concerns about {names} within {window.days} days "
            f"of each other: {agency_names}."
        ),
        details={
            "concerns": [_concern_words(event, about[event.pk]) for event in concerns],
            "agencies": sorted(agencies),  # their codes: what the next share compares
            "window_days": window.days,
        },
        people=[PersonInput(person_id=pk, role=SubjectRole.CHILD) for pk in sorted(children, key=str)]
        + [PersonInput(person_id=pk, role=SubjectRole.ADULT) for pk in sorted(adults, key=str)],
        source=concern.source,
    )
    try:
        # One savepoint: the share and its pairs together, or neither if a pair was raised already.
        with transaction.atomic():
            raised = event_record(actor=actor, data=data)
            now = timezone.now()
            ConcernPairRaised.objects.bulk_create(
                ConcernPairRaised(
                    council=door.council,
                    first_event_id=first,
                    second_event_id=second,
                    raised_by=raised.event,
                    raised_at=now,
                )
                for first, second in sorted(door.pairs)
            )
    except IntegrityError:
        return  # raised to this front door already: once for the same pair


def _agencies_told(
    council: Organisation, children: set[uuid.UUID], at: dt.datetime, window: dt.timedelta
) -> set[str]:
    """The agencies earlier shares to this front door named together about these children, for concerns
    within the window of ``at``."""
    raised = Event.objects.filter(
        kind=EventKind.CONCERNS_TOGETHER,
        recorded_by=council,
        subjects__person__in=children,
        occurred_at__gte=at - window,
        occurred_at__lte=at + window,
    ).values_list("details", flat=True)
    return {code for details in raised for code in details.get("agencies", [])}


def _about_whom(
    concerns: list[Event],
    children: set[uuid.UUID],
    adults: set[uuid.UUID],
    people: dict[uuid.UUID, Person],
) -> dict[uuid.UUID, tuple[list[str], bool]]:
    """Each concern's people as the share may name them, and whether it is about one of the share's children."""
    subjects = EventSubject.objects.filter(event__in=[event.pk for event in concerns])
    named: dict[uuid.UUID, list[str]] = defaultdict(list)
    ours: dict[uuid.UUID, bool] = defaultdict(bool)
    for subject in subjects:
        if subject.person_id in children or subject.person_id in adults:
            named[subject.event_id].append(people[subject.person_id].full_name)
        ours[subject.event_id] |= subject.person_id in children
    return {event.pk: (sorted(named[event.pk]), ours[event.pk]) for event in concerns}


def _concern_words(event: Event, about: tuple[list[str], bool]) -> dict[str, object]:
    """One concern as the front door reads it. The agency's own words are carried only for a concern about a
    child the share names: a concern about another child (through the same adult) may name that child, who
    is not this front door's to know of."""
    names, ours = about
    return {
        "agency": event.recorded_by.name,
        "what": event.get_kind_display(),
        "reference": event.reference,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "recorded_at": event.recorded_at.astimezone(dt.UTC).isoformat(),
        "risk_level": event.get_risk_level_display() if event.risk_level else "",
        "about": names,
        "another_child": not ours,
        "summary": event.summary if ours else "",
    }


def _and(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = [
    "CONCERN_KINDS",
    "DEFAULT_WINDOW_DAYS",
    "concern_window",
    "concern_window_set",
    "concerns_together_raise",
]
