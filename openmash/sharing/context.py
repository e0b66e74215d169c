"""What the person deciding on a share knows of each child on it: the context at the decision point.

For each child the reader may see: age, current statuses (with councils, police protection, an open section 47
enquiry, missing now), the events about the child and their household in the last 12 months that the
reader's organisation may see (every agency's, through ``sharing.selectors.visible_events``), domestic abuse incidents
counted with their dates and risk levels (so "the third call-out this week" is a fact on the page, not only
in an officer's words), earlier decisions with their reasons, the allocated social worker, and the siblings
and adults in the household. What is shown follows ``policy.record_scope``: a school sees only what Operation
Encompass gives it (the child, its age, its own notices), never statuses, household or other agencies' work.
Nothing here is shown that the reader's own record page or chronology would not show it.
"""

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventKind, RiskLevel, Source
from openmash.lib.govuk import govuk_age, govuk_datetime
from openmash.people.models import ChildStatus, Person, PersonKind, Relationship
from openmash.people.selectors import visible_people
from openmash.sharing.models import Decision, Share
from openmash.sharing.selectors import visible_events

LOOK_BACK = dt.timedelta(days=365)
THIS_WEEK = dt.timedelta(days=7)
# Police protection lasts at most 72 hours (Children Act 1989 s46(6)).
POLICE_PROTECTION_LIMIT = dt.timedelta(hours=72)
# Meeting kinds, by their stored values (meetings sit above sharing: their rows are reached through the child).
STRATEGY_DISCUSSION = "strategy-discussion"
INITIAL_CONFERENCE = "initial-conference"


@dataclass(frozen=True)
class PastEvent:
    event_id: uuid.UUID
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    agency: str
    reference: str
    risk_level: str
    about: str  # whom it was about, when not (only) this child: a sibling or adult of the household
    is_this: bool


@dataclass(frozen=True)
class DomesticAbuseCount:
    """Domestic abuse incidents about the child or the household, this one included."""

    in_last_12_months: int
    in_last_7_days: int
    # This incident's place among those of the 7 days before it (3: "the third"), or 0 if this is not one.
    this_is_number: int
    incidents: list[PastEvent]

    @property
    def sentence(self) -> str:
        ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
        if self.this_is_number:
            nth = ordinal.get(self.this_is_number, f"{self.this_is_number}th")
            return (
                f"This is the {nth} domestic abuse incident in 7 days "
                f"({self.in_last_12_months} in the last 12 months)"
            )
        return f"{self.in_last_12_months} domestic abuse incidents in the last 12 months"


@dataclass(frozen=True)
class PastDecision:
    decided_at: dt.datetime
    kind_label: str
    reference: str
    decided_by: str
    decision: str
    reasons: str


@dataclass(frozen=True)
class HouseholdMember:
    person_id: uuid.UUID
    name: str
    relationship: str
    age: str
    is_child: bool
    # A link only where the reader may open the record (naming the person is the record page's own rule).
    record_url: str


@dataclass(frozen=True)
class ChildContext:
    person_id: uuid.UUID
    name: str
    date_of_birth: dt.date | None
    age: str
    scope: str
    record_url: str
    chronology_url: str
    statuses: list[str] = field(default_factory=list)
    allocated_worker: str = ""
    events: list[PastEvent] = field(default_factory=list)
    domestic_abuse: DomesticAbuseCount | None = None
    decisions: list[PastDecision] = field(default_factory=list)
    siblings: list[HouseholdMember] = field(default_factory=list)
    adults: list[HouseholdMember] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.domestic_abuse is not None:
            data["domestic_abuse"]["sentence"] = self.domestic_abuse.sentence
        return _json(data)


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    return value


def _relationship_words(relationship: Relationship, child_id: uuid.UUID) -> tuple[uuid.UUID, str]:
    """The other person, and what they are to the child."""
    if relationship.relative_id == child_id:
        return relationship.person_id, str(relationship.get_kind_display())
    words = {
        "parent": "Their child",
        "carer": "Cared for by them",
        "parent-partner": "Their partner's child",
        "sibling": "Sibling",
    }
    return relationship.relative_id, words.get(relationship.kind, str(relationship.get_kind_display()))


