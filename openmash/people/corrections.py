"""Correcting a person's details (UK GDPR Art 16, rectification): their name, date of birth, current address
and national identifiers, with the value each had kept in the record's history (``PersonCorrection``).

Two steps, in the service shape: ``corrections_check`` collects every field error and works out what changes
(reads only); ``corrections_write`` writes them inside the caller's transaction, with the name search key and
the match index kept in step, and audits. Telling the agencies that received the old details is recording's
(recording/rectification.py): a "details corrected" event routed by ``sharing.routing.received_the_details``.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib.errors import InvalidInput
from openmash.lib.govuk import govuk_date
from openmash.lib.instants import EARLIEST_BIRTH
from openmash.lib.names import search_key
from openmash.organisations.postcodes import UnknownPostcode, council_for_postcode
from openmash.people.matching import index_people
from openmash.people.models import (
    Address,
    CorrectedDetail,
    IdentifierScheme,
    NameKind,
    Person,
    PersonCorrection,
    PersonIdentifier,
    PersonKind,
)
from openmash.people.planner import identifier_problem, postcode_normalise

_NAME_LONGEST = Person._meta.get_field("given_name").max_length or 0
_LINE_LONGEST = Address._meta.get_field("line_1").max_length or 0
_TOWN_LONGEST = Address._meta.get_field("town").max_length or 0
WHY_LONGEST = PersonCorrection._meta.get_field("why").max_length or 0


@dataclass(frozen=True)
class DetailsGiven:
    """The details as the corrector says they should be. ``None`` leaves a detail as it is; the address is
    given whole (line 1, town, postcode) or not at all."""

    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    nhs_number: str | None = None
    upn: str | None = None
    address_line_1: str | None = None
    address_town: str = ""
    address_postcode: str = ""


@dataclass(frozen=True)
class Change:
    detail: str  # a CorrectedDetail
    old: str  # in words, for the history and the recipients
    new: str
    # What is written: the value as stored (a date, a normalised identifier, the address's parts).
    value: Any = None

    @property
    def label(self) -> str:
        return CorrectedDetail(self.detail).label

    @property
    def sentence(self) -> str:
        """ "date of birth was 1 March 2015, now 3 March 2015" """
        return f"{self.label.lower()} was {self.old or 'not recorded'}, now {self.new or 'not recorded'}"


def _current_address(person: Person) -> Address | None:
    return person.addresses.filter(end_date__isnull=True).order_by("-start_date", "-pk").first()


def _identifier(person: Person, scheme: str) -> PersonIdentifier | None:
    return person.identifiers.filter(scheme=scheme, issuer__isnull=True).first()


def _check_name(
    name: str, value: str | None, current: str, changes: list[Change], errors: dict[str, str]
) -> None:
    if value is None or value.strip() == current:
        return
    value = value.strip()
    if not value:
        errors[name] = f"Enter the {CorrectedDetail(name).label.lower()}"
    elif len(value) > _NAME_LONGEST:
        errors[name] = f"Enter at most {_NAME_LONGEST} characters"
    else:
        changes.append(Change(name, current, value, value))


def _check_birth(person: Person, born: dt.date | None, changes: list[Change], errors: dict[str, str]) -> None:
    if born is None or born == person.date_of_birth:
        return
    if person.kind == PersonKind.UNBORN:
        # A birth is recorded, not corrected: it changes the child's clocks (meetings.changes.birth_record).
        errors["date_of_birth"] = "This child is not born yet: record the birth instead"
    elif born > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif born < EARLIEST_BIRTH:
        errors["date_of_birth"] = f"Date of birth must be on or after {govuk_date(EARLIEST_BIRTH)}"
    else:
        changes.append(
            Change(CorrectedDetail.DATE_OF_BIRTH, govuk_date(person.date_of_birth), govuk_date(born), born)
        )


def _check_identifier(
    person: Person, scheme: str, given: str | None, changes: list[Change], errors: dict[str, str]
) -> None:
    field = "nhs_number" if scheme == IdentifierScheme.NHS_NUMBER else "upn"
    if given is None:
        return
    value = "".join(given.split()).upper()
    held = _identifier(person, scheme)
    if value == (held.value if held else ""):
        return
    if not value:
        errors[field] = f"Enter the {IdentifierScheme(scheme).label}"
        return
    problem = identifier_problem(scheme, value)
    if problem:
        errors[field] = problem
        return
    elsewhere = PersonIdentifier.objects.filter(scheme=scheme, value=value, issuer__isnull=True).exclude(
        person=person
    )
    if elsewhere.exists():
        # Never say whose: knowing an identifier is no reason to see a record (docs/decisions/0012).
        errors[field] = (
            f"This {IdentifierScheme(scheme).label} is on another record: if it is the same person, ask for "
            "the records to be reviewed as possible duplicates"
        )
        return
    changes.append(Change(scheme, held.value if held else "", value, value))


def _check_address(
    person: Person, given: DetailsGiven, changes: list[Change], errors: dict[str, str]
) -> None:
    if given.address_line_1 is None:
        return
    line_1, town = given.address_line_1.strip(), given.address_town.strip()
    postcode = postcode_normalise(given.address_postcode)
    if not line_1:
        errors["address_line_1"] = "Enter the first line of the address"
    elif len(line_1) > _LINE_LONGEST:
        errors["address_line_1"] = f"Enter at most {_LINE_LONGEST} characters"
    if len(town) > _TOWN_LONGEST:
        errors["address_town"] = f"Enter at most {_TOWN_LONGEST} characters"
    council = None
    if not postcode:
        errors["address_postcode"] = "Enter the postcode"
    else:
        try:
            council = council_for_postcode(postcode)
        except UnknownPostcode as error:
            errors["address_postcode"] = str(error)
    if council is None or "address_line_1" in errors or "address_town" in errors:
        return
    held = _current_address(person)
    old = str(held) if held else ""
    new = ", ".join(part for part in (line_1, town, postcode) if part)
    if held is not None and (held.line_1, held.town, held.postcode) == (line_1, town, postcode):
        return
    changes.append(Change(CorrectedDetail.ADDRESS, old, new, (line_1, town, postcode, council)))


def corrections_check(person: Person, given: DetailsGiven, why: str) -> list[Change]:
    """What would change, each detail's old and new value in words; raises InvalidInput with every problem at
    once (the corrections themselves, and "nothing to correct"). Reads only."""
    errors: dict[str, str] = {}
    changes: list[Change] = []
    _check_name(CorrectedDetail.GIVEN_NAME, given.given_name, person.given_name, changes, errors)
    _check_name(CorrectedDetail.FAMILY_NAME, given.family_name, person.family_name, changes, errors)
    _check_birth(person, given.date_of_birth, changes, errors)
    _check_identifier(person, IdentifierScheme.NHS_NUMBER, given.nhs_number, changes, errors)
    _check_identifier(person, IdentifierScheme.UPN, given.upn, changes, errors)
    _check_address(person, given, changes, errors)
    if not why.strip():
        errors["why"] = "Say why the details are corrected and how you know (a birth certificate, say)"
    elif len(why.strip()) > WHY_LONGEST:
        errors["why"] = f"Enter at most {WHY_LONGEST} characters"
    if not changes and not errors:
        errors["given_name"] = "Change at least one detail: these are the details already on the record"
    if errors:
        raise InvalidInput(errors)
    return changes


def corrections_write(
    *, actor: Actor, person: Person, changes: list[Change], why: str, event_id: uuid.UUID | None
) -> list[PersonCorrection]:
    """Write the corrections (inside the caller's transaction), each kept with its old value; the legal
    name's search key and the match index follow the record, so search and matching find the person as
    corrected at once. Audited, with the details that changed named but not their values."""
    assert actor.organisation is not None
    now = timezone.now()
    fields: list[str] = []
    for change in changes:
        if change.detail in (CorrectedDetail.GIVEN_NAME, CorrectedDetail.FAMILY_NAME):
            setattr(person, change.detail, change.value)
            fields.append(change.detail)
        elif change.detail == CorrectedDetail.DATE_OF_BIRTH:
            person.date_of_birth = change.value
            fields.append("date_of_birth")
        elif change.detail in (CorrectedDetail.NHS_NUMBER, CorrectedDetail.UPN):
            PersonIdentifier.objects.update_or_create(
                person=person, scheme=change.detail, issuer=None, defaults={"value": change.value}
            )
        elif change.detail == CorrectedDetail.ADDRESS:
            line_1, town, postcode, council = change.value
            held = _current_address(person)
            if held is None:
                Address.objects.create(
                    person=person, line_1=line_1, town=town, postcode=postcode, council=council
                )
            else:
                # A correction, not a move: the wrong address was never where the person lived.
                held.line_1, held.line_2, held.town, held.postcode, held.council = (
                    line_1,
                    "",
                    town,
                    postcode,
                    council,
                )
                held.save(update_fields=["line_1", "line_2", "town", "postcode", "council"])
    if fields:
        person.save(update_fields=[*fields, "updated_at"])
    if {"given_name", "family_name"} & set(fields):
        # The key name search matches (the trigram index reads it), as recording a birth keeps it.
        person.names.update_or_create(
            kind=NameKind.LEGAL,
            defaults={
                "given_name": person.given_name,
                "family_name": person.family_name,
                "search_key": search_key(person.given_name, person.family_name),
            },
        )
    # The match index (openmash.matching) compares names, dates of birth and postcodes.
    index_people([person.pk])
    kept = PersonCorrection.objects.bulk_create(
        [
            PersonCorrection(
                person=person,
                detail=change.detail,
                old_value=change.old,
                new_value=change.new,
                why=why.strip(),
                corrected_at=now,
                corrected_by=actor.organisation,
                corrected_by_label=actor.label,
                event_id=event_id,
            )
            for change in changes
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        person_id=person.pk,
        reason="corrected the person's details",
        detail={"corrected": [change.detail for change in changes], "event": str(event_id or "")},
    )
    return kept
