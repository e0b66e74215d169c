"""Writes of people and what identifies and locates them. Each is atomic and audited. A new person is
checked and planned by the person planner (people/planner.py), whichever way they are recorded."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_append, audit_record
from openmash.database import inserts_run, rows_insert
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation
from openmash.people.models import (
    ChildStatus,
    Ethnicity,
    Person,
    PersonKind,
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
    identifier_problem,
    identifiers_kept,
    may_record,
    people_planned,
    planned,
    postcode_normalise,
    problems,
)
from openmash.people.selectors import reason_to_see

__all__ = [
    "AddressInput",
    "IdentifierInput",
    "NewPerson",
    "PlannedPeople",
    "child_status_record",
    "identifier_problem",
    "people_planned",
    "person_create",
    "postcode_normalise",
    "relationship_record",
]


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
    may_record(actor)
    errors = problems(actor, new)
    if errors:
        raise InvalidInput(errors)
    # Checked as given; stored as kept (an identifier on a record the actor may not see is kept as given).
    new = replace(new, identifiers_given=tuple(identifiers_kept(actor, new.identifiers_given)))
    plan = planned([(actor, new)])
    person_id = plan.person_ids[0]
    assert actor.organisation is not None  # may_record
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


def relationship_record(*, actor: Actor, person: Person, relative: Person, kind: str) -> Relationship:
    if kind not in RelationshipKind.values:
        raise InvalidInput({"kind": "Choose parent, carer, sibling or household member"})
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
