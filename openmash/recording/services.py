"""Recording an event: validate everything, then in one transaction write the event, the people it is about,
one share per recipient organisation with its deadline, the deliveries that will carry them, the access
reasons that follow, and the audit entries. Nothing is half-saved; a failure anywhere saves nothing.

The service shape, one module a step: check (recording/checks.py: ``event_check``, every field error at once),
plan with reads only (the people in recording/people.py; here the event, its shares from ``sharing.routing``
with deadlines from ``clocks.deadlines``, the outbox rows from ``sharing.outbox``, the access reasons and the
audit entries), then one transaction that writes and audits (``_carry_out``, with the clocks the event starts:
``clocks.starts``).

Longer than the ~400 lines a service module is kept to, on purpose: planning one batch of events is one pass
over the same rows (the event, its shares, their deliveries and access, the late notices it asks a reason
for, the possible duplicates it puts to an agency), and splitting the pass would hand half-planned rows
between modules.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind, Restriction
from openmash.accounts.actors import Actor, operator_actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, PlannedEntry, audit_chain, audit_entries
from openmash.clocks import starts as clock_starts
from openmash.clocks.deadlines import deadline_for, share_clocks
from openmash.database import (
    GroupCommit,
    Insert,
    checks_now,
    inserts_joined,
    inserts_run,
    objects_insert,
    rows_insert,
)
from openmash.events import followups
from openmash.events.models import Event, EventKind, EventSubject, Source, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.lib.govuk import govuk_datetime
from openmash.lib.instants import LONDON
from openmash.matching.model import Score
from openmash.merging.models import ReviewSource
from openmash.merging.services import review_raise
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people import selectors as people_selectors
from openmash.people.matching import index_people
from openmash.people.models import Person
from openmash.people.services import (
    HouseholdMemberAt,
    PlannedHousehold,
    household_planned,
    postcode_normalise,
)
from openmash.recording.checks import (
    RECORDERS,
    SUBJECT_DETAIL_FIELDS,
    VALIDATED_BY_THEIR_APP,
    CheckedEvent,
    EventInput,
    PersonInput,
    event_check,
    events_check_many,
)
from openmash.recording.people import HOUSEHOLD_KINDS, people_of
from openmash.sharing import routing
from openmash.sharing.models import DeliveryStatus, ImportedAs, Share
from openmash.sharing.outbox import deliveries_for, wake_workers

__all__ = [
    "RECORDERS",
    "SUBJECT_DETAIL_FIELDS",
    "VALIDATED_BY_THEIR_APP",
    "AlsoWrite",
    "CheckedEvent",
    "EventInput",
    "LateNotice",
    "PersonInput",
    "PlannedShare",
    "RecordedEvent",
    "event_check",
    "event_record",
    "events_check_many",
    "events_record_many",
    "late_notices",
]


@dataclass(frozen=True)
class PlannedShare:
    """A share worked out before it is written, with the people it names (its rows in ``Share.people``)."""

    share: Share
    people: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class RecordedEvent:
    event: Event
    shares: list[Share]
    # The people as the recorder named them who were linked to a record it may not see: its answer says only
    # that they were linked (docs/decisions/0012).
    linked_unseen: tuple[PersonInput, ...] = ()

    @property
    def shares_told(self) -> list[Share]:
        """The shares the recorder is told of (``Share.sender_sees``)."""
        return [share for share in self.shares if share.sender_sees]


# Called inside the write transaction with what was just recorded (an API's idempotency key, say): it commits
# or rolls back with the event.
AlsoWrite = Callable[[RecordedEvent], None]


def event_record(*, actor: Actor, data: EventInput, also: AlsoWrite | None = None) -> RecordedEvent:
    """Record an event once and share it with every organisation that must know, in one transaction.

    Inside a caller's transaction (a meeting, a visit) it is written there. Otherwise it joins the events
    other requests of this process are recording at the same moment, and they commit together (decision
    0010): one transaction, one wait for the disk, however many events."""
    checked = event_check(actor=actor, data=data)
    # Worked out here, in the request's own thread, with reads only, so that the process's one writer
    # thread only writes (decision 0010).
    planned = _plan([checked])
    _check_late_reason(checked, planned)
    if connection.in_atomic_block:
        # The caller's transaction already holds SQLite's write lock: no gate, no waiting for others.
        return _carry_out(planned, [also])[0]
    return _recorder.submit(_Recording(checked, also, planned))


def events_record_many(checked: Sequence[CheckedEvent]) -> list[RecordedEvent]:
    """Record checked events (``event_check``) together in the caller's transaction (an import's chunk): planned
    as one batch with reads only, each table's rows in one statement, the audit chain appended once. What each
    event writes is what ``event_record`` writes for it alone."""
    assert connection.in_atomic_block, "events_record_many writes in its caller's transaction"
    if not checked:
        return []
    return _carry_out(_plan(checked), [None] * len(checked))


@dataclass(frozen=True)
class LateNotice:
    """A recipient the event will reach after the sender's clock for it ran out (clocks.deadlines)."""

    recipient: Organisation
    due_at: dt.datetime


