"""Recording an event: validate everything, then in one transaction write the event, the people it is about,
one share per recipient organisation with its deadline, the deliveries that will carry them, the access
reasons that follow, and the audit entries. Nothing is half-saved; a failure anywhere saves nothing.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, PlannedEntry, audit_chain, audit_entries
from openmash.clocks import starts as clock_starts
from openmash.database import (
    GroupCommit,
    Insert,
    inserts_joined,
    inserts_run,
    objects_insert,
    rows_insert,
)
from openmash.events import followups
from openmash.events.models import Event, EventKind, EventSubject, RiskLevel, Source, SubjectRole
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import EARLIEST_BIRTH, EARLIEST_EVENT, LONDON, instant_problem, is_future
from openmash.lib.names import name_key
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.postcodes import UnknownPostcode, council_for_postcode
from openmash.organisations.selectors import schools_by_urn
from openmash.people.models import (
    IdentifierScheme,
    Person,
    PersonIdentifier,
    PersonKind,
    RelationshipKind,
    SchoolEnrolment,
)
from openmash.people.services import (
    HouseholdMemberAt,
    IdentifierInput,
    NewPerson,
    PlannedHousehold,
    household_planned,
    people_planned,
    postcode_normalise,
)
from openmash.sharing import routing
from openmash.sharing.deadlines import deadline_for, share_clocks
from openmash.sharing.delivery import deliveries_for, wake_workers
from openmash.sharing.models import Route, Share

# Fields a child or adult may carry in an event, beyond who they are.
SUBJECT_DETAIL_FIELDS = (
    "present",
    "saw_heard",
    "child_words",
    "home_educated",
    "school_urn",
    "harm_role",
    "relationship",
)
# An adult at a domestic abuse incident: their part in it, and what they are to the children there.
HARM_ROLES = ("victim", "person-causing-harm", "other")
ADULT_RELATIONSHIPS = tuple(RelationshipKind.values)
# Kinds of event at a household, whose people are linked as one and whose place is their address
# (people.services.household_planned).
HOUSEHOLD_KINDS = frozenset({EventKind.DOMESTIC_ABUSE})


@dataclass(frozen=True)
class PersonInput:
    role: str = SubjectRole.CHILD
    person_id: uuid.UUID | None = None
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    upn: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventInput:
    kind: str
    occurred_at: dt.datetime | None
    people: Sequence[PersonInput]
    reference: str = ""
    reported_at: dt.datetime | None = None
    location: str = ""
    postcode: str = ""
    council: Organisation | None = None
    risk_level: str = ""
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    related_event_id: uuid.UUID | None = None
    added_recipients: Sequence[Organisation] = ()
    # Why the added recipients receive it: chosen by the person recording, or invited to a meeting, ...
    added_route: str = Route.ADDED
    source: str = Source.WEB
    # Only for records imported from elsewhere: when it really reached the recipients, whether its shares are
    # history or live work (sharing.models.ImportedAs), and when the recipients handled it, if known.
    shared_at: dt.datetime | None = None
    imported_as: str = ""
    handled_at: dt.datetime | None = None


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


# Which kinds each kind of organisation may record. Police record incidents and police protection;
# councils and carers report missing children; anyone may refer or share information.
RECORDERS: dict[str, set[str]] = {
    EventKind.DOMESTIC_ABUSE: {OrganisationKind.POLICE},
    EventKind.POLICE_PROTECTION: {OrganisationKind.POLICE},
    EventKind.MISSING: {OrganisationKind.POLICE, OrganisationKind.COUNCIL, OrganisationKind.OTHER},
    EventKind.FOUND: {OrganisationKind.POLICE, OrganisationKind.COUNCIL, OrganisationKind.OTHER},
}


def _check_times(data: EventInput, errors: dict[str, str]) -> None:
    now = timezone.now()
    problem = instant_problem(
        data.occurred_at,
        now=now,
        missing="Enter when it happened",
        future="When it happened must be in the past",
    )
    if problem:
        errors["occurred_at"] = problem
    if data.occurred_at is None or data.occurred_at.utcoffset() is None:
        return
    # Before anything is written: an instant this early is a typing slip, and a clock counted from it
    # would not fit a datetime.
    for name, value in (("occurred_at", data.occurred_at), ("reported_at", data.reported_at)):
        if value is not None and value < EARLIEST_EVENT:
            errors[name] = f"Enter a date after {EARLIEST_EVENT:%-d %B %Y}"
    if errors:
        return
    if data.reported_at is not None and data.reported_at < data.occurred_at:
        errors["reported_at"] = "When it was reported must be the same as or after when it happened"
    if data.reported_at is not None and is_future(data.reported_at, now):
        errors["reported_at"] = "When it was reported must be in the past"
    if data.shared_at is not None and data.shared_at < (data.reported_at or data.occurred_at):
        errors["shared_at"] = "When it was shared must be after it was reported"


def _check_person(index: int, person: PersonInput, data: EventInput, errors: dict[str, str]) -> None:
    kind = data.kind
    where = f"children.{index}" if person.role == SubjectRole.CHILD else f"adults.{index}"
    if person.details.get("harm_role") not in (None, "", *HARM_ROLES):
        errors[f"{where}.harm_role"] = "Choose victim, person causing harm or other"
    if person.details.get("relationship") not in (None, "", *ADULT_RELATIONSHIPS):
        errors[f"{where}.relationship"] = "Choose what they are to the children"
    if person.person_id is not None:
        return
    for name in ("given_name", "family_name"):
        if len(getattr(person, name)) > _longest(Person, name):
            errors[f"{where}.{name}"] = f"Enter at most {_longest(Person, name)} characters"
    if not (person.given_name.strip() and person.family_name.strip()):
        errors[f"{where}.family_name"] = "Enter the person's first and last name"
    if person.role == SubjectRole.CHILD and person.date_of_birth is None and kind == EventKind.DOMESTIC_ABUSE:
        errors[f"{where}.date_of_birth"] = "Enter the child's date of birth (it decides Operation Encompass)"
    born = person.date_of_birth
    if born is not None and born > timezone.localdate():
        errors[f"{where}.date_of_birth"] = "Date of birth must be in the past"
    elif born is not None and born < EARLIEST_BIRTH:
        errors[f"{where}.date_of_birth"] = f"Date of birth must be after {EARLIEST_BIRTH:%-d %B %Y}"
    elif (
        born is not None
        and data.occurred_at is not None
        and data.occurred_at.utcoffset() is not None
        and born > data.occurred_at.astimezone(LONDON).date()
    ):
        # An unborn child is recorded as such (an expected date of birth), never with a date of birth.
        errors[f"{where}.date_of_birth"] = "Date of birth must be on or before the day it happened"
    if person.nhs_number and (problem := identifiers.nhs_number_problem(person.nhs_number)):
        errors[f"{where}.nhs_number"] = problem
    if person.upn and (problem := identifiers.upn_problem(person.upn)):
        errors[f"{where}.upn"] = problem


# Kinds recorded by the service of their own app (meetings, visits, closures, disagreements), which checks
# what only that kind has and names the agencies involved before it calls event_record.
VALIDATED_BY_THEIR_APP = frozenset(
    {
        EventKind.STRATEGY_DISCUSSION,
        EventKind.CONFERENCE,
        EventKind.CORE_GROUP,
        EventKind.JOINT_VISIT,
        EventKind.EVIDENTIAL_INTERVIEW,
        EventKind.INVESTIGATION_CLOSURE,
        EventKind.DISAGREEMENT,
        EventKind.POLICE_PROTECTION_ENDED,
        EventKind.PHILOMENA_PROFILE,
        EventKind.RETURN_INTERVIEW,
    }
)


def _longest(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


def _check_lengths(data: EventInput, errors: dict[str, str]) -> None:
    """Text longer than its column is refused here, on every database (PostgreSQL would refuse it on
    writing; SQLite would keep it)."""
    for name in ("reference", "location", "postcode"):
        if len(getattr(data, name)) > _longest(Event, name):
            errors[
                "police_reference" if name == "reference" and data.kind == EventKind.DOMESTIC_ABUSE else name
            ] = f"Enter at most {_longest(Event, name)} characters"


def _check_kind(data: EventInput, errors: dict[str, str]) -> None:
    children = [p for p in data.people if p.role == SubjectRole.CHILD]
    if data.kind == EventKind.DOMESTIC_ABUSE:
        if not data.reference.strip():
            errors["police_reference"] = "Enter the police reference"
        if data.risk_level not in RiskLevel.values:
            errors["risk_level"] = "Choose the risk level: standard, medium or high"
        if not children:
            errors["children"] = "Add at least one child who was present or normally lives there"
    elif data.kind in (EventKind.MISSING, EventKind.FOUND):
        if len(children) != 1:
            errors["children"] = "A missing or found report is about one child"
        if data.kind == EventKind.FOUND and data.related_event_id is None:
            errors["missing_report"] = "Say which missing report this child was found from"
    elif data.kind == EventKind.POLICE_PROTECTION:
        if not children:
            errors["children"] = "Add the child taken into police protection"
        if not str(data.details.get("designated_officer", "")).strip():
            errors["designated_officer"] = "Enter the designated officer"
        if not str(data.details.get("reasons", "")).strip():
            errors["reasons"] = "Enter why the child was taken into police protection"
        discussed = data.details.get("alternatives_discussed")
        if discussed not in (True, False):
            errors["alternatives_discussed"] = "Say whether alternatives were discussed with the council"
        elif discussed and not str(data.details.get("alternatives_discussed_with", "")).strip():
            errors["alternatives_discussed_with"] = (
                "Enter who at the council alternatives were discussed with"
            )
    elif data.kind == EventKind.REFERRAL:
        if data.council is None and not data.postcode:
            errors["council"] = "Choose the council the referral is to"
        if not data.people:
            errors["children"] = "Add the child the referral is about"
        if not data.summary.strip():
            errors["summary"] = "Say what the concern is"
    elif data.kind == EventKind.INFORMATION_SHARE:
        if not data.added_recipients:
            errors["recipients"] = "Choose at least one organisation to share with"
        if not data.summary.strip():
            errors["summary"] = "Enter the information to share"
    elif data.kind not in VALIDATED_BY_THEIR_APP:
        errors["kind"] = "Choose a kind of event"


def _place_council(data: EventInput, errors: dict[str, str]) -> Organisation | None:
    if data.council is not None:
        if data.council.kind != OrganisationKind.COUNCIL:
            errors["council"] = f"{data.council.name} is not a council"
        return data.council
    if not data.postcode:
        if data.kind in (EventKind.DOMESTIC_ABUSE, EventKind.POLICE_PROTECTION):
            errors["postcode"] = "Enter the postcode where it happened"
        return None
    try:
        return council_for_postcode(data.postcode)
    except UnknownPostcode as error:
        errors["postcode"] = str(error)
        return None


@dataclass(frozen=True)
class CheckedEvent:
    """An event whose input has passed every check that needs no lock: ready to write."""

    actor: Actor
    data: EventInput
    council: Organisation | None
    related: Event | None


# Called inside the write transaction with what was just recorded (an API's idempotency key, say): it commits
# or rolls back with the event.
AlsoWrite = Callable[[RecordedEvent], None]


def event_check(*, actor: Actor, data: EventInput) -> CheckedEvent:
    """Check everything about an event that can be checked before its transaction. Raises NotAllowed or
    InvalidInput (every bad field at once); writes nothing."""
    if actor.organisation is None or not policy.works_cases(actor):
        raise NotAllowed("Only case-working roles record events")
    allowed = RECORDERS.get(data.kind)
    if allowed is not None and actor.organisation.kind not in allowed:
        raise NotAllowed(f"{actor.organisation.name} cannot record a {EventKind(data.kind).label.lower()}")
    errors: dict[str, str] = {}
    _check_times(data, errors)
    _check_lengths(data, errors)
    _check_kind(data, errors)
    for index, person in enumerate(data.people):
        _check_person(index, person, data, errors)
    related = None
    if data.related_event_id is not None:
        related = Event.objects.filter(pk=data.related_event_id, kind=EventKind.MISSING).first()
        if related is None or not policy.may_see_event(actor, related):
            errors["missing_report"] = "No such missing report, or your organisation may not see it"
    council = _place_council(data, errors)
    if errors:
        raise InvalidInput(errors)
    return CheckedEvent(actor=actor, data=data, council=council, related=related)


def event_record(*, actor: Actor, data: EventInput, also: AlsoWrite | None = None) -> RecordedEvent:
    """Record an event once and share it with every organisation that must know, in one transaction.

    Inside a caller's transaction (a meeting, a visit) it is written there. Otherwise it joins the events
    other requests of this process are recording at the same moment, and they commit together (decision
    0010): one transaction, one wait for the disk, however many events."""
    checked = event_check(actor=actor, data=data)
    if connection.in_atomic_block:
        # The caller's transaction already holds SQLite's write lock: no gate, no waiting for others.
        return _carry_out(_plan([checked]), [also])[0]
    # Worked out here, in the request's own thread, with reads only, so that the process's one writer
    # thread only writes (decision 0010).
    return _recorder.submit(_Recording(checked, also, _plan([checked])))


@dataclass(frozen=True)
class _Planned:
    """What a batch of events will write, worked out with reads only before the write lock is taken: the
    people, the events, one share per recipient with its deadline, the deliveries that will carry them, the
    access reasons that follow, and the audit entries. Each table gets one insert for the whole batch."""

    recorded: list[RecordedEvent]
    subjects: list[list[routing.Subject]]
    inserts: list[Insert]
    audit: list[PlannedEntry]


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
        for recorded, subjects in zip(planned.recorded, planned.subjects, strict=True):
            clock_starts.start_for_event(recorded.event, subjects, recorded.shares)
        audit_chain(
            planned.audit
        )  # last of the event's own rows: the chain head stays locked until the commit
        for recorded in planned.recorded:
            followups.run(recorded)  # what an app above writes with such an event (a Philomena release)
        for one, write in zip(planned.recorded, also, strict=True):
            if write is not None:
                write(one)
        # Robust: once committed, an event is recorded; a failed wake-up (workers poll anyway) must not turn
        # it into an error, which group commit would answer by writing the events again.
        transaction.on_commit(wake_workers, robust=True)
    return planned.recorded


def _plan(batch: Sequence[CheckedEvent]) -> _Planned:
    now = timezone.now()
    audit: list[tuple[Actor, AuditInput]] = []
    inserts: list[Insert] = []
    people = _people(batch, audit, inserts)
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
                (event.pk, subject.person_id, subject.role, subject.details)
                for event, some in zip(events, subjects, strict=True)
                for subject in some
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
    inserts.append(deliveries_for(every_share, now))
    for item, event, some, hidden in zip(batch, events, subjects, people.unseen, strict=True):
        # Not from an import still held (docs/import.md): an address would give its council a reason to see
        # people nobody has been told of yet.
        if event.kind in HOUSEHOLD_KINDS and event.source not in (Source.HELD, Source.IMPORT):
            household = _household(item, event, some, hidden)
            inserts += household.inserts
            audit += household.audit
    inserts.append(_access(batch, events, subjects, people.unseen, planned_shares, now))
    recorded = []
    for item, event, some, its_shares, hidden in zip(
        batch, events, subjects, shares, people.unseen, strict=True
    ):
        reason = f"recorded {event.get_kind_display().lower()} {event.reference}".strip()
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
    return _Planned(recorded=recorded, subjects=subjects, inserts=inserts, audit=audit_entries(audit))


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
            relationship=str(subject.details.get("relationship", "")),
            has_current_address=any(end is None or end >= day for _council, end in subject.homes),
        )
        for subject in subjects
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


def _subject_details(given: PersonInput) -> dict[str, Any]:
    return {
        key: value
        for key, value in given.details.items()
        if key in SUBJECT_DETAIL_FIELDS and value not in ("", None)
    }


def _identifiers_of(given: PersonInput) -> list[IdentifierInput]:
    return [
        IdentifierInput(scheme=scheme, value=value)
        for scheme, value in (
            (IdentifierScheme.NHS_NUMBER, given.nhs_number),
            (IdentifierScheme.UPN, given.upn),
        )
        if value
    ]


@dataclass(frozen=True)
class _Known:
    """People already on record under the NHS numbers and UPNs a batch gives: the record each identifier
    belongs to, and the records each organisation made when it gave an identifier it could not be linked by."""

    national: dict[tuple[str, str], Person]
    given_by: dict[tuple[int, str, str], Person]


def _known_by_identifier(batch: Sequence[CheckedEvent]) -> _Known:
    """In one query for the batch."""
    wanted = {
        (item.scheme, identifiers.normalise(item.value))
        for checked in batch
        for given in checked.data.people
        if given.person_id is None
        for item in _identifiers_of(given)
    }
    if not wanted:
        return _Known({}, {})
    recorders = {checked.actor.organisation.pk for checked in batch if checked.actor.organisation is not None}
    found = PersonIdentifier.objects.select_related("person").filter(
        Q(issuer=None) | Q(issuer__in=recorders),
        scheme__in={scheme for scheme, _value in wanted},
        value__in={value for _scheme, value in wanted},
    )
    known = _Known({}, {})
    for row in found:
        if (row.scheme, row.value) not in wanted:
            continue
        if row.issuer_id is None:
            known.national[(row.scheme, row.value)] = row.person
        else:
            known.given_by[(row.issuer_id, row.scheme, row.value)] = row.person
    return known


def _same_person(given: PersonInput, person: Person) -> bool:
    """Whether what the recorder typed names the person on record: the same name (as agencies type names)
    and the same date of birth. An identifier alone never links to a record the recorder may not see."""
    return (
        given.date_of_birth is not None
        and given.date_of_birth == person.date_of_birth
        and name_key(given.given_name, given.family_name) == name_key(person.given_name, person.family_name)
    )


@dataclass(frozen=True)
class _Match:
    person: Person | None  # None: record a new person
    # Linked to a record the recorder may not see: it learns only that its record was linked.
    unseen: bool = False
    # What identifies a new person: as given, or (where the identifier belongs to a record that could not be
    # confirmed as this person) kept as the recorder gave it, unconfirmed.
    identifiers: tuple[IdentifierInput, ...] = ()


def _match(actor: Actor, given: PersonInput, known: _Known) -> _Match:
    """Which record a person named by NHS number or UPN is (docs/decisions/0012):
    1. the record the identifier belongs to, when the recorder may see it;
    2. that record, unseen, when the name and date of birth agree too;
    3. the record the recorder made when it last gave that identifier unconfirmed;
    4. otherwise a new record, keeping the identifier as the recorder gave it.
    The recorder's answer is the same in 2 and 4 up to "linked", so it cannot probe a record's contents."""
    given_ids = _identifiers_of(given)
    keys = [(item.scheme, identifiers.normalise(item.value)) for item in given_ids]
    organisation = actor.organisation
    assert organisation is not None  # event_check: only organisations record events
    for key in keys:
        person = known.national.get(key)
        if person is None:
            continue
        if policy.reason_to_see(actor, person.pk) is not None:
            return _Match(person)
        if _same_person(given, person):
            return _Match(person, unseen=True)
    for scheme, value in keys:
        person = known.given_by.get((organisation.pk, scheme, value))
        if person is not None:
            return _Match(person)
    return _Match(
        None,
        identifiers=tuple(
            replace(item, issuer=organisation) if key in known.national else item
            for item, key in zip(given_ids, keys, strict=True)
        ),
    )


@dataclass(frozen=True)
class _PeopleOf:
    """Each event's people: as routing sees them; those linked to a record the recorder may not see; and, for
    an event with such people, its people as the recorder knows them (only what it said of them)."""

    subjects: list[list[routing.Subject]]
    unseen: list[set[uuid.UUID]]
    as_sent: list[list[routing.Subject] | None]


def _people(
    batch: Sequence[CheckedEvent], audit_later: list[tuple[Actor, AuditInput]], inserts: list[Insert]
) -> _PeopleOf:
    """Match each event's people to existing records by id, NHS number or UPN, or record them new: all the
    batch's new people at once; and enrol children at the school an event names. Each person comes back as
    routing sees them (``routing.Subject``): what is on record about the people already known is read once
    for the batch, and the people recorded here have nothing on record but the school just named.

    Two events naming the same new person by NHS number or UPN meet the identifier's unique constraint when
    written together; group commit then writes each alone, planned afresh, and the second finds the person
    the first recorded."""
    known = _known_by_identifier(batch)
    on_record: dict[uuid.UUID, Person] = Person.objects.in_bulk(
        {given.person_id for checked in batch for given in checked.data.people if given.person_id is not None}
    )
    found: list[list[uuid.UUID | None]] = []  # each event's people, None where to be recorded
    new: list[tuple[int, int, tuple[IdentifierInput, ...]]] = []  # (event, person) positions to record
    unseen: list[set[uuid.UUID]] = [set() for _ in batch]
    new_identifiers: dict[tuple[str, str], int] = {}
    errors: dict[str, str] = {}
    for position, checked in enumerate(batch):
        people: list[uuid.UUID | None] = []
        for index, given in enumerate(checked.data.people):
            if given.person_id is not None:
                if (
                    given.person_id in on_record
                    and policy.reason_to_see(checked.actor, given.person_id) is None
                ):
                    if _in_own_related_event(checked, given.person_id):
                        unseen[position].add(given.person_id)
                    else:
                        on_record.pop(given.person_id)
                if given.person_id not in on_record:
                    errors[f"people.{index}.person_id"] = (
                        "No such person, or your organisation may not see them"
                    )
                people.append(given.person_id)
                continue
            match = _match(checked.actor, given, known)
            if match.person is not None:
                on_record[match.person.pk] = match.person
                people.append(match.person.pk)
                if match.unseen:
                    unseen[position].add(match.person.pk)
                continue
            people.append(None)
            keys = {(item.scheme, identifiers.normalise(item.value)) for item in match.identifiers}
            if any(new_identifiers.get(key) == position for key in keys):
                errors[f"people.{index}"] = "The same person is named twice"
                continue
            new_identifiers |= dict.fromkeys(keys, position)
            new.append((position, index, match.identifiers))
        found.append(people)
    if errors:
        raise InvalidInput(errors)
    planned = people_planned(
        [
            (
                batch[position].actor,
                NewPerson(
                    kind=PersonKind.CHILD if given.role == SubjectRole.CHILD else PersonKind.ADULT,
                    given_name=given.given_name,
                    family_name=given.family_name,
                    date_of_birth=given.date_of_birth,
                    identifiers_given=given_ids,
                ),
            )
            for position, index, given_ids in new
            for given in [batch[position].data.people[index]]
        ]
    )
    inserts += planned.inserts
    audit_later += planned.audit
    standing = routing.standing_of(on_record.values())
    for (position, index, _ids), person_id in zip(new, planned.person_ids, strict=True):
        found[position][index] = person_id
        given = batch[position].data.people[index]
        standing[person_id] = routing.Subject(person_id, "", {}, date_of_birth=given.date_of_birth)
    schools = _schools(batch)
    enrolments: list[tuple[uuid.UUID, int, dt.date, None]] = []
    today = timezone.localdate()
    ids = [[someone for someone in people if someone is not None] for people in found]
    for position, (checked, their_ids) in enumerate(zip(batch, ids, strict=True)):  # all matched or recorded
        for given, someone in zip(checked.data.people, their_ids, strict=True):
            school = schools.get(str(given.details.get("school_urn", "")).strip())
            person = standing[someone]
            if school is not None and not any(
                each.pk == school.pk and end is None for each, end in person.schools
            ):
                # A record the recorder may not see is not changed by what it says: naming a school would
                # otherwise give that school a reason to see the whole record. Routing still tells the school.
                if someone not in unseen[position]:
                    enrolments.append((someone, school.pk, today, None))
                # Routing reads what is about to be written, not the database (and it is written once).
                standing[someone] = replace(person, schools=(*person.schools, (school, None)))
    inserts.append(
        rows_insert(SchoolEnrolment, ("person_id", "school_id", "start_date", "end_date"), enrolments)
    )
    resolved: list[list[routing.Subject]] = []
    as_sent: list[list[routing.Subject] | None] = []
    for checked, their_ids, hidden in zip(batch, ids, unseen, strict=True):
        subjects: list[routing.Subject] = []
        for index, (given, someone) in enumerate(zip(checked.data.people, their_ids, strict=True)):
            if any(someone == other.person_id for other in subjects):
                errors[f"people.{index}"] = "The same person is named twice"
                continue
            subjects.append(replace(standing[someone], role=given.role, details=_subject_details(given)))
        resolved.append(subjects)
        as_sent.append(
            [
                _as_sent(subject, given, schools) if subject.person_id in hidden else subject
                for subject, given in zip(subjects, checked.data.people, strict=False)
            ]
            if hidden
            else None
        )
    if errors:
        raise InvalidInput(errors)
    return _PeopleOf(subjects=resolved, unseen=unseen, as_sent=as_sent)


def _in_own_related_event(checked: CheckedEvent, person_id: uuid.UUID) -> bool:
    """A person the recorder named in the event this one follows (the missing report a found report closes),
    which it recorded itself: it may name them again by id, though it may not see their record."""
    related = checked.related
    return (
        related is not None
        and checked.actor.organisation is not None
        and related.recorded_by_id == checked.actor.organisation.pk
        and EventSubject.objects.filter(event=related, person_id=person_id).exists()
    )


def _as_sent(
    subject: routing.Subject, given: PersonInput, schools: dict[str, Organisation]
) -> routing.Subject:
    """A person linked to a record the recorder may not see, as the recorder alone knows them: what it said
    (the school it named, their date of birth), nothing the record holds (home, statuses, other schools)."""
    school = schools.get(str(given.details.get("school_urn", "")).strip())
    return routing.Subject(
        subject.person_id,
        subject.role,
        subject.details,
        date_of_birth=given.date_of_birth,
        schools=((school, None),) if school is not None else (),
    )


def _schools(batch: Sequence[CheckedEvent]) -> dict[str, Organisation]:
    """The schools on the service named by URN anywhere in the batch."""
    urns = {
        str(given.details.get("school_urn", "")).strip() for checked in batch for given in checked.data.people
    } - {""}
    return schools_by_urn(urns) if urns else {}


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
) -> Insert:
    """The recorder may see the people it recorded an event about, except those linked to a record it may not
    see (it sees its own event, not their record); each recipient, the people its share names."""
    rows = []
    for checked, event, some, hidden, its_shares in zip(batch, events, subjects, unseen, shares, strict=True):
        assert checked.actor.organisation is not None
        detail = f"{event.get_kind_display()} {event.reference}".strip()
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
        ("organisation_id", "person_id", "kind", "detail", "granted_at", "granted_by", "covers_restricted"),
        [(*row, False) for row in rows],
    )
