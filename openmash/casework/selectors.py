"""Reads of joint casework. Each takes the actor; a single record answers NotFound both when it does not exist
and when the actor's organisation is not one of the agencies involved, and opening one is audited."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.casework.models import (
    ClosureStatus,
    Disagreement,
    DisagreementStage,
    InvestigationClosure,
    JointVisit,
    PoliceProtectionEnd,
)
from openmash.casework.services import PROTECTION_MAX_RULE, protection_due, stage_clock
from openmash.clocks.models import Clock
from openmash.events.models import Event, EventKind, EventSubject
from openmash.lib.errors import NotFound
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people import selectors as people_selectors
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import Share
from openmash.sharing.routing import ANSWERED_BY_A_STEP

LIST_LIMIT = 200


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise NotFound("No such record") from error


def _audit_view(actor: Actor, object_type: str, object_id: object, person_ids: list[uuid.UUID]) -> None:
    with transaction.atomic():
        for person_id in person_ids:
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type=object_type,
                object_id=object_id,
                person_id=person_id,
                reason="agency involved",
            )


# Answers awaited ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwaitedAnswer:
    """Where a step waiting for the other agency's answer stands (a joint-visit request, a proposed closure, a
    disagreement stage): read from the shares that asked, which carry the deadline and its escalations."""

    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    answered_by: str
    # The latest escalation of an unanswered one: when, and to whom in words ("Cleveland Police's team managers").
    escalated_at: dt.datetime | None
    escalated_to: str

    @property
    def overdue(self) -> bool:
        return self.answered_at is None and self.due_at is not None and self.due_at < timezone.now()


def awaited_answer(event: Event | None) -> AwaitedAnswer | None:
    """The answer an event's step waits for, or None when it waits for none. Reads ``event.shares`` and their
    escalations, prefetched by the lists (``ANSWER_PREFETCH``)."""
    if event is None:
        return None
    shares = [share for share in event.shares.all() if share.clock_rule in ANSWERED_BY_A_STEP]
    if not shares:
        return None
    dues = [share.due_at for share in shares if share.due_at is not None]
    answered = [share for share in shares if share.acknowledged_at is not None]
    done = answered[0] if len(answered) == len(shares) else None
    escalations = sorted(
        (escalation for share in shares for escalation in share.escalations.all()), key=lambda e: e.at
    )
    latest = escalations[-1] if escalations else None
    to = ""
    if latest is not None:
        # Level 1 goes to the recipient's team managers; level 2 to its area's safeguarding partnership, or
        # back to the recipient's senior people where no partnership is on the service (a police force's).
        name = latest.to_organisation.name
        if latest.to_role == Role.TEAM_MANAGER:
            to = f"{name}'s team managers"
        elif latest.to_organisation.kind == OrganisationKind.PARTNERSHIP:
            to = f"the safeguarding partnership ({name})"
        else:
            to = f"{name}'s senior managers"
    return AwaitedAnswer(
        due_at=min(dues) if dues else None,
        answered_at=done.acknowledged_at if done is not None else None,
        answered_by=done.acknowledged_by_label if done is not None else "",
        escalated_at=latest.at if latest is not None else None,
        escalated_to=to,
    )


def _answer_prefetch(event_path: str) -> Prefetch:
    return Prefetch(
        f"{event_path}__shares",
        queryset=Share.objects.filter(clock_rule__in=ANSWERED_BY_A_STEP).prefetch_related(
            "escalations__to_organisation"
        ),
    )


# Joint visits ----------------------------------------------------------------------------------------------


def _visits(actor: Actor) -> QuerySet[JointVisit]:
    if not policy.works_cases(actor) or actor.organisation is None:
        return JointVisit.objects.none()
    # Its own visits, about children the policy lets it see (a restricted record stays narrowed here too).
    return JointVisit.objects.filter(
        Q(council=actor.organisation) | Q(police_force=actor.organisation),
        person__in=people_selectors.visible_people(actor),
    ).select_related("person", "council", "police_force", "request_event")


def joint_visit_list(*, actor: Actor, lone_only: bool = False) -> list[JointVisit]:
    visits = _visits(actor).prefetch_related(_answer_prefetch("request_event"))
    if lone_only:
        visits = visits.filter(lone_visit=True).order_by("reviewed_at", "-visited_at")
    return list(visits[:LIST_LIMIT])


def lone_visits_awaiting_review(*, actor: Actor) -> int:
    """Lone visits raised to a council's team managers and not yet reviewed (their home page shows it)."""
    if actor.organisation is None or actor.organisation.kind != OrganisationKind.COUNCIL:
        return 0
    return _visits(actor).filter(lone_visit=True, reviewed_at__isnull=True).count()