def late_notices(*, actor: Actor, data: EventInput) -> list[LateNotice]:
    """The recipients recording this event now would tell late, earliest deadline first: the moment to ask
    the recorder why (a page's question before it confirms). Checks the event as recording would (raises
    InvalidInput or NotAllowed), and writes nothing."""
    checked = event_check(actor=actor, data=data)
    return _late(_plan([checked]).recorded[0].shares)


def _late(shares: Sequence[Share]) -> list[LateNotice]:
    """Only the shares the recorder is told of (``Share.sender_sees``): asking why one it may not know of is
    late would tell it that a record it may not see exists (docs/decisions/0012)."""
    late = [
        LateNotice(share.recipient, share.notification_due_at)
        for share in shares
        if share.sender_sees
        and share.notification_due_at is not None
        and share.shared_at > share.notification_due_at
    ]
    return sorted(late, key=lambda notice: notice.due_at)


def _check_late_reason(checked: CheckedEvent, planned: "_Planned") -> None:
    """A notice that will be late needs the recorder's reason, where the recorder is asked for one (the
    web's incident form, the API); like a meeting held after its clock (meetings.services). An import of
    history is never asked: it was sent long ago, and keeps the stock words."""
    data = checked.data
    if data.late_reason is None or data.late_reason.strip() or data.imported_as:
        return
    late = _late(planned.recorded[0].shares)
    if late:
        first = late[0]
        raise InvalidInput(
            {
                "late_reason": f"Give the reason for the delay: {first.recipient.name} had to be told by "
                f"{govuk_datetime(first.due_at)}"
            }
        )


@dataclass(frozen=True)
class _Planned:
    """What a batch of events will write, worked out with reads only before the write lock is taken: the
    people, the events, one share per recipient with its deadline, the deliveries that will carry them, the
    access reasons that follow, and the audit entries. Each table gets one insert for the whole batch."""

    recorded: list[RecordedEvent]
    subjects: list[list[routing.Subject]]
    inserts: list[Insert]
    audit: list[PlannedEntry]
    # Each event's reason for a late notice, in the recorder's words ("" when not given).
    late_reasons: list[str]
    # Possible duplicates to put to an agency: (the agency, new record, record it may be, score).
    reviews: list[tuple[Organisation, uuid.UUID, uuid.UUID, Score]] = field(default_factory=list)
    # People on record whose record the event changes in what they are matched on (a household's address).
    reindex: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class _Recording:
    checked: CheckedEvent
    also: AlsoWrite | None
    planned: _Planned


def _write_together(batch: Sequence[_Recording]) -> list[RecordedEvent]:
    """Write events planned apart in one transaction: each table's rows in one statement."""
    planned = _Planned(
        recorded=[one for item in batch for one in item.planned.recorded],
        subjects=[some for item in batch for some in item.planned.subjects],
        inserts=inserts_joined(insert for item in batch for insert in item.planned.inserts),
        audit=[entry for item in batch for entry in item.planned.audit],
        late_reasons=[reason for item in batch for reason in item.planned.late_reasons],
        reviews=[review for item in batch for review in item.planned.reviews],
        reindex=[person for item in batch for person in item.planned.reindex],
    )
    return _carry_out(planned, [item.also for item in batch])