def _household(
    actor: Actor, child: Person, share: Share
) -> tuple[list[HouseholdMember], list[HouseholdMember]]:
    related = Relationship.objects.filter(
        Q(relative=child) | Q(person=child), Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())
    )
    words: dict[uuid.UUID, list[str]] = {}
    for relationship in related:
        other, what = _relationship_words(relationship, child.pk)
        words.setdefault(other, []).append(what)
    # The other people the reader is told of on this share are the household at this incident.
    for person in share.people.all():
        if person.pk != child.pk:
            words.setdefault(person.pk, ["At this incident"])
    people = Person.objects.in_bulk(list(words))
    visible = set(visible_people(actor).filter(pk__in=list(words)).values_list("pk", flat=True))
    members = [
        HouseholdMember(
            person_id=person.pk,
            name=person.full_name or "Name not known",
            relationship=", ".join(sorted(set(words[person.pk]))),
            age=govuk_age(person.date_of_birth),
            is_child=person.kind != PersonKind.ADULT,
            record_url=reverse("people:record", args=[person.pk]) if person.pk in visible else "",
        )
        for person in sorted(people.values(), key=lambda p: (p.family_name, p.given_name))
    ]
    return [m for m in members if m.is_child], [m for m in members if not m.is_child]


def _statuses(actor: Actor, child: Person, now: dt.datetime) -> tuple[list[str], str]:
    today = timezone.localdate()
    statuses, workers = [], []
    for status in ChildStatus.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), person=child
    ).select_related("council", "social_worker"):
        statuses.append(
            f"{status.get_status_display()}, {status.council.name}, since {status.start_date:%-d %B %Y}"
        )
        if status.social_worker is not None:
            workers.append(f"{status.social_worker.get_full_name()}, {status.council.name}")
    events = visible_events(actor, about=child.pk)
    protection = events.filter(
        kind=EventKind.POLICE_PROTECTION, occurred_at__gte=now - POLICE_PROTECTION_LIMIT
    )
    ended = set(
        events.filter(kind=EventKind.POLICE_PROTECTION_ENDED).values_list(
            "details__police_protection", flat=True
        )
    )
    for event in protection.select_related("recorded_by"):
        if str(event.pk) not in ended:
            statuses.append(
                f"In police protection since {govuk_datetime(event.occurred_at)} ({event.recorded_by.name})"
            )
    found = set(events.filter(kind=EventKind.FOUND).values_list("related_event_id", flat=True))
    for event in events.filter(kind=EventKind.MISSING).exclude(pk__in=found).order_by("occurred_at"):
        statuses.append(f"Missing now: last seen {govuk_datetime(event.occurred_at)}")
    # The child's meetings through the person's field path (meetings sit above sharing), judged by the policy.
    meetings = policy.visible_meetings(actor, child.meetings.all(), visible_people(actor))
    held = set(
        meetings.filter(kind=INITIAL_CONFERENCE, held_at__isnull=False).values_list(
            "strategy_discussion_id", flat=True
        )
    )
    for meeting in meetings.filter(kind=STRATEGY_DISCUSSION, s47_decision=True).exclude(pk__in=held):
        statuses.append(f"Section 47 enquiry open since {meeting.s47_started_on:%-d %B %Y}")
    return statuses, "; ".join(workers)


def _events(
    actor: Actor, child: Person, household: list[uuid.UUID], share: Share, since: dt.datetime
) -> list[PastEvent]:
    about: dict[uuid.UUID, set[uuid.UUID]] = {}
    for person_id in [child.pk, *household]:
        for event_id in (
            visible_events(actor, about=person_id).filter(occurred_at__gte=since).values_list("pk", flat=True)
        ):
            about.setdefault(event_id, set()).add(person_id)
    names = {person.pk: person.full_name for person in Person.objects.filter(pk__in=[*household, child.pk])}
    events = (
        Event.objects.filter(pk__in=list(about))
        .exclude(source=Source.HELD)
        .select_related("recorded_by")
        .order_by("-occurred_at")
    )
    return [
        PastEvent(
            event_id=event.pk,
            kind=event.kind,
            kind_label=str(event.get_kind_display()),
            occurred_at=event.occurred_at,
            agency=event.recorded_by.name,
            reference=event.reference,
            risk_level=str(RiskLevel(event.risk_level).label) if event.risk_level in RiskLevel.values else "",
            about="" if child.pk in about[event.pk] else ", ".join(sorted(names[p] for p in about[event.pk])),
            is_this=event.pk == share.event_id,
        )
        for event in events
    ]


