"""The person planner: checks a new person and makes their rows (the person, names, identifiers with who
issued each, an address, a school enrolment) and audit entry, writing nothing. One planner for every way a
person is recorded: the "Record a child" form (``services.person_create``), events recorded on the web and
through the API, and imports (``recording.people``), and next, matching. The caller writes the rows under its
own lock and grants the recorder its reason to see the person."""

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput
from openmash.database import Insert, rows_insert
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.ids import new_id
from openmash.lib.names import search_key
from openmash.matching.features import MatchRecord, match_record
from openmash.matching.models import MatchKey, MatchProfile
from openmash.matching.services import index_rows
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import (
    Address,
    Ethnicity,
    IdentifierScheme,
    NameKind,
    Person,
    PersonIdentifier,
    PersonKind,
    PersonName,
    Restriction,
    SchoolEnrolment,
    Sex,
)
from openmash.people.selectors import reason_to_see

# Identifiers a council or force issues itself: unique only together with their issuer.
_LOCAL_SCHEMES = (IdentifierScheme.COUNCIL_CHILD_ID, IdentifierScheme.POLICE_PERSON_ID)
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
_RESTRICTIONS = frozenset(Restriction.values)


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
            reason_to_see(actor, holder) is not None for holder in holders.values_list("person_id", flat=True)
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


@dataclass(frozen=True)
class NewPerson:
    """A person to record: who they are, what identifies them, and (from the form) where they live and go to
    school. The one description the person planner (``people_planned``) works from, whether the person comes
    from the "Record a child" form, an event recorded on the web or through the API, or an import."""

    kind: str = PersonKind.CHILD
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    identifiers_given: Sequence[IdentifierInput] = ()
    expected_date_of_birth: dt.date | None = None
    sex: str = Sex.UNKNOWN
    ethnicity: str = Ethnicity.NOBT
    restriction: str = Restriction.NONE
    aliases: Sequence[tuple[str, str]] = ()
    address: AddressInput | None = None
    school: Organisation | None = None
    # The postcode of an address the caller writes for the person beside these rows (a household incident's
    # address: people.services.household_planned), so the match index finds them there at once.
    postcode_given_by_event: str = ""
    # The person as the matcher saw them at intake (recording.people), when that is how the match index keeps
    # them: not worked out a second time. It must be what ``_match_index`` would make of the fields above.
    match_record: MatchRecord | None = None


@dataclass(frozen=True)
class PlannedPeople:
    person_ids: list[uuid.UUID]  # in the order given
    inserts: list[Insert]
    audit: list[tuple[Actor, AuditInput]]


def check_may_record(actor: Actor) -> None:
    if not policy.may_record_people(actor) or actor.organisation is None:
        raise NotAllowed("Only case-working roles may record people")


def problems(actor: Actor, given: NewPerson) -> dict[str, str]:
    """Every field error of one new person, by field."""
    errors = _check_person_fields(
        kind=given.kind,
        given_name=given.given_name,
        family_name=given.family_name,
        date_of_birth=given.date_of_birth,
        expected_date_of_birth=given.expected_date_of_birth,
        sex=given.sex,
        ethnicity=given.ethnicity,
    )
    if given.restriction not in _RESTRICTIONS:
        errors["restriction"] = "Choose a restriction from the list"
    errors |= _check_identifiers(actor, given.identifiers_given)
    if given.address is not None:
        errors |= _check_address(given.address)
    if given.school is not None and given.school.kind != OrganisationKind.SCHOOL:
        errors["school"] = "Choose a school"
    return errors


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
    """Check new people and plan their rows and audit entries, writing nothing: for a caller that writes them
    under its own lock. The caller grants the recorder its reason to see them (recording an event does, naming
    the event: recording.services._access)."""
    errors: dict[str, str] = {}
    for actor, given in recorded:
        check_may_record(actor)
        errors |= problems(actor, given)
    if errors:
        raise InvalidInput(errors)
    return planned(recorded)


