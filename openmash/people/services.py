"""Writes of people and what identifies and locates them. Each is atomic and audited."""

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_record
from openmash.database import Insert, rows_insert
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.ids import new_id
from openmash.lib.instants import EARLIEST_BIRTH
from openmash.lib.names import search_key
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import (
    Address,
    ChildStatus,
    Ethnicity,
    IdentifierScheme,
    NameKind,
    Person,
    PersonIdentifier,
    PersonKind,
    PersonName,
    Relationship,
    RelationshipKind,
    Restriction,
    SchoolEnrolment,
    Sex,
)

# Identifiers a council or force issues itself: unique only together with their issuer.
_LOCAL_SCHEMES = (IdentifierScheme.COUNCIL_CHILD_ID, IdentifierScheme.POLICE_PERSON_ID)
_NAME_LENGTH = Person._meta.get_field("given_name").max_length or 0
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class IdentifierInput:
    scheme: str
    value: str
    issuer: Organisation | None = None


@dataclass(frozen=True)
class AddressInput:
    line_1: str
    postcode: str
    council: Organisation
    line_2: str = ""
    town: str = ""
    start_date: dt.date | None = None


def postcode_normalise(value: str) -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def identifier_problem(scheme: str, value: str) -> str | None:
    if scheme == IdentifierScheme.NHS_NUMBER:
        return identifiers.nhs_number_problem(value)
    if scheme == IdentifierScheme.UPN:
        return identifiers.upn_problem(value)
    if scheme in _LOCAL_SCHEMES:
        return None if identifiers.normalise(value) else "Enter the identifier"
    return "Choose a kind of identifier from the list"


# The choices as sets, made once: ``Choices.values`` builds a new list at every use.
_PERSON_KINDS = frozenset(PersonKind.values)
_SEXES = frozenset(Sex.values)
_ETHNICITIES = frozenset(Ethnicity.values)