def _domestic_abuse(events: list[PastEvent], share: Share) -> DomesticAbuseCount | None:
    incidents = [event for event in events if event.kind == EventKind.DOMESTIC_ABUSE]
    if not incidents:
        return None
    anchor = share.event.occurred_at
    this_week = [event for event in incidents if anchor - THIS_WEEK <= event.occurred_at <= anchor]
    is_incident = share.event.kind == EventKind.DOMESTIC_ABUSE
    return DomesticAbuseCount(
        in_last_12_months=len([event for event in incidents if event.occurred_at >= anchor - LOOK_BACK]),
        in_last_7_days=len(this_week),
        this_is_number=len(this_week) if is_incident else 0,
        incidents=incidents,
    )


def _decisions(actor: Actor, child: Person, share: Share) -> list[PastDecision]:
    """Earlier decisions on shares about the child that the reader's organisation made, or sent and was told
    the outcome of (as on the share's own page)."""
    organisation = actor.organisation
    assert organisation is not None
    shares = (
        Share.objects.filter(people=child, acknowledged_at__isnull=False)
        .exclude(pk=share.pk)
        .exclude(decision__in=["", Decision.NOTED])
        .exclude(event__source=Source.HELD)
        .filter(Q(recipient=organisation) | Q(event__recorded_by=organisation, sender_sees=True))
        .select_related("event", "recipient")
        .order_by("-acknowledged_at")
    )
    return [
        PastDecision(
            decided_at=item.acknowledged_at,
            kind_label=str(item.event.get_kind_display()),
            reference=item.event.reference,
            decided_by=f"{item.acknowledged_by_label}, {item.recipient.name}".strip(", "),
            decision=str(item.get_decision_display()),
            reasons=item.decision_reasons,
        )
        for item in shares
        if item.acknowledged_at is not None
    ]


def share_context(*, actor: Actor, share: Share, now: dt.datetime | None = None) -> list[ChildContext]:
    """The context of each child on an opened share (``selectors.share_open`` checked and audited the
    opening), as far as the reader may see the child; a child it may not see is left out."""
    now = now or timezone.now()
    scope = policy.record_scope(actor)
    subjects = {subject.person_id: subject.role for subject in share.event.subjects.all()}
    children = [
        person
        for person in share.people.all()
        if subjects.get(person.pk, "child") == "child" and person.kind != PersonKind.ADULT
    ]
    visible = set(visible_people(actor).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True))
    since = min(now, share.event.occurred_at) - LOOK_BACK
    contexts = []
    for child in children:
        if child.pk not in visible:
            continue
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="person",
                object_id=child.pk,
                person_id=child.pk,
                reason="read the child's context on a share",
                detail={"share": str(share.pk)},
            )
        base = ChildContext(
            person_id=child.pk,
            name=child.full_name,
            date_of_birth=child.date_of_birth,
            age=govuk_age(child.date_of_birth),
            scope=str(scope),
            record_url=reverse("people:record", args=[child.pk]),
            chronology_url=reverse("chronology:chronology", args=[child.pk]),
        )
        if scope != policy.RecordScope.FULL:
            # Operation Encompass: the child and the school's own notices, which carry no risk grading.
            events = [replace(event, risk_level="") for event in _events(actor, child, [], share, since)]
            contexts.append(replace(base, events=events, domestic_abuse=_domestic_abuse(events, share)))
            continue
        siblings, adults = _household(actor, child, share)
        events = _events(actor, child, [m.person_id for m in siblings + adults], share, since)
        statuses, worker = _statuses(actor, child, now)
        contexts.append(
            replace(
                base,
                statuses=statuses,
                allocated_worker=worker,
                events=events,
                domestic_abuse=_domestic_abuse(events, share),
                decisions=_decisions(actor, child, share),
                siblings=siblings,
                adults=adults,
            )
        )
    return contexts
