"""Which clocks start when: the one home of "this event, or this decision, starts that statutory clock".

Recording an event (recording.services.event_record) and acknowledging a share with a decision
(recording.decisions.share_acknowledge) call in here, inside their own transactions, so a clock exists exactly
when the thing that starts it does. Work with steps of its own (holding a meeting, opening a stage of a
professional disagreement, asking the police for vetting checks) calls in here too, from its own app, at the
step: which clocks each step starts (and which a held meeting meets) is written here, nowhere else.

A share's own deadline is not a ``Clock``: it lives on the share, named by ``sharing.routing`` (including the
answers joint casework waits for, ``routing.ANSWER_CLOCKS``) and counted by ``clocks.services.deadline``.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openmash.accounts.actors import Actor
from openmash.accounts.models import User
from openmash.clocks.models import Clock, WorkType
from openmash.clocks.services import (
    DoneClock,
    allocated_worker,
    clock_bring_forward,
    clock_start,
    clocks_record_done,
    clocks_start_many,
)
from openmash.events.models import Event, EventKind, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.lib.instants import LONDON
from openmash.lib.meeting_kinds import MeetingKind
from openmash.organisations.models import Organisation
from openmash.people.models import Person, PersonKind
from openmash.sharing import routing
from openmash.sharing.models import Decision, Share


@dataclass(frozen=True)
class EventClock:
    """An event of ``kind`` starts clock ``rule`` for each child, run by the organisation ``who`` picks."""

    kind: str
    rule: str
    who: Callable[[Event, routing.Subject, list[Share]], Iterable[Organisation]]
    start: Callable[[Event], dt.datetime]
    why: str


def _recorder(event: Event, child: routing.Subject, shares: list[Share]) -> Iterator[Organisation]:
    yield event.recorded_by


def _council_where_found(event: Event, child: routing.Subject, shares: list[Share]) -> Iterator[Organisation]:
    # The same council routing sends the notice to (sharing.routing.council_where_found).
    if event.council is not None:
        yield event.council


def _council_arranging_return_interview(
    event: Event, child: routing.Subject, shares: list[Share]
) -> Iterator[Organisation]:
    """The responsible council for a looked-after child; otherwise the council where the child lives. The same
    councils routing tells (whether or not the council itself recorded the found report)."""
    yield from routing.council_arranging_return_interview(child, event)


def _taken_at(event: Event) -> dt.datetime:
    return event.occurred_at


def _recorded_at(event: Event) -> dt.datetime:
    return event.recorded_at


EVENT_CLOCKS = [
    EventClock(
        EventKind.POLICE_PROTECTION,
        ClockRule.POLICE_PROTECTION_MAX,
        _recorder,
        _taken_at,
        "Children Act 1989 s46(6): no child stays in police protection beyond 72 hours",
    ),
    EventClock(
        EventKind.POLICE_PROTECTION,
        ClockRule.STRATEGY_DISCUSSION,
        _council_where_found,
        _recorded_at,
        "Children Act 1989 s47(1): the council's duty to enquire starts as soon as it is told",
    ),
    EventClock(
        EventKind.FOUND,
        ClockRule.RETURN_INTERVIEW,
        _council_arranging_return_interview,
        _taken_at,
        "DfE guidance on children who run away or go missing (2014): offered within 72 hours of the return",
    ),
]

# A council front door's decision on a share starts the clock of the work it decided on, from the moment the
# referral was received (the assessment) or the moment the concern was judged significant (the strategy
# discussion).
DECISION_CLOCKS: dict[str, str] = {
    Decision.ASSESSMENT: ClockRule.ASSESSMENT,
    Decision.STRATEGY_DISCUSSION: ClockRule.STRATEGY_DISCUSSION,
}

# Clocks whose work has no page of its own yet: the organisation records on the clock itself that it was done.
# (A DBS check's clock is stopped by its vetting request's certificate or withdrawal: openmash.vetting.)
DONE_ON_THE_CLOCK = frozenset({ClockRule.ASSESSMENT, ClockRule.RETURN_INTERVIEW, ClockRule.SERIOUS_INCIDENT})


def start_for_events(recorded: Iterable[tuple[Event, list[routing.Subject], list[Share], str]]) -> None:
    """Start the clocks each event starts, for each child it is about, and record each share's sender's clock
    with the sender's reason for sending late, if it gave one: for a whole batch of events at once (one insert
    each), as event_record writes them. Called inside its transaction."""
    specs: list[dict[str, Any]] = []
    done: list[DoneClock] = []
    for event, subjects, shares, late_reason in recorded:
        specs += _event_clocks(event, subjects, shares)
        done += _notifications(event, shares, late_reason)
    if specs:
        clocks_start_many(specs)
    if done:
        clocks_record_done(done)


def _event_clocks(event: Event, subjects: list[routing.Subject], shares: list[Share]) -> list[dict[str, Any]]:
    children = [subject for subject in subjects if subject.role == SubjectRole.CHILD]
    return [
        {
            "rule": item.rule,
            "started_at": item.start(event),
            "organisation": organisation,
            "subject_type": "event",
            "subject_id": event.pk,
            "person_id": child.person_id,
            "event": event,
            "owner": event.recorded_by_user if organisation == event.recorded_by else None,
        }
        for item in EVENT_CLOCKS
        if item.kind == event.kind
        for child in children
        for organisation in item.who(event, child, shares)
    ]


def _notifications(event: Event, shares: list[Share], late_reason: str) -> list[DoneClock]:
    """The sender's clock of each share (clocks.deadlines): met or missed the moment it was sent, recorded
    against the organisation that recorded the event, so its measures count it and its managers see it, with
    the sender's reason for a late one (or the stock words when it gave none: an import of history). The
    recipient is never held to it: its own clock starts when the share arrives."""
    return [
        DoneClock(
            rule=share.notification_rule,
            organisation=event.recorded_by,
            counted_for=share.recipient,
            started_at=event.reported_at or event.occurred_at,
            due_at=share.notification_due_at,
            done_at=share.shared_at,
            subject_type="share",
            subject_id=share.pk,
            event=event,
            owner=event.recorded_by_user,
            done_by_label=event.recorded_by_label,
            breach_reason=late_reason,
        )
        for share in shares
        if share.notification_rule and share.notification_due_at is not None
    ]


def start_for_decision(share: Share, decided_by: User | None, decided_at: dt.datetime) -> None:
    """Start the clock of the work a front door decided on, for each child on the share."""
    rule = DECISION_CLOCKS.get(share.decision)
    if rule is None:
        return
    started_at = share.shared_at if rule == ClockRule.ASSESSMENT else decided_at
    # The work's clocks are the allocated worker's, whoever recorded the decision.
    owner = allocated_worker(WorkType.SHARE, share.pk) or decided_by
    clocks_start_many(
        {
            "rule": rule,
            "started_at": started_at,
            "organisation": share.recipient,
            "subject_type": "share",
            "subject_id": share.pk,
            "person_id": person.pk,
            "event": share.event,
            "owner": owner,
        }
        for person in share.people.filter(kind__in=[PersonKind.CHILD, PersonKind.UNBORN])
    )


# A birth brings a clock forward: the first review of a child made subject to a plan at a pre-birth conference
# is due by the sooner of 3 months after the conference and 10 working days after the birth (both figures the
# area's own: domain.md section 3, a common local rule; Working Together 2023 leaves it to local procedures).
BROUGHT_FORWARD_BY_BIRTH: dict[str, str] = {
    ClockRule.PRE_BIRTH_FIRST_REVIEW: ClockRule.PRE_BIRTH_REVIEW_AFTER_BIRTH,
}


def bring_forward_for_birth(*, actor: Actor, person: Person) -> list[Clock]:
    """Once a child's birth is recorded (or a pre-birth conference is held for a child already born), each open
    clock a birth brings forward is due by the sooner deadline. Counted from the date of birth (day 0)."""
    if person.date_of_birth is None:
        return []
    # Midday: the engine counts from the London date, and midday is on that date whatever the clocks do.
    born = dt.datetime.combine(person.date_of_birth, dt.time(12), tzinfo=LONDON)
    return [
        clock_bring_forward(
            actor=actor,
            clock=clock,
            rule=BROUGHT_FORWARD_BY_BIRTH[clock.rule],
            start=born,
            why="after the birth",
        )
        for clock in Clock.objects.select_related("organisation").filter(
            person=person, rule__in=list(BROUGHT_FORWARD_BY_BIRTH), stopped_at__isnull=True
        )
    ]


# Holding a meeting meets the clock that asked for it (domain.md section 3, Working Together 2023): the strategy
# discussion's, the initial conference's (a pre-birth conference is the initial conference of an unborn child),
# the first review's or the next review's, the core group's.
MET_WHEN_HELD: dict[str, tuple[ClockRule, ...]] = {
    MeetingKind.STRATEGY_DISCUSSION: (ClockRule.STRATEGY_DISCUSSION,),
    MeetingKind.INITIAL_CONFERENCE: (ClockRule.INITIAL_CONFERENCE,),
    MeetingKind.PRE_BIRTH_CONFERENCE: (ClockRule.INITIAL_CONFERENCE,),
    MeetingKind.REVIEW_CONFERENCE: (
        ClockRule.FIRST_REVIEW_CONFERENCE,
        ClockRule.PRE_BIRTH_FIRST_REVIEW,
        ClockRule.REVIEW_CONFERENCE,
    ),
    MeetingKind.CORE_GROUP: (ClockRule.CORE_GROUP,),
}

# A meeting that decides for the child's protection starts the next step's clocks: a strategy discussion that
# starts section 47 enquiries, the initial conference's; a conference that makes (or keeps) a plan, the core
# group's and the next review's. A pre-birth conference's plan starts its own first-review clock (the area's
# rule: by default 3 months after the conference, or 10 working days after the birth if sooner: domain.md
# section 3), brought forward at once if the child is already born (BROUGHT_FORWARD_BY_BIRTH).
STARTED_WHEN_DECIDED: dict[str, tuple[ClockRule, ...]] = {
    MeetingKind.STRATEGY_DISCUSSION: (ClockRule.INITIAL_CONFERENCE,),
    MeetingKind.INITIAL_CONFERENCE: (ClockRule.CORE_GROUP, ClockRule.FIRST_REVIEW_CONFERENCE),
    MeetingKind.PRE_BIRTH_CONFERENCE: (ClockRule.CORE_GROUP, ClockRule.PRE_BIRTH_FIRST_REVIEW),
    MeetingKind.REVIEW_CONFERENCE: (ClockRule.REVIEW_CONFERENCE,),
}


def start_for_meeting_decision(
    *,
    actor: Actor,
    kind: str,
    meeting_id: uuid.UUID,
    person: Person,
    council: Organisation,
    event: Event | None,
    held_at: dt.datetime,
    owner: User | None,
) -> list[Clock]:
    """The clocks a held meeting's decision starts for the child, run by the council that convened it and owned
    by the meeting's allocated worker (the caller passes it, or whoever recorded the outcome)."""
    started = [
        clock_start(
            rule=rule,
            started_at=held_at,
            organisation=council,
            subject_type=f"meeting:{kind}",
            subject_id=meeting_id,
            person=person,
            event=event,
            owner=owner,
        )
        for rule in STARTED_WHEN_DECIDED.get(kind, ())
    ]
    if any(clock.rule in BROUGHT_FORWARD_BY_BIRTH for clock in started):
        bring_forward_for_birth(actor=actor, person=person)
    return started