def planned(recorded: Sequence[tuple[Actor, NewPerson]]) -> PlannedPeople:
    """The person planner: each checked new person's rows (the person, their legal name and aliases, their
    identifiers with who issued each, an address, a school enrolment) and audit entry. The one place a
    person's rows are made."""
    now = timezone.now()
    person_ids = [new_id() for _ in recorded]
    people = list(zip(person_ids, recorded, strict=True))
    names = [(given.given_name.strip(), given.family_name.strip()) for _actor, given in recorded]
    inserts = [
        rows_insert(
            Person,
            _PERSON_COLUMNS,
            [
                (
                    person_id,
                    given.kind,
                    given.date_of_birth,
                    given.expected_date_of_birth,
                    given.sex,
                    given.ethnicity,
                    given.restriction,
                    given_name,
                    family_name,
                    actor.organisation.pk,  # type: ignore[union-attr]  # checked: may record people
                    now,
                    now,
                )
                for (person_id, (actor, given)), (given_name, family_name) in zip(people, names, strict=True)
            ],
        ),
        rows_insert(
            PersonName,
            ("person_id", "given_name", "family_name", "kind", "search_key"),
            [
                (person_id, given_name, family_name, NameKind.LEGAL, search_key(given_name, family_name))
                for person_id, (given_name, family_name) in zip(person_ids, names, strict=True)
            ]
            + [
                (
                    person_id,
                    alias_given,
                    alias_family,
                    NameKind.ALIAS,
                    search_key(alias_given, alias_family),
                )
                for person_id, (_actor, given) in people
                for alias_given, alias_family in given.aliases
            ],
        ),
        rows_insert(
            PersonIdentifier,
            ("person_id", "scheme", "value", "issuer_id"),
            [
                (
                    person_id,
                    item.scheme,
                    identifiers.normalise(item.value),
                    issuer.pk if (issuer := _identifier_issuer(actor, item)) is not None else None,
                )
                for person_id, (actor, given) in people
                for item in given.identifiers_given
            ],
        ),
    ]
    addresses = [
        (person_id, given.address) for person_id, (_actor, given) in people if given.address is not None
    ]
    if addresses:
        inserts.append(
            rows_insert(
                Address,
                ("person_id", "line_1", "line_2", "town", "postcode", "council_id", "start_date", "end_date"),
                [
                    (
                        person_id,
                        address.line_1.strip(),
                        address.line_2.strip(),
                        address.town.strip(),
                        postcode_normalise(address.postcode),
                        address.council.pk,
                        address.start_date,
                        None,
                    )
                    for person_id, address in addresses
                ],
            )
        )
    schools = [(person_id, given.school) for person_id, (_actor, given) in people if given.school is not None]
    if schools:
        inserts.append(
            rows_insert(
                SchoolEnrolment,
                ("person_id", "school_id", "start_date", "end_date"),
                [(person_id, school.pk, timezone.localdate(now), None) for person_id, school in schools],
            )
        )
    inserts += _match_index(people)
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
        for person_id, (actor, given) in people
    ]
    return PlannedPeople(person_ids=person_ids, inserts=inserts, audit=audit)


def _match_index(people: Sequence[tuple[uuid.UUID, tuple[Actor, NewPerson]]]) -> list[Insert]:
    """The new people's match index rows (matching.services.index_rows), written with them: a person recorded
    now is a candidate for the next event at once (docs/decisions/0014). Derived from what the rows above
    hold, as ``openmash matching index`` would rebuild them."""
    profiles, keys = index_rows(
        (
            person_id,
            given.match_record
            or match_record(
                given.given_name,
                given.family_name,
                given.date_of_birth,
                given.sex,
                [
                    postcode
                    for postcode in (
                        given.address.postcode if given.address else "",
                        given.postcode_given_by_event,
                    )
                    if postcode
                ],
            ),
        )
        for person_id, (_actor, given) in people
    )
    return [
        rows_insert(MatchProfile, ("person_id", "features"), profiles),
        rows_insert(MatchKey, ("person_id", "key"), keys),
    ]