def joint_visit_open(*, actor: Actor, visit_id: uuid.UUID | str) -> JointVisit:
    visit = (
        _visits(actor).prefetch_related(_answer_prefetch("request_event")).filter(pk=_uuid(visit_id)).first()
    )
    if visit is None:
        raise NotFound("No such joint visit")
    _audit_view(actor, "joint-visit", visit.pk, [visit.person_id])
    return visit


# Police protection -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    """One use of police protection with its 72-hour clock and the council's s47 clock."""

    event: Event
    due_at: dt.datetime
    end: PoliceProtectionEnd | None
    clocks: list[Clock]

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def over_72_hours(self) -> bool:
        ended = self.end.ended_at if self.end is not None else timezone.now()
        return ended > self.due_at

    @property
    def hours_left(self) -> int | None:
        if self.end is not None:
            return None
        return max(0, int((self.due_at - timezone.now()).total_seconds() // 3600))

    @property
    def alternatives_discussed(self) -> bool:
        return self.event.details.get("alternatives_discussed") is True


def _protections(actor: Actor) -> QuerySet[Event]:
    if not policy.works_cases(actor) or actor.organisation is None:
        return Event.objects.none()
    about_visible = EventSubject.objects.filter(person__in=people_selectors.visible_people(actor)).values(
        "event_id"
    )
    return (
        sharing_selectors.visible_events(actor)
        .filter(kind=EventKind.POLICE_PROTECTION, pk__in=about_visible)
        .select_related("recorded_by", "council", "protection_end")
        .prefetch_related("subjects__person")
    )


def _protection(event: Event, clocks: list[Clock]) -> Protection:
    end = getattr(event, "protection_end", None)
    return Protection(event=event, due_at=protection_due(event), end=end, clocks=clocks)


def police_protection_list(*, actor: Actor) -> list[Protection]:
    events = list(_protections(actor).order_by("-occurred_at")[:LIST_LIMIT])
    return [_protection(event, []) for event in events]


def police_protection_open(*, actor: Actor, event_id: uuid.UUID | str) -> Protection:
    event = _protections(actor).filter(pk=_uuid(event_id)).first()
    if event is None:
        raise NotFound("No such police protection")
    clocks = list(Clock.objects.filter(event=event).select_related("organisation").order_by("rule"))
    _audit_view(actor, "police-protection", event.pk, [s.person_id for s in event.subjects.all()])
    return _protection(event, clocks)


def _area_council(actor: Actor) -> Organisation | None:
    """A team manager's own council; a partnership lead's lead council."""
    organisation = actor.organisation
    if organisation is None:
        return None
    if organisation.kind == OrganisationKind.COUNCIL:
        return organisation
    if organisation.kind == OrganisationKind.PARTNERSHIP:
        return organisation.parent
    return None


@dataclass(frozen=True)
class ForceMeasures:
    force: str
    uses: int
    alternatives_not_discussed: int
    over_72_hours: int
    still_in_protection: int


@dataclass(frozen=True)
class Measures:
    council: Organisation
    police_protection: list[ForceMeasures]
    lone_visits: int
    lone_visits_unreviewed: int
    joint_visits_done: int
    closures_proposed: int
    closures_disputed: int
    closures_awaiting_council: int


def casework_measures(*, actor: Actor) -> Measures:
    """Counts for a council's area: police protection per force (with "alternatives not discussed"), lone
    visits and disputed closures. For team managers and partnership leads; others get NotFound."""
    council = _area_council(actor)
    if not policy.may_see_area_measures(actor) or council is None:
        raise NotFound("No such page")
    events = Event.objects.filter(
        kind=EventKind.POLICE_PROTECTION,
        pk__in=Share.objects.filter(recipient=council).values("event_id"),
    ).select_related("recorded_by", "protection_end")
    per_force: dict[str, dict[str, int]] = {}
    now = timezone.now()
    for event in events:
        row = per_force.setdefault(
            event.recorded_by.name, {"uses": 0, "not_discussed": 0, "over": 0, "open": 0}
        )
        end = getattr(event, "protection_end", None)
        row["uses"] += 1
        row["not_discussed"] += event.details.get("alternatives_discussed") is False
        row["over"] += (end.ended_at if end is not None else now) > protection_due(event)
        row["open"] += end is None
    visits = JointVisit.objects.filter(council=council).aggregate(
        lone=Count("pk", filter=Q(lone_visit=True)),
        unreviewed=Count("pk", filter=Q(lone_visit=True, reviewed_at__isnull=True)),
        done=Count("pk", filter=Q(visited_at__isnull=False)),
    )
    closures = InvestigationClosure.objects.filter(council=council, needs_agreement=True).aggregate(
        proposed=Count("pk"),
        disputed=Count("pk", filter=Q(disagreement__isnull=False)),
        waiting=Count("pk", filter=Q(status=ClosureStatus.PROPOSED)),
    )
    return Measures(
        council=council,
        police_protection=[
            ForceMeasures(force, row["uses"], row["not_discussed"], row["over"], row["open"])
            for force, row in sorted(per_force.items())
        ],
        lone_visits=visits["lone"],
        lone_visits_unreviewed=visits["unreviewed"],
        joint_visits_done=visits["done"],
        closures_proposed=closures["proposed"],
        closures_disputed=closures["disputed"],
        closures_awaiting_council=closures["waiting"],
    )


# Investigation closures and disagreements ------------------------------------------------------------------


def _closures(actor: Actor) -> QuerySet[InvestigationClosure]:
    if not policy.works_cases(actor) or actor.organisation is None:
        return InvestigationClosure.objects.none()
    return InvestigationClosure.objects.filter(
        Q(police_force=actor.organisation) | Q(council=actor.organisation),
        person__in=people_selectors.visible_people(actor),
    ).select_related("person", "police_force", "council", "event")


def investigation_closure_list(*, actor: Actor) -> list[InvestigationClosure]:
    return list(_closures(actor).prefetch_related(_answer_prefetch("event"))[:LIST_LIMIT])


@dataclass(frozen=True)
class OpenedClosure:
    closure: InvestigationClosure
    disagreement: Disagreement | None
    stage_clocks: dict[int, Clock | None]

    @property
    def response_overdue(self) -> bool:
        return (
            self.closure.status == ClosureStatus.PROPOSED
            and self.closure.response_due_at is not None
            and self.closure.response_due_at < timezone.now()
        )

    @property
    def answer(self) -> AwaitedAnswer | None:
        return awaited_answer(self.closure.event) if self.closure.needs_agreement else None


def investigation_closure_open(*, actor: Actor, closure_id: uuid.UUID | str) -> OpenedClosure:
    closure = (
        _closures(actor).prefetch_related(_answer_prefetch("event")).filter(pk=_uuid(closure_id)).first()
    )
    if closure is None:
        raise NotFound("No such investigation closure")
    disagreement = (
        Disagreement.objects.filter(closure=closure)
        .select_related("raised_by", "raised_with")
        .prefetch_related(
            Prefetch("stages", queryset=DisagreementStage.objects.select_related("event")),
            _answer_prefetch("stages__event"),
        )
        .first()
    )
    stage_clocks = (
        {stage.level: stage_clock(stage) for stage in disagreement.stages.all()} if disagreement else {}
    )
    _audit_view(actor, "investigation-closure", closure.pk, [closure.person_id])
    return OpenedClosure(closure=closure, disagreement=disagreement, stage_clocks=stage_clocks)


__all__ = ["PROTECTION_MAX_RULE"]


def _disagreements(actor: Actor) -> QuerySet[Disagreement]:
    if not policy.works_cases(actor) or actor.organisation is None:
        return Disagreement.objects.none()
    return (
        Disagreement.objects.filter(
            Q(raised_by=actor.organisation) | Q(raised_with=actor.organisation),
            person__in=people_selectors.visible_people(actor),
        )
        .select_related("person", "raised_by", "raised_with")
        .prefetch_related(
            Prefetch("stages", queryset=DisagreementStage.objects.select_related("event")),
            _answer_prefetch("stages__event"),
        )
    )


def disagreement_list(*, actor: Actor) -> list[Disagreement]:
    """The disagreements the actor's organisation is a party to, about children it may see."""
    return list(_disagreements(actor)[:LIST_LIMIT])


def disagreement_open(*, actor: Actor, disagreement_id: uuid.UUID | str) -> Disagreement:
    disagreement = _disagreements(actor).filter(pk=_uuid(disagreement_id)).first()
    if disagreement is None:
        raise NotFound("No such disagreement")
    _audit_view(actor, "disagreement", disagreement.pk, [disagreement.person_id])
    return disagreement