def _write_again(batch: Sequence[_Recording]) -> list[RecordedEvent]:
    """An event whose group failed, written alone and planned afresh: what its first plan read may have
    changed (another event of the group may have recorded the same new child by NHS number)."""
    return _carry_out(_plan([item.checked for item in batch]), [item.also for item in batch])


# Each group is written holding SQLite's write gate (decision 0008), and taken from the queue once it is held.
_recorder: GroupCommit[_Recording, RecordedEvent] = GroupCommit(_write_together, again=_write_again)


def _carry_out(planned: _Planned, also: Sequence[AlsoWrite | None]) -> list[RecordedEvent]:
    """Write a planned batch in one transaction (the caller's, or its own): the rows, the clocks the events
    start, the audit entries, and what each caller also writes."""
    with transaction.atomic():
        inserts_run(planned.inserts)
        if planned.reindex:
            index_people(planned.reindex)
        for organisation, arriving, candidate, score in planned.reviews:
            # Not asked again about a pair someone decided are two children (merging.KeptApart).
            review_raise(
                organisation=organisation,
                arriving_id=arriving,
                candidate_id=candidate,
                score=score,
                source=ReviewSource.INTAKE,
            )
        clock_starts.start_for_events(
            (recorded.event, subjects, recorded.shares, late_reason)
            for recorded, subjects, late_reason in zip(
                planned.recorded, planned.subjects, planned.late_reasons, strict=True
            )
        )
        # Last of the event's own rows: the chain head stays locked until the commit, so the rows' checks are
        # run first.
        checks_now()
        audit_chain(planned.audit)
        for recorded in planned.recorded:
            followups.run(recorded)  # what an app above writes with such an event (a Philomena release)
        for one, write in zip(planned.recorded, also, strict=True):
            if write is not None:
                write(one)
        # Robust: once committed, an event is recorded; a failed wake-up (workers poll anyway) must not turn
        # it into an error, which group commit would answer by writing the events again.
        transaction.on_commit(wake_workers, robust=True)
    return planned.recorded


