"""Writes of people and what identifies and locates them. Each is atomic and audited. A new person is
checked and planned by the person planner (people/planner.py), whichever way they are recorded."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_append, audit_record
from openmash.database import Insert, inserts_run, rows_insert
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import EARLIEST_BIRTH
from openmash.lib.names import search_key
from openmash.organisations.models import Organisation
from openmash.people.matching import index_people
from openmash.people.models import (
    Address,
    ChildStatus,
    Ethnicity,
    NameKind,
    Person,
    PersonKind,
    PersonName,
    Relationship,
    RelationshipKind,
    Restriction,
    Sex,
)
from openmash.people.planner import (
    AddressInput,
    IdentifierInput,
    NewPerson,
    PlannedPeople,
    check_may_record,
    identifier_problem,
    identifiers_kept,
    people_planned,
    planned,
    postcode_normalise,
    problems,
)
from openmash.people.selectors import reason_to_see

__all__ = [
    "AddressInput",
    "HouseholdMemberAt",
    "IdentifierInput",
    "NewPerson",
    "PlannedHousehold",
    "PlannedPeople",
    "child_status_record",
    "household_planned",
    "identifier_problem",
    "people_planned",
    "person_birth_record",
    "person_create",
    "postcode_normalise",
    "relationship_record",
]

_NAME_LENGTH = Person._meta.get_field("given_name").max_length or 0


def person_create(
    *,
    actor: Actor,
    kind: str = PersonKind.CHILD,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    expected_date_of_birth: dt.date | None = None,
    sex: str = Sex.UNKNOWN,
    ethnicity: str = Ethnicity.NOBT,
    restriction: str = Restriction.NONE,
    aliases: Sequence[tuple[str, str]] = (),
    identifiers_given: Sequence[IdentifierInput] = (),
    address: AddressInput | None = None,
    school: Organisation | None = None,
) -> Person:
    """Record a person (the "Record a child" form). The recording organisation gets a reason to see them;
    nothing is saved on error. Checked, then planned by the same planner as the people an event names
    (``planner.planned``), then written with its reason and audit entry in one transaction."""
    new = NewPerson(
        kind=kind,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        identifiers_given=identifiers_given,
        expected_date_of_birth=expected_date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        restriction=restriction,
        aliases=aliases,
        address=address,
        school=school,
    )
    check_may_record(actor)
    errors = problems(actor, new)
    if errors:
        raise InvalidInput(errors)
    # Checked as given; stored as kept (an identifier on a record the actor may not see is kept as given).
    new = replace(new, identifiers_given=tuple(identifiers_kept(actor, new.identifiers_given)))
    plan = planned([(actor, new)])
    person_id = plan.person_ids[0]
    assert actor.organisation is not None  # check_may_record
    reason = rows_insert(
        AccessReason,
        ("organisation_id", "person_id", "kind", "detail", "covers_restricted", "granted_at", "granted_by"),
        [
            (
                actor.organisation.pk,
                person_id,
                ReasonKind.RECORDED_PERSON,
                "",
                bool(new.restriction),
                timezone.now(),
                actor.label,
            )
        ],
    )
    with transaction.atomic():
        inserts_run([*plan.inserts, reason])
        audit_append(plan.audit)  # last: the chain head stays locked until the commit
    return Person.objects.get(pk=person_id)


def person_birth_record(
    *,
    actor: Actor,
    person: Person,
    date_of_birth: dt.date | None,
    given_name: str = "",
    family_name: str = "",
) -> Person:
    """Record that an unborn child has been born: the record becomes the child's, with a date of birth (and a
    name, where one is given). The expected date stays, for the record. Atomic and audited; the caller keeps
    any clocks the birth changes in the same transaction (meetings.changes.birth_record)."""
    if not policy.may_record_birth(actor, reason_to_see(actor, person.pk)):
        raise NotAllowed("Only a council's practitioners working with the family record a birth")
    errors: dict[str, str] = {}
    if person.kind != PersonKind.UNBORN:
        errors["date_of_birth"] = "This child's birth is already recorded"
    elif date_of_birth is None:
        errors["date_of_birth"] = "Enter the date of birth"
    elif date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = f"Date of birth must be on or after {EARLIEST_BIRTH:%-d %B %Y}"
    for name, value in (("given_name", given_name), ("family_name", family_name)):
        if len(value.strip()) > _NAME_LENGTH:
            errors[name] = f"Enter at most {_NAME_LENGTH} characters"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        person.kind = PersonKind.CHILD
        person.date_of_birth = date_of_birth
        if given_name.strip() or family_name.strip():
            person.given_name, person.family_name = given_name.strip(), family_name.strip()
            PersonName.objects.update_or_create(
                person=person,
                kind=NameKind.LEGAL,
                defaults={
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    # The key name search matches (the trigram index reads it): the new name, found at once.
                    "search_key": search_key(person.given_name, person.family_name),
                },
            )
        person.save(update_fields=["kind", "date_of_birth", "given_name", "family_name", "updated_at"])
        # The match index (openmash.matching) compares names and dates of birth: both may have changed.
        index_people([person.pk])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            reason="recorded the birth",
            detail={"date_of_birth": date_of_birth.isoformat() if date_of_birth else None},
        )
    return person


def relationship_record(*, actor: Actor, person: Person, relative: Person, kind: str) -> Relationship:
    if kind not in RelationshipKind.values:
        raise InvalidInput(
            {"kind": "Choose parent, parent's partner, carer, other relative, sibling or household member"}
        )
    if person.pk == relative.pk:
        raise InvalidInput({"relative": "A person cannot be related to themselves"})
    for someone in (person, relative):
        if reason_to_see(actor, someone.pk) is None:
            raise NotAllowed("You may only relate people you may see")
    with transaction.atomic():
        relationship, _ = Relationship.objects.get_or_create(person=person, relative=relative, kind=kind)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="relationship",
            object_id=relationship.pk,
            person_id=relative.pk,
            detail={"kind": kind, "person": str(person.pk)},
        )
        return relationship


def child_status_record(
    *, actor: Actor, person: Person, council: Organisation, status: str, start_date: dt.date
) -> ChildStatus:
    """A council records a child's status with it. Only the council itself may."""
    if actor.organisation != council or not policy.works_cases(actor):
        raise NotAllowed("Only the council's own practitioners record a child's status with it")
    with transaction.atomic():
        record = ChildStatus(person=person, council=council, status=status, start_date=start_date)
        record.full_clean()
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="child-status",
            object_id=record.pk,
            person_id=person.pk,
            detail={"status": status, "council": council.code, "start_date": start_date.isoformat()},
        )
        return record


