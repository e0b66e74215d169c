"""Recording an event: validate everything, then in one transaction write the event, the people it is about,
one share per recipient organisation with its deadline, the deliveries that will carry them, the access
reasons that follow, and the audit entries. Nothing is half-saved; a failure anywhere saves nothing.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason, ReasonKind
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import AuditInput, audit_record_many
from openmash.clocks import starts as clock_starts
from openmash.database import sqlite_write_gate
from openmash.events.models import Event, EventKind, EventSubject, RiskLevel, Source, SubjectRole
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import instant_problem, is_future
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.postcodes import UnknownPostcode, council_for_postcode
from openmash.people.models import IdentifierScheme, Person, PersonIdentifier, PersonKind, SchoolEnrolment
from openmash.people.services import (
    IdentifierInput,
    NewPerson,
    people_create,
    people_known_new,
    postcode_normalise,
)
from openmash.sharing import routing
from openmash.sharing.deadlines import deadline_for
from openmash.sharing.delivery import deliveries_for, wake_workers
from openmash.sharing.models import Route, Share

# Fields a child or adult may carry in an event, beyond who they are.
SUBJECT_DETAIL_FIELDS = ("present", "saw_heard", "child_words", "home_educated", "school_urn")


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
    # Only for records imported from elsewhere: when it really reached the recipients.
    shared_at: dt.datetime | None = None


@dataclass(frozen=True)
class RecordedEvent:
    event: Event
    shares: list[Share]


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
    if data.reported_at is not None and data.reported_at < data.occurred_at:
        errors["reported_at"] = "When it was reported must be the same as or after when it happened"
    if data.reported_at is not None and is_future(data.reported_at, now):
        errors["reported_at"] = "When it was reported must be in the past"
    if data.shared_at is not None and data.shared_at < (data.reported_at or data.occurred_at):
        errors["shared_at"] = "When it was shared must be after it was reported"


def _check_person(index: int, person: PersonInput, kind: str, errors: dict[str, str]) -> None:
    where = f"children.{index}" if person.role == SubjectRole.CHILD else f"adults.{index}"
    if person.person_id is not None:
        return
    if not (person.given_name.strip() and person.family_name.strip()):
        errors[f"{where}.family_name"] = "Enter the person's first and last name"
    if person.role == SubjectRole.CHILD and person.date_of_birth is None and kind == EventKind.DOMESTIC_ABUSE:
        errors[f"{where}.date_of_birth"] = "Enter the child's date of birth (it decides Operation Encompass)"
    if person.date_of_birth is not None and person.date_of_birth > timezone.localdate():
        errors[f"{where}.date_of_birth"] = "Date of birth must be in the past"
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
    }
)


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


def _resolve_person(actor: Actor, person: PersonInput, index: int, errors: dict[str, str]) -> Person | None:
    if person.person_id is not None:
        if policy.reason_to_see(actor, person.person_id) is None:
            errors[f"people.{index}.person_id"] = "No such person, or your organisation may not see them"
            return None
        return Person.objects.get(pk=person.person_id)
    for scheme, value in (
        (IdentifierScheme.NHS_NUMBER, person.nhs_number),
        (IdentifierScheme.UPN, person.upn),
    ):
        if value:
            found = PersonIdentifier.objects.filter(
                scheme=scheme, value=identifiers.normalise(value), issuer=None
            ).first()
            if found is not None:
                return found.person
    return None


def event_record(*, actor: Actor, data: EventInput) -> RecordedEvent:
    """Record an event once and share it with every organisation that must know, in one transaction."""
    if actor.organisation is None or not policy.works_cases(actor):
        raise NotAllowed("Only case-working roles record events")
    allowed = RECORDERS.get(data.kind)
    if allowed is not None and actor.organisation.kind not in allowed:
        raise NotAllowed(f"{actor.organisation.name} cannot record a {EventKind(data.kind).label.lower()}")
    errors: dict[str, str] = {}
    _check_times(data, errors)
    _check_kind(data, errors)
    for index, person in enumerate(data.people):
        _check_person(index, person, data.kind, errors)
    related = None
    if data.related_event_id is not None:
        related = Event.objects.filter(pk=data.related_event_id, kind=EventKind.MISSING).first()
        if related is None or not policy.may_see_event(actor, related):
            errors["missing_report"] = "No such missing report, or your organisation may not see it"
    council = _place_council(data, errors)
    if errors:
        raise InvalidInput(errors)
    # SQLite: queue for the one write lock here, after the checks above (decision 0008).
    with sqlite_write_gate(), transaction.atomic():
        now = timezone.now()
        audit_entries: list[AuditInput] = []  # appended last, in one go: the chain head is locked briefly
        subjects_people = _people(actor, data, errors, audit_entries)
        if errors:
            raise InvalidInput(errors)
        assert data.occurred_at is not None  # checked above
        event = Event.objects.create(
            kind=data.kind,
            reference=data.reference.strip(),
            recorded_by=actor.organisation,
            recorded_by_user=actor.user,
            recorded_by_label=actor.label,
            occurred_at=data.occurred_at,
            reported_at=data.reported_at,
            recorded_at=now,
            location=data.location.strip(),
            postcode=postcode_normalise(data.postcode) if data.postcode else "",
            council=council,
            risk_level=data.risk_level,
            summary=data.summary.strip(),
            details=data.details,
            related_event=related,
            source=data.source,
        )
        subjects = EventSubject.objects.bulk_create(
            EventSubject(event=event, person=person, role=given.role, details=_subject_details(given))
            for given, person in subjects_people
        )
        for subject, (_given, subject_person) in zip(subjects, subjects_people, strict=True):
            subject.person = subject_person
        shares = _share(event, subjects, data, now)
        _grant_access(actor, event, subjects, shares)
        clock_starts.start_for_event(event, subjects, shares)
        reason = f"recorded {event.get_kind_display().lower()} {event.reference}".strip()
        detail = {"kind": event.kind, "shared_with": [share.recipient.code for share in shares]}
        audit_record_many(
            actor=actor,
            entries=audit_entries
            + [
                AuditInput(
                    action=AuditAction.CREATE,
                    object_type="event",
                    object_id=event.pk,
                    person_id=subject.person.pk,
                    reason=reason,
                    detail=detail,
                )
                for subject in subjects
            ],
        )
        transaction.on_commit(wake_workers)
    return RecordedEvent(event=event, shares=shares)


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


def _people(
    actor: Actor, data: EventInput, errors: dict[str, str], audit_later: list[AuditInput]
) -> list[tuple[PersonInput, Person]]:
    """Match each person to an existing record by id, NHS number or UPN, or record them new (all at once)."""
    found = [_resolve_person(actor, given, index, errors) for index, given in enumerate(data.people)]
    new_at: list[int] = []
    new_identifiers: set[tuple[str, str]] = set()
    for index, (given, person) in enumerate(zip(data.people, found, strict=True)):
        if person is not None or given.person_id is not None:
            continue
        keys = {(item.scheme, identifiers.normalise(item.value)) for item in _identifiers_of(given)}
        if keys & new_identifiers:
            errors[f"people.{index}"] = "The same person is named twice"
            continue
        new_identifiers |= keys
        new_at.append(index)
    created = (
        people_create(
            actor=actor,
            people=[
                NewPerson(
                    kind=PersonKind.CHILD
                    if data.people[index].role == SubjectRole.CHILD
                    else PersonKind.ADULT,
                    given_name=data.people[index].given_name,
                    family_name=data.people[index].family_name,
                    date_of_birth=data.people[index].date_of_birth,
                    identifiers_given=_identifiers_of(data.people[index]),
                )
                for index in new_at
            ],
            audit_later=audit_later,
        )
        if new_at
        else []
    )
    for index, person in zip(new_at, created, strict=True):
        found[index] = person
    urns = {str(given.details.get("school_urn", "")).strip() for given in data.people} - {""}
    schools = (
        {
            school.code: school
            for school in Organisation.objects.filter(
                code__in=[f"URN-{urn}" for urn in urns], kind=OrganisationKind.SCHOOL
            )
        }
        if urns
        else {}
    )
    new_ids = {person.pk for person in created}
    enrolments: list[SchoolEnrolment] = []
    resolved: list[tuple[PersonInput, Person]] = []
    for index, (given, person) in enumerate(zip(data.people, found, strict=True)):
        if person is None:
            continue
        school = schools.get(f"URN-{str(given.details.get('school_urn', '')).strip()}")
        if school is not None and (
            person.pk in new_ids
            or not person.enrolments.filter(school=school, end_date__isnull=True).exists()
        ):
            enrolments.append(SchoolEnrolment(person=person, school=school, start_date=timezone.localdate()))
        if any(person.pk == other.pk for _g, other in resolved):
            errors[f"people.{index}"] = "The same person is named twice"
            continue
        resolved.append((given, person))
    SchoolEnrolment.objects.bulk_create(enrolments)
    people_known_new(created, enrolments)  # routing needs not read back what was just written
    return resolved


def _share(event: Event, subjects: list[EventSubject], data: EventInput, now: dt.datetime) -> list[Share]:
    routing.prefetch_for_routing([subject.person for subject in subjects])
    start = event.reported_at or event.occurred_at

    def deadline(rule: str, organisation: Organisation) -> dt.datetime | None:
        return deadline_for(rule, start, organisation)

    recipients = routing.recipients_for(
        event, subjects, deadline, added=data.added_recipients, added_route=data.added_route
    )
    shared_at = data.shared_at or now
    shares = Share.objects.bulk_create(
        Share(
            event=event,
            recipient=recipient.organisation,
            route=recipient.route,
            content=recipient.content,
            named_recipient_id=recipient.named_recipient_id,
            clock_rule=recipient.clock_rule,
            occurred_at=event.occurred_at,
            reported_at=event.reported_at,
            recorded_at=event.recorded_at,
            shared_at=shared_at,
            due_at=deadline(recipient.clock_rule, recipient.organisation),
        )
        for recipient in recipients
    )
    through = Share.people.through
    through.objects.bulk_create(
        through(share_id=share.pk, person_id=person.pk)
        for share, recipient in zip(shares, recipients, strict=True)
        for person in recipient.people
    )
    for share, recipient in zip(shares, recipients, strict=True):
        share.recipient = recipient.organisation
        share.subject_people = list(recipient.people)  # type: ignore[attr-defined]
    deliveries_for(shares, now)
    return shares


def _grant_access(actor: Actor, event: Event, subjects: list[EventSubject], shares: list[Share]) -> None:
    assert actor.organisation is not None
    detail = f"{event.get_kind_display()} {event.reference}".strip()
    reasons = [
        AccessReason(
            organisation=actor.organisation,
            person=subject.person,
            kind=ReasonKind.RECORDED_EVENT,
            detail=detail,
            granted_by=actor.label,
        )
        for subject in subjects
    ]
    reasons += [
        AccessReason(
            organisation=share.recipient,
            person=person,
            kind=ReasonKind.RECEIVED_SHARE,
            detail=detail,
            granted_by=actor.label,
        )
        for share in shares
        for person in share.subject_people  # type: ignore[attr-defined]
    ]
    AccessReason.objects.bulk_create(reasons)
