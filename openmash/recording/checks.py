"""Checking an event before it is recorded: what it says (times, people, what its kind needs, where it
happened) and whether the recorder may record it. Every bad field is collected and raised at once
(``InvalidInput``); nothing is read under a lock and nothing is written. The first step of recording
(recording/services.py)."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import RULE_ROLE, Actor
from openmash.events.models import Event, EventKind, RiskLevel, Source, SubjectRole
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import EARLIEST_BIRTH, EARLIEST_EVENT, LONDON, instant_problem, is_future
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.postcodes import UnknownPostcode, council_for_postcode
from openmash.people.models import Person, RelationshipKind
from openmash.sharing.models import Route

# Fields a child or adult may carry in an event, beyond who they are.
SUBJECT_DETAIL_FIELDS = (
    "present",
    "saw_heard",
    "child_words",
    "home_educated",
    "school_urn",
    "harm_role",
    "relationship",
    "relationships",
)
# An adult at a domestic abuse incident: their part in it, and what they are to the children there: to each
# child (``relationships``: ``[{"child": 0, "relationship": "parent"}, ...]``, ``child`` the child's place
# among the event's children, from 0), or the same to every child (``relationship``, the older form, which
# also covers any child ``relationships`` leaves out).
HARM_ROLES = ("victim", "person-causing-harm", "other")
ADULT_RELATIONSHIPS = tuple(RelationshipKind.values)
# Asked of every event (an import's every row): Django works out an enumeration's values afresh each time.
RISK_LEVELS = frozenset(RiskLevel.values)


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
    # The recorder's own reason for telling a recipient after its sender's clock ran out (clocks.deadlines:
    # police to the council within ``da-notification``), kept on that clock for its managers. Asked (a string,
    # required when a notice will be late) by the web's incident form and the API; None where nobody is asked
    # (an import of history, an app's own step), and then a late notice keeps the stock words
    # (clocks.services.LATE_WITHOUT_REASON).
    late_reason: str | None = None


# Which kinds each kind of organisation may record. Police record incidents and police protection;
# councils and carers report missing children; anyone may refer or share information.
RECORDERS: dict[str, set[str]] = {
    EventKind.DOMESTIC_ABUSE: {OrganisationKind.POLICE},
    EventKind.POLICE_PROTECTION: {OrganisationKind.POLICE},
    EventKind.MISSING: {OrganisationKind.POLICE, OrganisationKind.COUNCIL, OrganisationKind.OTHER},
    EventKind.FOUND: {OrganisationKind.POLICE, OrganisationKind.COUNCIL, OrganisationKind.OTHER},
}

# Kinds only the service raises, by one of the area's rules (accounts.actors.RULE_ROLE); no agency records them.
RAISED_BY_A_RULE = frozenset({EventKind.CONCERNS_TOGETHER})


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
    _check_relationships(where, person, data, errors)
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


def _check_relationships(where: str, person: PersonInput, data: EventInput, errors: dict[str, str]) -> None:
    """An adult's relationship to each child: every entry names a child of this event once, with a kind."""
    given = person.details.get("relationships")
    if given in (None, [], ()):
        return
    if person.role != SubjectRole.ADULT:
        errors[f"{where}.relationships"] = "Only an adult has a relationship to the children"
        return
    if not isinstance(given, list | tuple):
        errors[f"{where}.relationships"] = "Give a list of the children and what this adult is to each"
        return
    children = sum(1 for someone in data.people if someone.role == SubjectRole.CHILD)
    seen: set[int] = set()
    for number, entry in enumerate(given):
        at = f"{where}.relationships.{number}"
        child = entry.get("child") if isinstance(entry, dict) else None
        if isinstance(child, bool) or not isinstance(child, int) or not 0 <= child < children:
            errors[f"{at}.child"] = (
                f"Choose a child of this incident: a number from 0 to {children - 1}"
                if children
                else "There are no children to relate this adult to"
            )
        elif child in seen:
            errors[f"{at}.child"] = "Give each child once"
        else:
            seen.add(child)
        kind = entry.get("relationship") if isinstance(entry, dict) else None
        if kind not in ADULT_RELATIONSHIPS:
            errors[f"{at}.relationship"] = "Choose what this adult is to the child"


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
        EventKind.CONCERNS_TOGETHER,
        # Checked by recording.rectification (the correction itself) before the event is recorded.
        EventKind.DETAILS_CORRECTED,
    }
)


def _longest(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


# A reason for a late notice is a few sentences for a manager to read, not a report.
LATE_REASON_LONGEST = 2000


def _check_lengths(data: EventInput, errors: dict[str, str]) -> None:
    """Text longer than its column is refused here, on every database (PostgreSQL would refuse it on
    writing; SQLite would keep it)."""
    if data.late_reason is not None and len(data.late_reason) > LATE_REASON_LONGEST:
        errors["late_reason"] = f"Enter at most {LATE_REASON_LONGEST} characters"
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
        if data.risk_level not in RISK_LEVELS:
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


def event_check(*, actor: Actor, data: EventInput) -> CheckedEvent:
    """Check everything about an event that can be checked before its transaction. Raises NotAllowed or
    InvalidInput (every bad field at once); writes nothing."""
    related = None
    if data.related_event_id is not None:
        related = Event.objects.filter(pk=data.related_event_id, kind=EventKind.MISSING).first()
    return _checked(actor, data, related)


def events_check_many(*, actor: Actor, inputs: Sequence[EventInput]) -> list[CheckedEvent]:
    """``event_check`` for many events of one recorder (an import's chunk), the reports they follow read in
    one query. Raises at the first event with a problem."""
    related = Event.objects.filter(kind=EventKind.MISSING).in_bulk(
        {data.related_event_id for data in inputs if data.related_event_id is not None}
    )
    return [
        _checked(actor, data, related.get(data.related_event_id) if data.related_event_id else None)
        for data in inputs
    ]


def _checked(actor: Actor, data: EventInput, related: Event | None) -> CheckedEvent:
    """``related``: the missing report ``data.related_event_id`` names, if there is one."""
    if actor.organisation is None or not policy.works_cases(actor):
        raise NotAllowed("Only case-working roles record events")
    if data.kind in RAISED_BY_A_RULE and not actor.has_role(RULE_ROLE):
        raise NotAllowed(f"{EventKind(data.kind).label} are raised by OpenMASH, not recorded")
    allowed = RECORDERS.get(data.kind)
    if allowed is not None and actor.organisation.kind not in allowed:
        raise NotAllowed(f"{actor.organisation.name} cannot record a {EventKind(data.kind).label.lower()}")
    errors: dict[str, str] = {}
    _check_times(data, errors)
    _check_lengths(data, errors)
    _check_kind(data, errors)
    for index, person in enumerate(data.people):
        _check_person(index, person, data, errors)
    if data.related_event_id is not None and (related is None or not policy.may_see_event(actor, related)):
        errors["missing_report"] = "No such missing report, or your organisation may not see it"
        related = None
    council = _place_council(data, errors)
    if errors:
        raise InvalidInput(errors)
    return CheckedEvent(actor=actor, data=data, council=council, related=related)