def _check_person_fields(
    *,
    kind: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    expected_date_of_birth: dt.date | None,
    sex: str,
    ethnicity: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if kind not in _PERSON_KINDS:
        errors["kind"] = "Choose child, adult or unborn child"
    if kind != PersonKind.UNBORN and not (given_name.strip() or family_name.strip()):
        errors["family_name"] = "Enter the person's name"
    if kind == PersonKind.UNBORN:
        if expected_date_of_birth is None:
            errors["expected_date_of_birth"] = "Enter the expected date of birth of the unborn child"
        if date_of_birth is not None:
            errors["date_of_birth"] = (
                "An unborn child has no date of birth yet: give the expected date instead"
            )
    elif date_of_birth is not None and date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    if sex not in _SEXES:
        errors["sex"] = "Choose male, female or not known"
    if ethnicity not in _ETHNICITIES:
        errors["ethnicity"] = "Choose an ethnicity from the list"
    return errors


def _check_identifiers(actor: Actor, items: Sequence[IdentifierInput]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        problem = identifier_problem(item.scheme, item.value)
        if problem:
            errors[f"identifiers.{index}.value" if len(items) > 1 else item.scheme] = problem
            continue
        value = identifiers.normalise(item.value)
        issuer = _identifier_issuer(actor, item)
        holders = PersonIdentifier.objects.filter(scheme=item.scheme, value=value, issuer=issuer)
        if issuer is None:  # or kept as this organisation gave it before
            holders |= PersonIdentifier.objects.filter(
                scheme=item.scheme, value=value, issuer=actor.organisation
            )
        # Said only to an organisation that may see the record: to anyone else, whether an identifier is on
        # record is itself something a record holds (``identifiers_kept`` keeps theirs as given instead).
        if any(
            policy.reason_to_see(actor, holder) is not None
            for holder in holders.values_list("person_id", flat=True)
        ):
            errors[item.scheme] = (
                f"A person with this {IdentifierScheme(item.scheme).label} is already recorded: "
                "find them instead of recording them again"
            )
    return errors


def identifiers_kept(actor: Actor, items: Sequence[IdentifierInput]) -> list[IdentifierInput]:
    """The identifiers to store for a new person: a national one that already belongs to a record the actor
    may not see is kept as the actor gave it, unconfirmed (issued by the actor), not linked to that record
    and not refused (docs/decisions/0012)."""
    kept = []
    for item in items:
        if item.scheme not in _LOCAL_SCHEMES and item.issuer is None:
            value = identifiers.normalise(item.value)
            if PersonIdentifier.objects.filter(scheme=item.scheme, value=value, issuer=None).exists():
                item = IdentifierInput(scheme=item.scheme, value=item.value, issuer=actor.organisation)
        kept.append(item)
    return kept


def _identifier_issuer(actor: Actor, item: IdentifierInput) -> Organisation | None:
    """Who issued a stored identifier: the council or force for a local scheme; for a national one, nobody,
    unless it is kept as given (``identifiers_kept``)."""
    return (item.issuer or actor.organisation) if item.scheme in _LOCAL_SCHEMES else item.issuer


def _check_address(address: AddressInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not address.line_1.strip():
        errors["address_line_1"] = "Enter the first line of the address"
    if not POSTCODE.match(postcode_normalise(address.postcode)):
        errors["postcode"] = "Enter a full UK postcode, like TS18 1AA"
    if address.council.kind != OrganisationKind.COUNCIL:
        errors["council"] = "Choose the council whose area the address is in"
    return errors


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
    """Record a person. The recording organisation gets a reason to see them; nothing is saved on error."""
    if not policy.may_record_people(actor) or actor.organisation is None:
        raise NotAllowed("Only case-working roles may record people")
    errors = _check_person_fields(
        kind=kind,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        expected_date_of_birth=expected_date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
    )
    if restriction not in Restriction.values:
        errors["restriction"] = "Choose a restriction from the list"
    errors |= _check_identifiers(actor, identifiers_given)
    identifiers_given = identifiers_kept(actor, identifiers_given)
    if address is not None:
        errors |= _check_address(address)
    if school is not None and school.kind != OrganisationKind.SCHOOL:
        errors["school"] = "Choose a school"
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        person = Person.objects.create(
            kind=kind,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            expected_date_of_birth=expected_date_of_birth,
            sex=sex,
            ethnicity=ethnicity,
            restriction=restriction,
            recorded_by=actor.organisation,
        )
        PersonName.objects.create(
            person=person,
            given_name=person.given_name,
            family_name=person.family_name,
            kind=NameKind.LEGAL,
            search_key=search_key(person.given_name, person.family_name),
        )
        for alias_given, alias_family in aliases:
            PersonName.objects.create(
                person=person,
                given_name=alias_given,
                family_name=alias_family,
                kind=NameKind.ALIAS,
                search_key=search_key(alias_given, alias_family),
            )
        for item in identifiers_given:
            PersonIdentifier.objects.create(
                person=person,
                scheme=item.scheme,
                value=identifiers.normalise(item.value),
                issuer=_identifier_issuer(actor, item),
            )
        if address is not None:
            Address.objects.create(
                person=person,
                line_1=address.line_1.strip(),
                line_2=address.line_2.strip(),
                town=address.town.strip(),
                postcode=postcode_normalise(address.postcode),
                council=address.council,
                start_date=address.start_date,
            )
        if school is not None:
            SchoolEnrolment.objects.create(person=person, school=school, start_date=timezone.localdate())
        AccessReason.objects.create(
            organisation=actor.organisation,
            person=person,
            kind=ReasonKind.RECORDED_PERSON,
            covers_restricted=bool(restriction),
            granted_by=actor.label,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            reason="recorded this person",
            detail={"kind": kind, "identifiers": [item.scheme for item in identifiers_given]},
        )
        return person


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
    if not policy.may_record_birth(actor, person.pk):
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
                defaults={"given_name": person.given_name, "family_name": person.family_name},
            )
        person.save(update_fields=["kind", "date_of_birth", "given_name", "family_name", "updated_at"])
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


@dataclass(frozen=True)
class NewPerson:
    """A person to record with ``people_planned``: who they are and what identifies them."""

    kind: str = PersonKind.CHILD
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    identifiers_given: Sequence[IdentifierInput] = ()


@dataclass(frozen=True)
class PlannedPeople:
    person_ids: list[uuid.UUID]  # in the order given
    inserts: list[Insert]
    audit: list[tuple[Actor, AuditInput]]


_PERSON_COLUMNS = (
    "id",
    "kind",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "restriction",
    "given_name",
    "family_name",
    "recorded_by_id",
    "created_at",
    "updated_at",
)


def people_planned(recorded: Sequence[tuple[Actor, NewPerson]]) -> PlannedPeople:
    """Check new people and prepare their rows (the person, their legal name, identifiers) and audit entries,
    writing nothing: for a caller that writes them under its own lock. The caller grants the recorder its
    reason to see them (recording an event does, naming the event: events.services._access)."""
    errors: dict[str, str] = {}
    for actor, given in recorded:
        if not policy.may_record_people(actor) or actor.organisation is None:
            raise NotAllowed("Only case-working roles may record people")
        errors |= _check_person_fields(
            kind=given.kind,
            given_name=given.given_name,
            family_name=given.family_name,
            date_of_birth=given.date_of_birth,
            expected_date_of_birth=None,
            sex=Sex.UNKNOWN,
            ethnicity=Ethnicity.NOBT,
        )
        errors |= _check_identifiers(actor, given.identifiers_given)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    person_ids = [new_id() for _ in recorded]
    names = [(given.given_name.strip(), given.family_name.strip()) for _actor, given in recorded]
    identifier_rows = [
        (
            person_id,
            item.scheme,
            identifiers.normalise(item.value),
            issuer.pk if (issuer := _identifier_issuer(actor, item)) is not None else None,
        )
        for person_id, (actor, given) in zip(person_ids, recorded, strict=True)
        for item in given.identifiers_given
    ]
    inserts = [
        rows_insert(
            Person,
            _PERSON_COLUMNS,
            [
                (
                    person_id,
                    given.kind,
                    given.date_of_birth,
                    None,
                    Sex.UNKNOWN,
                    Ethnicity.NOBT,
                    Restriction.NONE,
                    given_name,
                    family_name,
                    actor.organisation.pk,  # type: ignore[union-attr]  # checked above
                    now,
                    now,
                )
                for person_id, (actor, given), (given_name, family_name) in zip(
                    person_ids, recorded, names, strict=True
                )
            ],
        ),
        rows_insert(
            PersonName,
            ("person_id", "given_name", "family_name", "kind", "search_key"),
            [
                (person_id, given_name, family_name, NameKind.LEGAL, search_key(given_name, family_name))
                for person_id, (given_name, family_name) in zip(person_ids, names, strict=True)
            ],
        ),
        rows_insert(PersonIdentifier, ("person_id", "scheme", "value", "issuer_id"), identifier_rows),
    ]
    audit = [
        (
            actor,
            AuditInput(
                action=AuditAction.CREATE,
                object_type="person",
                object_id=person_id,
                person_id=person_id,
                reason="recorded this person",
                detail={"kind": given.kind, "identifiers": [item.scheme for item in given.identifiers_given]},
            ),
        )
        for person_id, (actor, given) in zip(person_ids, recorded, strict=True)
    ]
    return PlannedPeople(person_ids=person_ids, inserts=inserts, audit=audit)


def relationship_record(*, actor: Actor, person: Person, relative: Person, kind: str) -> Relationship:
    if kind not in RelationshipKind.values:
        raise InvalidInput(
            {"kind": "Choose parent, parent's partner, carer, other relative, sibling or household member"}
        )
    if person.pk == relative.pk:
        raise InvalidInput({"relative": "A person cannot be related to themselves"})
    for someone in (person, relative):
        if policy.reason_to_see(actor, someone.pk) is None:
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
    # For an adult: what they are to the children at the incident (a RelationshipKind; household member when
    # not said).
    relationship: str = ""
    # Whether the person has an address on record that is current on the incident's day.
    has_current_address: bool = False


@dataclass(frozen=True)
class PlannedHousehold:
    inserts: list[Insert]
    audit: list[tuple[Actor, AuditInput]]


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
    adults are linked as a household: each adult to each child by the relationship given, the children to
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
    pairs = [(adult.person_id, child.person_id, adult.relationship) for adult in adults for child in children]
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
    )