@dataclass(frozen=True)
class HouseholdMemberAt:
    """A person named at an incident, as the household planning needs them."""

    person_id: uuid.UUID
    is_child: bool
    # For an adult: what they are to each child at the incident, by the child's person id (a RelationshipKind;
    # household member for a child not named).
    relationships: Mapping[uuid.UUID, str] = field(default_factory=dict)
    # Whether the person has an address on record that is current on the incident's day.
    has_current_address: bool = False


@dataclass(frozen=True)
class PlannedHousehold:
    inserts: list[Insert]
    audit: list[tuple[Actor, AuditInput]]
    # The people given the incident's address (their match index rows follow it: people.matching).
    addressed: list[uuid.UUID] = field(default_factory=list)


def household_planned(
    *,
    actor: Actor,
    members: Sequence[HouseholdMemberAt],
    line_1: str,
    postcode: str,
    council: Organisation | None,
    day: dt.date,
    what: str,
) -> PlannedHousehold:
    """Build the records from what an agency reports at a household incident, writing nothing (the caller
    writes the rows with its event): the incident's address becomes the address, from that day, of each person
    with none on record (an address already on record is not overwritten by one report); the children and
    adults are linked as a household: each adult to each child by their relationship to that child, the children to
    each other as household members. Links already on record between two people are kept as they are. The
    caller leaves out people whose record it may not change (a record the recorder may not see)."""
    if not members:
        return PlannedHousehold([], [])
    ids = [member.person_id for member in members]
    linked = {
        frozenset((person, relative))
        for person, relative in Relationship.objects.filter(person__in=ids, relative__in=ids).values_list(
            "person_id", "relative_id"
        )
    }
    relationships: list[tuple[uuid.UUID, uuid.UUID, str, dt.date, None]] = []
    children = [member for member in members if member.is_child]
    adults = [member for member in members if not member.is_child]
    pairs = [
        (adult.person_id, child.person_id, adult.relationships.get(child.person_id, ""))
        for adult in adults
        for child in children
    ]
    pairs += [
        (first.person_id, second.person_id, "")
        for index, first in enumerate(children)
        for second in children[index + 1 :]
    ]
    for person, relative, kind in pairs:
        if frozenset((person, relative)) in linked:
            continue
        linked.add(frozenset((person, relative)))
        relationships.append((person, relative, kind or RelationshipKind.HOUSEHOLD_MEMBER, day, None))
    addresses = []
    if council is not None and postcode:
        addresses = [
            (
                member.person_id,
                line_1[:200] or "Where the incident happened",
                "",
                "",
                postcode,
                council.pk,
                day,
                None,
            )
            for member in members
            if not member.has_current_address
        ]
    audit = [
        (
            actor,
            AuditInput(
                action=AuditAction.UPDATE,
                object_type="relationship",
                person_id=relative,
                reason=f"linked as a household at {what}",
                detail={"kind": kind, "person": str(person)},
            ),
        )
        for person, relative, kind, _start, _end in relationships
    ] + [
        (
            actor,
            AuditInput(
                action=AuditAction.UPDATE,
                object_type="address",
                person_id=person_id,
                reason=f"address from {what}",
                detail={"postcode": postcode},
            ),
        )
        for person_id, *_rest in addresses
    ]
    return PlannedHousehold(
        inserts=[
            rows_insert(
                Relationship, ("person_id", "relative_id", "kind", "start_date", "end_date"), relationships
            ),
            rows_insert(
                Address,
                ("person_id", "line_1", "line_2", "town", "postcode", "council_id", "start_date", "end_date"),
                addresses,
            ),
        ],
        audit=audit,
        addressed=[person_id for person_id, *_rest in addresses],
    )