def disagreement_stage_subject(disagreement_id: uuid.UUID, level: int) -> str:
    """The subject a stage's clock is kept under: one clock per stage of one disagreement."""
    return f"{disagreement_id}:{level}"


def start_for_disagreement_stage(
    *,
    raised_by: Organisation,
    disagreement_id: uuid.UUID,
    level: int,
    person: Person,
    event: Event,
    opened_at: dt.datetime,
) -> Clock:
    """Each stage of a professional disagreement is to be answered within the area's figure (5 working days by
    default: domain.md section 3, the partnerships' escalation procedures). The clock runs for the agency that
    raised the disagreement: it is the one that must see it answered."""
    return clock_start(
        rule=ClockRule.ESCALATION_STAGE,
        started_at=opened_at,
        organisation=raised_by,
        subject_type="disagreement",
        subject_id=disagreement_stage_subject(disagreement_id, level),
        person=person,
        event=event,
    )


VETTING_SUBJECT = "vetting-request"


def start_for_vetting_request(
    *, force: Organisation, request_id: uuid.UUID, submitted_at: dt.datetime
) -> Clock:
    """A council's request for police vetting checks starts the force's ``dbs-enhanced`` clock (the 14-day
    service standard for the local police check: domain.md section 3); the certificate or a withdrawal stops it."""
    return clock_start(
        rule=ClockRule.DBS_ENHANCED,
        started_at=submitted_at,
        organisation=force,
        subject_type=VETTING_SUBJECT,
        subject_id=request_id,
    )