def _plan(batch: Sequence[CheckedEvent], *, held_until: dt.datetime | None = None) -> _Planned:
    """Plan a batch of checked events with reads only. ``held_until``: the batch is an import's chunk written
    held (recording.importing): the access it gives is written expiring at that instant (already passed) until
    the file is released, its deliveries held or, for history, never to be sent; and the people the file's
    earlier chunks recorded count, for who is asked about a possible duplicate, as seen by the organisations
    their held access names (they will see them at the release)."""
    now = timezone.now()
    audit: list[tuple[Actor, AuditInput]] = []
    inserts: list[Insert] = []
    people = people_of(batch, audit, inserts)
    subjects = people.subjects  # each event's people, as routing sees them
    events = [
        Event(  # type: ignore[misc]  # occurred_at: event_check saw it given
            kind=item.data.kind,
            reference=item.data.reference.strip(),
            recorded_by=item.actor.organisation,
            recorded_by_user=item.actor.user,
            recorded_by_label=item.actor.label,
            occurred_at=item.data.occurred_at,
            reported_at=item.data.reported_at,
            recorded_at=now,
            location=item.data.location.strip(),
            postcode=postcode_normalise(item.data.postcode) if item.data.postcode else "",
            council=item.council,
            risk_level=item.data.risk_level,
            summary=item.data.summary.strip(),
            details=item.data.details,
            related_event=item.related,
            source=item.data.source,
        )
        for item in batch
    ]
    inserts.append(objects_insert(Event, events))
    inserts.append(
        rows_insert(
            EventSubject,
            ("event_id", "person_id", "role", "details"),
            [
                (event.pk, subject.person_id, subject.role, details)
                for event, some in zip(events, subjects, strict=True)
                for subject, details in zip(some, _kept_details(some), strict=True)
            ],
        )
    )
    planned_shares = [
        _shares(event, some, item.data, now, as_sent)
        for item, event, some, as_sent in zip(batch, events, subjects, people.as_sent, strict=True)
    ]
    shares = [[planned.share for planned in some] for some in planned_shares]
    every_share = [share for some in shares for share in some]
    inserts.append(objects_insert(Share, every_share))
    inserts.append(
        rows_insert(
            Share.people.through,
            ("share_id", "person_id"),
            [
                (planned.share.pk, person_id)
                for some in planned_shares
                for planned in some
                for person_id in planned.people
            ],
        )
    )
    inserts.append(deliveries_for(every_share, now, _delivery_status(batch, held_until)))
    reindex: list[uuid.UUID] = []
    for item, event, some, hidden in zip(batch, events, subjects, people.unseen, strict=True):
        # Not from an import still held (docs/import.md): an address would give its council a reason to see
        # people nobody has been told of yet.
        if event.kind in HOUSEHOLD_KINDS and event.source not in (Source.HELD, Source.IMPORT):
            household = _household(item, event, some, hidden)
            inserts += household.inserts
            audit += household.audit
            # A new person's match index rows have the address already (the person planner's).
            reindex += [person for person in household.addressed if person not in people.new]
    inserts.append(_access(batch, events, subjects, people.unseen, planned_shares, now, held_until))
    recorded = []
    for item, event, some, its_shares, hidden in zip(
        batch, events, subjects, shares, people.unseen, strict=True
    ):
        reason = f"recorded {_KIND_WORDS[event.kind].lower()} {event.reference}".strip()
        detail = {"kind": event.kind, "shared_with": [share.recipient.code for share in its_shares]}
        audit += [
            (
                item.actor,
                AuditInput(
                    action=AuditAction.CREATE,
                    object_type="event",
                    object_id=event.pk,
                    person_id=subject.person_id,
                    reason=reason,
                    detail=detail,
                ),
            )
            for subject in some
        ]
        linked_unseen = tuple(
            given
            for given, subject in zip(item.data.people, some, strict=True)
            if subject.person_id in hidden
        )
        recorded.append(RecordedEvent(event=event, shares=its_shares, linked_unseen=linked_unseen))
    return _Planned(
        recorded=recorded,
        subjects=subjects,
        inserts=inserts,
        audit=audit_entries(audit),
        late_reasons=[(item.data.late_reason or "").strip() for item in batch],
        reviews=_reviewers(
            batch, people.reviews, people.new, subjects, people.unseen, planned_shares, held_until
        ),
        reindex=reindex,
    )


def _delivery_status(batch: Sequence[CheckedEvent], held_until: dt.datetime | None) -> str:
    """How a batch's deliveries are written: pending, to be sent; or, for an import's chunk written held,
    history never sent (ImportedAs.HISTORY) or held until the release makes them pending (recording.importing).
    An import's chunk is all of one kind."""
    if held_until is None:
        return DeliveryStatus.PENDING
    history = {checked.data.imported_as == ImportedAs.HISTORY for checked in batch}
    assert len(history) == 1, "an import's chunk is all history or all live work"
    return DeliveryStatus.HISTORY if history.pop() else DeliveryStatus.HELD


# Each kind of event in words, as ``Event.get_kind_display`` says it (which costs a lookup through Django's
# choices for every event of a batch).
_KIND_WORDS: dict[str, str] = {str(value): str(label) for value, label in EventKind.choices}


def _kept_details(subjects: Sequence[routing.Subject]) -> list[dict[str, Any]]:
    """Each person's details as the event keeps them: an adult's relationships to the children, given by each
    child's place among the event's children (recording.checks), become ``{child's person id: kind}`` for every
    child with one, the same-for-all ``relationship`` covering the children not named."""
    children = [str(subject.person_id) for subject in subjects if subject.role == SubjectRole.CHILD]
    kept = []
    for subject in subjects:
        details = dict(subject.details)
        if subject.role == SubjectRole.ADULT and ("relationships" in details or "relationship" in details):
            each = {
                int(entry["child"]): str(entry["relationship"]) for entry in details.get("relationships", ())
            }
            same = str(details.get("relationship", ""))
            details["relationships"] = {
                child: each.get(place, same) for place, child in enumerate(children) if each.get(place, same)
            }
        kept.append(details)
    return kept


