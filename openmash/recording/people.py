"""The people an event names, matched to records or planned as new ones, for the batch being recorded.

Each person named by id must be one the recorder may see; one named by NHS number or UPN is matched by the
identifier rule (docs/decisions/0012); the rest are recorded new, all at once, by the person planner
(``people.services.people_planned``). Children are enrolled at a school an event names. Each person comes back
as routing sees them (``routing.Subject``). Reads only: the rows are planned, written later in one transaction
(recording/services.py)."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.services import AuditInput
from openmash.database import Insert, rows_insert
from openmash.events.models import EventSubject, SubjectRole
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput
from openmash.lib.names import name_key
from openmash.organisations.models import Organisation
from openmash.organisations.selectors import schools_by_urn
from openmash.people import selectors as people_selectors
from openmash.people.models import IdentifierScheme, Person, PersonIdentifier, PersonKind, SchoolEnrolment
from openmash.people.services import IdentifierInput, NewPerson, people_planned
from openmash.recording.checks import SUBJECT_DETAIL_FIELDS, CheckedEvent, PersonInput
from openmash.sharing import routing


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
        if people_selectors.reason_to_see(actor, person.pk) is not None:
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


@dataclass
class _Matched:
    """Each event's people matched so far: a record's id, or None where the person is to be recorded new."""

    found: list[list[uuid.UUID | None]]
    # (event position, person position, the identifiers to record them with) for each new person.
    new: list[tuple[int, int, tuple[IdentifierInput, ...]]]
    # Per event: the people linked to a record the recorder may not see.
    unseen: list[set[uuid.UUID]]
    # Every record named, by id (read once for the batch).
    on_record: dict[uuid.UUID, Person]


def people_of(
    batch: Sequence[CheckedEvent], audit_later: list[tuple[Actor, AuditInput]], inserts: list[Insert]
) -> _PeopleOf:
    """Match each event's people to existing records by id, NHS number or UPN, or record them new: all the
    batch's new people at once; and enrol children at the school an event names. Each person comes back as
    routing sees them (``routing.Subject``): what is on record about the people already known is read once
    for the batch, and the people recorded here have nothing on record but the school just named.

    Two events naming the same new person by NHS number or UPN meet the identifier's unique constraint when
    written together; group commit then writes each alone, planned afresh, and the second finds the person
    the first recorded."""
    matched = _match_everyone(batch)
    standing = routing.standing_of(matched.on_record.values())
    _plan_new_people(batch, matched, standing, audit_later, inserts)
    ids = [[someone for someone in people if someone is not None] for people in matched.found]
    schools = _schools(batch)
    inserts.append(_enrol_at_named_schools(batch, ids, matched.unseen, standing, schools))
    return _as_routing_sees(batch, ids, matched.unseen, standing, schools)


def _match_everyone(batch: Sequence[CheckedEvent]) -> _Matched:
    """Step 1: each person named by id (one the recorder may see), or matched by identifier, or to be
    recorded new. Every problem in the batch is raised at once."""
    known = _known_by_identifier(batch)
    on_record: dict[uuid.UUID, Person] = Person.objects.in_bulk(
        {given.person_id for checked in batch for given in checked.data.people if given.person_id is not None}
    )
    matched = _Matched(found=[], new=[], unseen=[set() for _ in batch], on_record=on_record)
    new_identifiers: dict[tuple[str, str], int] = {}
    errors: dict[str, str] = {}
    for position, checked in enumerate(batch):
        people: list[uuid.UUID | None] = []
        for index, given in enumerate(checked.data.people):
            if given.person_id is not None:
                if (
                    given.person_id in on_record
                    and people_selectors.reason_to_see(checked.actor, given.person_id) is None
                ):
                    if _in_own_related_event(checked, given.person_id):
                        matched.unseen[position].add(given.person_id)
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
                    matched.unseen[position].add(match.person.pk)
                continue
            people.append(None)
            keys = {(item.scheme, identifiers.normalise(item.value)) for item in match.identifiers}
            if any(new_identifiers.get(key) == position for key in keys):
                errors[f"people.{index}"] = "The same person is named twice"
                continue
            new_identifiers |= dict.fromkeys(keys, position)
            matched.new.append((position, index, match.identifiers))
        matched.found.append(people)
    if errors:
        raise InvalidInput(errors)
    return matched


def _plan_new_people(
    batch: Sequence[CheckedEvent],
    matched: _Matched,
    standing: dict[uuid.UUID, routing.Subject],
    audit_later: list[tuple[Actor, AuditInput]],
    inserts: list[Insert],
) -> None:
    """Step 2: the people to record new, planned together by the person planner (their rows and audit
    entries join the batch's); each takes its place among its event's people, known to routing by what the
    recorder said (nothing else is on record yet)."""
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
            for position, index, given_ids in matched.new
            for given in [batch[position].data.people[index]]
        ]
    )
    inserts += planned.inserts
    audit_later += planned.audit
    for (position, index, _ids), person_id in zip(matched.new, planned.person_ids, strict=True):
        matched.found[position][index] = person_id
        given = batch[position].data.people[index]
        standing[person_id] = routing.Subject(person_id, "", {}, date_of_birth=given.date_of_birth)


def _enrol_at_named_schools(
    batch: Sequence[CheckedEvent],
    ids: list[list[uuid.UUID]],
    unseen: list[set[uuid.UUID]],
    standing: dict[uuid.UUID, routing.Subject],
    schools: dict[str, Organisation],
) -> Insert:
    """Step 3: a child named with a school they are not enrolled at is enrolled there from today; routing
    reads what is about to be written (``standing`` is updated), not the database."""
    enrolments: list[tuple[uuid.UUID, int, dt.date, None]] = []
    today = timezone.localdate()
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
    return rows_insert(SchoolEnrolment, ("person_id", "school_id", "start_date", "end_date"), enrolments)


def _as_routing_sees(
    batch: Sequence[CheckedEvent],
    ids: list[list[uuid.UUID]],
    unseen: list[set[uuid.UUID]],
    standing: dict[uuid.UUID, routing.Subject],
    schools: dict[str, Organisation],
) -> _PeopleOf:
    """Step 4: each event's people as routing sees them (their role and details in this event), and, where
    the event names a record the recorder may not see, as the recorder alone knows them."""
    errors: dict[str, str] = {}
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
