"""Which clocks start when: the one home of "this event, or this decision, starts that statutory clock".

Recording an event (recording.services.event_record) and acknowledging a share with a decision
(recording.decisions.share_acknowledge) call in here, inside their own transactions, so a clock exists exactly
when the thing that starts it does. Meetings, visits and closures start and stop their own clocks through
``clocks.services`` because what starts them is a step of their own.

A share's own deadline is not a ``Clock``: it lives on the share, named by ``sharing.routing`` (including the
answers joint casework waits for, ``routing.ANSWER_CLOCKS``) and counted by ``clocks.services.deadline``.
"""

import datetime as dt
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
    clocks_record_done,
    clocks_start_many,
)
from openmash.events.models import Event, EventKind, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.lib.instants import LONDON
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


def start_for_event(
    event: Event, subjects: list[routing.Subject], shares: list[Share], *, late_reason: str = ""
) -> None:
    """Start the clocks an event starts, for each child it is about, and record the sender's clock of each
    share (``late_reason``: the sender's own reason for sending late, if it gave one). Called inside
    event_record."""
    children = [subject for subject in subjects if subject.role == SubjectRole.CHILD]
    specs: list[dict[str, Any]] = [
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
    if specs:
        clocks_start_many(specs)
    notifications_record(event, shares, late_reason=late_reason)


def notifications_record(event: Event, shares: list[Share], *, late_reason: str = "") -> None:
    """The sender's clock of each share (clocks.deadlines): met or missed the moment it was sent, recorded
    against the organisation that recorded the event, so its measures count it and its managers see it, with
    the sender's reason for a late one (or the stock words when it gave none: an import of history). The
    recipient is never held to it: its own clock starts when the share arrives."""
    done = [
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
    if done:
        clocks_record_done(done)


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
