"""Reads of people. Every read goes through the policy and is written to the audit trail.

``visible_people`` and ``reason_to_see`` hand the policy this app's tables and return its answer: the policy
decides who may see whom (access/policy.py), this app owns the rows. They record nothing themselves; the
reads built on them (``person_search``, ``person_open``) do."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotFound
from openmash.people.models import (
    Address,
    ChildStatus,
    Person,
    PersonIdentifier,
    Relationship,
    SchoolEnrolment,
)

SEARCH_LIMIT = 50


def _rows() -> policy.PeopleRows:
    return policy.PeopleRows(
        people=Person.objects.all(),
        addresses=Address.objects.all(),
        enrolments=SchoolEnrolment.objects.all(),
        statuses=ChildStatus.objects.all(),
    )


def visible_people(actor: Actor) -> QuerySet[Person]:
    """Every person the actor may see (``policy.visible_people``), as one query to filter further."""
    return policy.visible_people(actor, _rows())


def reason_to_see(actor: Actor, person_id: uuid.UUID) -> str | None:
    """The reason the actor may see this person, or None if it may not (``policy.reason_to_see``)."""
    return policy.reason_to_see(actor, person_id, _rows())


@dataclass(frozen=True)
class SearchCriteria:
    name: str = ""
    date_of_birth: dt.date | None = None
    identifier: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.identifier.strip())


def person_search(*, actor: Actor, criteria: SearchCriteria) -> list[Person]:
    """People matching every given criterion, among those the actor may see. The search itself is audited."""
    if criteria.is_empty:
        raise InvalidInput({"": "Enter a name, a date of birth or an identifier to search for"})
    people = visible_people(actor)
    for word in criteria.name.split():
        people = people.filter(Q(names__given_name__icontains=word) | Q(names__family_name__icontains=word))
    if criteria.date_of_birth:
        people = people.filter(
            Q(date_of_birth=criteria.date_of_birth) | Q(expected_date_of_birth=criteria.date_of_birth)
        )
    if criteria.identifier.strip():
        people = people.filter(identifiers__value=identifiers.normalise(criteria.identifier))
    results = list(people.distinct().order_by("family_name", "given_name", "date_of_birth")[:SEARCH_LIMIT])
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type="person",
            detail={
                "name": criteria.name,
                "date_of_birth": criteria.date_of_birth.isoformat() if criteria.date_of_birth else "",
                "identifier": criteria.identifier,
                "results": len(results),
            },
        )
    return results


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    reason: str
    scope: policy.RecordScope = policy.RecordScope.FULL


def _person_with_details() -> QuerySet[Person]:
    return Person.objects.select_related("recorded_by").prefetch_related(
        "names",
        Prefetch("identifiers", queryset=PersonIdentifier.objects.select_related("issuer")),
        "addresses__council",
        "statuses__council",
        "enrolments__school",
        Prefetch("relationships", queryset=Relationship.objects.select_related("relative")),
        Prefetch("relationships_to", queryset=Relationship.objects.select_related("person")),
    )


def person_open(*, actor: Actor, person_id: uuid.UUID | str) -> PersonRecord:
    """One person's record for the actor, recording the read. NotFound both when absent and when not allowed."""
    try:
        pid = uuid.UUID(str(person_id))
    except ValueError as error:
        raise NotFound("No such person") from error
    reason = reason_to_see(actor, pid)
    if reason is None:
        raise NotFound("No such person")
    person = _person_with_details().get(pk=pid)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=pid,
            person_id=pid,
            reason=reason,
        )
    return PersonRecord(person=person, reason=reason, scope=policy.record_scope(actor))