def _reviewers(
    batch: Sequence[CheckedEvent],
    reviews: list[list[tuple[uuid.UUID, uuid.UUID, Score]]],
    new: set[uuid.UUID],
    subjects: list[list[routing.Subject]],
    unseen: list[set[uuid.UUID]],
    shares: list[list[PlannedShare]],
    held_until: dt.datetime | None = None,
) -> list[tuple[Organisation, uuid.UUID, uuid.UUID, Score]]:
    """Which agency is asked whether a new record and one it may be are one child: one that may see both
    (``policy.may_be_asked_about_duplicates``), the receiving council's front door first, then the recorder,
    then the other agencies told. No such agency: nobody is asked now (``openmash people dedupe`` finds the
    pair when one can).

    Who sees a record is asked as it will be once the batch is written: the access the policy gives now
    (records on record), the access the batch's own events give (``_access``: the recorder, for the people it
    may see, and each agency whose share names them), and, for an import's chunk written held
    (``held_until``), the access its earlier chunks hold until the release. Each event's question is asked
    with the access given by the batch's events up to and including its own, so that a file planned a chunk
    at a time asks the same agencies as one incident at a time (tests/matching/test_import_chunks.py)."""
    asked: list[tuple[Organisation, uuid.UUID, uuid.UUID, Score]] = []
    if not any(reviews):
        return asked
    on_record = {person for its_reviews in reviews for pair in its_reviews for person in pair[:2]} - new
    # A reason given now covers a record on record only if it is not restricted (a reason that does is
    # granted by hand, never by an event) and not merged into another (seen there): as the policy reads it.
    plain = set(
        Person.objects.filter(
            pk__in=on_record, restriction=Restriction.NONE, merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    will_see: dict[uuid.UUID, set[int]] = {}
    if held_until is not None and plain:
        for organisation_id, person_id in AccessReason.objects.filter(
            person_id__in=plain, expires_at=held_until
        ).values_list("organisation_id", "person_id"):
            will_see.setdefault(person_id, set()).add(organisation_id)
    seen_by: dict[int, set[uuid.UUID]] = {}

    def sees(organisation: Organisation, person: uuid.UUID) -> bool:
        if organisation.pk in will_see.get(person, ()):
            return True
        if person in new:
            return False
        if organisation.pk not in seen_by:
            # The policy asked once an organisation for all the batch's records on record
            # (``visible_among``, the rule of ``reason_to_see`` for many people at once).
            seen_by[organisation.pk] = set(
                people_selectors.visible_among(
                    operator_actor(organisation), Person.objects.filter(pk__in=on_record)
                ).values_list("pk", flat=True)
            )
        return person in seen_by[organisation.pk]

    for checked, its_people, hidden, its_reviews, its_shares in zip(
        batch, subjects, unseen, reviews, shares, strict=True
    ):
        recorder = checked.actor.organisation
        assert recorder is not None
        given = [
            (recorder.pk, subject.person_id) for subject in its_people if subject.person_id not in hidden
        ]
        given += [(planned.share.recipient.pk, person) for planned in its_shares for person in planned.people]
        for organisation_id, person in given:
            if person in new or person in plain:
                will_see.setdefault(person, set()).add(organisation_id)
        for arriving, candidate, score in its_reviews:
            naming = [planned.share.recipient for planned in its_shares if arriving in planned.people]
            order = [org for org in naming if org.kind == OrganisationKind.COUNCIL]
            order += [recorder]
            order += [org for org in naming if org.kind != OrganisationKind.COUNCIL]
            for organisation in dict.fromkeys(order):
                if policy.may_be_asked_about_duplicates(
                    organisation, sees_both=sees(organisation, arriving) and sees(organisation, candidate)
                ):
                    asked.append((organisation, arriving, candidate, score))
                    break
    return asked


def _household(
    checked: CheckedEvent, event: Event, subjects: list[routing.Subject], hidden: set[uuid.UUID]
) -> PlannedHousehold:
    """What a household incident adds to the records of the people at it (people.services.household_planned),
    except to records the recorder may not see (as for a school it names)."""
    day = event.occurred_at.astimezone(LONDON).date()
    members = [
        HouseholdMemberAt(
            person_id=subject.person_id,
            is_child=subject.role == SubjectRole.CHILD,
            relationships={
                uuid.UUID(child): kind for child, kind in details.get("relationships", {}).items()
            },
            has_current_address=any(end is None or end >= day for _council, end in subject.homes),
        )
        for subject, details in zip(subjects, _kept_details(subjects), strict=True)
        if subject.person_id not in hidden
    ]
    return household_planned(
        actor=checked.actor,
        members=members,
        line_1=event.location,
        postcode=event.postcode,
        council=event.council,
        day=day,
        what=f"{event.get_kind_display().lower()} {event.reference}".strip(),
    )


def _shares(
    event: Event,
    subjects: list[routing.Subject],
    data: EventInput,
    now: dt.datetime,
    as_sent: list[routing.Subject] | None = None,
) -> list[PlannedShare]:
    """One unsaved share per recipient organisation, with its deadline and the people it names. With
    ``as_sent`` (the event names a record the recorder may not see), a recipient the recorder's own words
    would not have reached is one the recorder is not told of (``Share.sender_sees``)."""
    start = event.reported_at or event.occurred_at

    def deadline(rule: str, organisation: Organisation) -> dt.datetime | None:
        return deadline_for(rule, start, organisation)

    recipients = routing.recipients_for(
        event, subjects, deadline, added=data.added_recipients, added_route=data.added_route
    )
    told = None
    if as_sent is not None:
        told = {
            recipient.organisation.pk
            for recipient in routing.recipients_for(
                event, as_sent, deadline, added=data.added_recipients, added_route=data.added_route
            )
        }
    shared_at = data.shared_at or now
    shares: list[PlannedShare] = []
    for recipient in recipients:
        clocks = share_clocks(
            event=event,
            recipient=recipient.organisation,
            notification_rule=recipient.clock_rule,
            shared_at=shared_at,
        )
        share = Share(
            event=event,
            recipient=recipient.organisation,
            route=recipient.route,
            content=recipient.content,
            named_recipient_id=recipient.named_recipient_id,
            clock_rule=clocks.clock_rule,
            notification_rule=clocks.notification_rule,
            notification_due_at=clocks.notification_due_at,
            occurred_at=event.occurred_at,
            reported_at=event.reported_at,
            recorded_at=event.recorded_at,
            shared_at=shared_at,
            due_at=clocks.due_at,
            sender_sees=told is None or recipient.organisation.pk in told,
            imported_as=data.imported_as,
            handled_at=data.handled_at,
        )
        shares.append(PlannedShare(share, tuple(recipient.people)))
    return shares


def _access(
    batch: Sequence[CheckedEvent],
    events: list[Event],
    subjects: list[list[routing.Subject]],
    unseen: list[set[uuid.UUID]],
    shares: list[list[PlannedShare]],
    now: dt.datetime,
    held_until: dt.datetime | None = None,
) -> Insert:
    """The recorder may see the people it recorded an event about, except those linked to a record it may not
    see (it sees its own event, not their record); each recipient, the people its share names. An import's
    chunk written held gives its access expiring at ``held_until`` (already passed), until the release."""
    rows = []
    for checked, event, some, hidden, its_shares in zip(batch, events, subjects, unseen, shares, strict=True):
        assert checked.actor.organisation is not None
        detail = f"{_KIND_WORDS[event.kind]} {event.reference}".strip()
        label = checked.actor.label
        rows += [
            (checked.actor.organisation.pk, subject.person_id, ReasonKind.RECORDED_EVENT, detail, now, label)
            for subject in some
            if subject.person_id not in hidden
        ]
        rows += [
            (planned.share.recipient.pk, person_id, ReasonKind.RECEIVED_SHARE, detail, now, label)
            for planned in its_shares
            for person_id in planned.people
        ]
    return rows_insert(
        AccessReason,
        (
            "organisation_id",
            "person_id",
            "kind",
            "detail",
            "granted_at",
            "granted_by",
            "covers_restricted",
            "expires_at",
        ),
        [(*row, False, held_until) for row in rows],
    )
