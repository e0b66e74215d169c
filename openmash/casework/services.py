"""Joint casework writes: joint visits, the end of police protection, investigation closures and professional
disagreements. Each is atomic, audited in its own transaction, and, where another agency must know, recorded
as an event through ``event_record`` so that its share is delivered and timed like every other.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
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
    DisagreementStageLevel,
    DisagreementStatus,
    InvestigationClosure,
    JointVisit,
    PoliceNeed,
    PoliceProtectionEnd,
    ProtectionEnd,
    Resolution,
    StageOutcome,
    VisitStatus,
)
from openmash.clocks import services as clocks
from openmash.clocks.models import Clock
from openmash.clocks.selectors import open_clocks
from openmash.events.models import Event, EventKind
from openmash.events.services import EventInput, PersonInput, RecordedEvent, event_record
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.govuk import govuk_datetime
from openmash.lib.instants import instant_problem, is_future
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import ChildStatus, ChildStatusKind, Person
from openmash.sharing.models import Route

# Disagreement stages run on this clock (5 working days each by default; an area may set its own figure).
ESCALATION_RULE = "escalation-stage"
PROTECTION_MAX_RULE = "police-protection-max"


def _case_worker_of(actor: Actor, *organisations: Organisation | None, what: str) -> Organisation:
    if (
        actor.organisation is None
        or not policy.works_cases(actor)
        or actor.organisation.pk not in {org.pk for org in organisations if org is not None}
    ):
        raise NotAllowed(f"Only the agencies involved may {what}")
    return actor.organisation


def _share_with(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    recipients: Sequence[Organisation],
    summary: str,
    details: dict[str, Any],
    reference: str = "",
    occurred_at: dt.datetime | None = None,
) -> RecordedEvent:
    """Record a step as an event shared with the agencies involved, the same way as every other event."""
    return event_record(
        actor=actor,
        data=EventInput(
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            reference=reference,
            summary=summary,
            details=details,
            people=[PersonInput(person_id=person.pk)],
            added_recipients=list(recipients),
            added_route=Route.INVOLVED,
        ),
    )


def _audit(
    actor: Actor,
    *,
    action: str,
    object_type: str,
    object_id: object,
    person: Person,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_id=person.pk,
        reason=reason,
        detail=detail or {},
    )


def _when(
    value: dt.datetime | None, field: str, missing: str, errors: dict[str, str], *, future: str = ""
) -> None:
    problem = instant_problem(value, now=timezone.now(), missing=missing, future=future)
    if problem:
        errors[field] = problem


# Joint visits ----------------------------------------------------------------------------------------------


def joint_visit_request(
    *,
    actor: Actor,
    person: Person,
    planned_for: dt.datetime | None,
    police_needed_because: Sequence[str],
    purpose: str,
    address: str = "",
) -> JointVisit:
    """A council asks its police force for an officer on a visit to a child; the force is told through a share."""
    council = actor.organisation
    if council is None or council.kind != OrganisationKind.COUNCIL or not policy.works_cases(actor):
        raise NotAllowed("Only a council's practitioners ask the police for a joint visit")
    errors: dict[str, str] = {}
    _when(planned_for, "planned_for", "Enter when the visit is planned", errors)
    reasons = [code for code in police_needed_because if code in PoliceNeed.values]
    if not reasons or len(reasons) != len(police_needed_because):
        errors["police_needed_because"] = "Choose why a police officer is needed"
    if not purpose.strip():
        errors["purpose"] = "Say what the visit is for"
    force = council.police_forces.order_by("name").first()
    if force is None:
        errors[""] = f"No police force is recorded as covering {council.name}"
    if policy.reason_to_see(actor, person.pk) is None:
        errors["person"] = "No such person, or your organisation may not see them"
    if errors:
        raise InvalidInput(errors)
    assert planned_for is not None and force is not None
    with transaction.atomic():
        recorded = _share_with(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=person,
            recipients=[force],
            summary=f"Joint visit requested for {govuk_datetime(planned_for)}: " + purpose.strip(),
            details={"step": "requested", "police_needed_because": reasons, "address": address.strip()},
        )
        visit = JointVisit.objects.create(
            person=person,
            council=council,
            police_force=force,
            police_needed_because=reasons,
            planned_for=planned_for,
            address=address.strip(),
            purpose=purpose.strip(),
            requested_at=recorded.event.recorded_at,
            requested_by_label=actor.label,
            request_event=recorded.event,
        )
        _audit(
            actor,
            action=AuditAction.CREATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=person,
            reason="asked the police for a joint visit",
            detail={"police_force": force.code, "because": reasons},
        )
    return visit


def joint_visit_confirm_officer(
    *, actor: Actor, visit: JointVisit, officer_name: str, officer_attends_at: dt.datetime | None
) -> JointVisit:
    """The police force names the officer who will attend and when: only that confirms the visit."""
    _case_worker_of(actor, visit.police_force, what="name the officer for a joint visit")
    errors: dict[str, str] = {}
    if visit.status == VisitStatus.DONE:
        errors[""] = "This visit has already happened"
    if not officer_name.strip():
        errors["officer_name"] = "Enter the name of the officer who will attend"
    _when(officer_attends_at, "officer_attends_at", "Enter when the officer will be there", errors)
    if errors:
        raise InvalidInput(errors)
    assert officer_attends_at is not None
    with transaction.atomic():
        now = timezone.now()
        updated = (
            JointVisit.objects.filter(pk=visit.pk)
            .exclude(status=VisitStatus.DONE)
            .update(
                status=VisitStatus.CONFIRMED,
                officer_name=officer_name.strip(),
                officer_attends_at=officer_attends_at,
                confirmed_at=now,
                confirmed_by_label=actor.label,
            )
        )
        if not updated:
            raise InvalidInput({"": "This visit has already happened"})
        _share_with(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=visit.person,
            recipients=[visit.council],
            summary=f"Officer named for the joint visit: {officer_name.strip()}, "
            f"{govuk_datetime(officer_attends_at)}",
            details={"step": "officer-named", "joint_visit": str(visit.pk)},
        )
        _audit(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="named the officer for a joint visit",
            detail={"officer_name": officer_name.strip(), "attends_at": officer_attends_at.isoformat()},
        )
    visit.refresh_from_db()
    return visit


def joint_visit_record(
    *,
    actor: Actor,
    visit: JointVisit,
    visited_at: dt.datetime | None,
    officer_present: bool | None,
    outcome: str,
    officer_name: str = "",
) -> JointVisit:
    """The council records the visit as done. Without an officer it is a lone visit: the 2016 finding (social
    workers alone, unable to remove a child) made visible, raised at once to the council's team managers."""
    _case_worker_of(actor, visit.council, what="record a joint visit as done")
    errors: dict[str, str] = {}
    if visit.status == VisitStatus.DONE:
        errors[""] = "This visit has already been recorded as done"
    _when(
        visited_at,
        "visited_at",
        "Enter when the visit happened",
        errors,
        future="When the visit happened must be in the past",
    )
    if officer_present not in (True, False):
        errors["officer_present"] = "Say whether a police officer was there"
    named = officer_name.strip() or visit.officer_name
    if officer_present is True and not named:
        errors["officer_name"] = "Enter the name of the officer who was there"
    if not outcome.strip():
        errors["outcome"] = "Say what happened on the visit"
    if errors:
        raise InvalidInput(errors)
    lone = officer_present is False
    with transaction.atomic():
        now = timezone.now()
        updated = (
            JointVisit.objects.filter(pk=visit.pk)
            .exclude(status=VisitStatus.DONE)
            .update(
                status=VisitStatus.DONE,
                visited_at=visited_at,
                officer_present=officer_present,
                officer_name=named if officer_present else visit.officer_name,
                outcome=outcome.strip(),
                recorded_at=now,
                recorded_by_label=actor.label,
                lone_visit=lone,
                escalated_at=now if lone else None,
            )
        )
        if not updated:
            raise InvalidInput({"": "This visit has already been recorded as done"})
        _share_with(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=visit.person,
            recipients=[visit.police_force],
            occurred_at=visited_at,
            summary=("Lone visit: no police officer was there. " if lone else "Joint visit done. ")
            + outcome.strip(),
            details={"step": "visit-done", "joint_visit": str(visit.pk), "lone_visit": lone},
        )
        _audit(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="recorded a lone visit" if lone else "recorded a joint visit as done",
            detail={"officer_present": officer_present, "escalated_to": Role.TEAM_MANAGER if lone else ""},
        )
    visit.refresh_from_db()
    return visit


def lone_visit_review(*, actor: Actor, visit: JointVisit, notes: str) -> JointVisit:
    """A team manager records what they did about a lone visit raised to them."""
    _case_worker_of(actor, visit.council, what="review a lone visit")
    if not actor.has_role(Role.TEAM_MANAGER):
        raise NotAllowed("Only the council's team managers review lone visits")
    errors: dict[str, str] = {}
    if not visit.lone_visit:
        errors[""] = "This was not a lone visit"
    elif visit.reviewed_at is not None:
        errors[""] = "This lone visit has already been reviewed"
    if not notes.strip():
        errors["notes"] = "Say what you have done about the lone visit"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        updated = JointVisit.objects.filter(pk=visit.pk, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by_label=actor.label, review_notes=notes.strip()
        )
        if not updated:
            raise InvalidInput({"": "This lone visit has already been reviewed"})
        _audit(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="reviewed a lone visit",
        )
    visit.refresh_from_db()
    return visit


# Police protection -----------------------------------------------------------------------------------------


def protection_clocks(event: Event) -> list[Clock]:
    """The 72-hour clocks a police protection notice started (one per child), still running."""
    return list(open_clocks(rule=PROTECTION_MAX_RULE).filter(subject_type="event", subject_id=str(event.pk)))


def police_protection_end(
    *,
    actor: Actor,
    event: Event,
    ended_at: dt.datetime | None,
    how: str,
    notes: str = "",
    delay_reason: str = "",
) -> PoliceProtectionEnd:
    """Record when and how the child left police protection; it stops the 72-hour clock. Past 72 hours the
    clocks service asks for the reason for the delay."""
    if event.kind != EventKind.POLICE_PROTECTION or not policy.may_see_event(actor, event):
        raise NotAllowed("Only the force and the councils told of this police protection may record its end")
    assert actor.organisation is not None
    if actor.organisation.kind not in (OrganisationKind.POLICE, OrganisationKind.COUNCIL):
        raise NotAllowed("Only the police force or a council records when police protection ended")
    errors: dict[str, str] = {}
    if PoliceProtectionEnd.objects.filter(event=event).exists():
        errors[""] = "The end of this police protection has already been recorded"
    _when(ended_at, "ended_at", "Enter when the child left police protection", errors)
    if ended_at is not None and "ended_at" not in errors:
        if ended_at < event.occurred_at:
            errors["ended_at"] = "The end must be after the child was taken into police protection"
        elif is_future(ended_at, timezone.now()):
            errors["ended_at"] = "The end must be in the past"
    if how not in ProtectionEnd.values:
        errors["how"] = "Choose how the child left police protection"
    if errors:
        raise InvalidInput(errors)
    assert ended_at is not None
    late = ended_at > protection_due(event)
    with transaction.atomic():
        # Stopping first: the clocks service refuses a late stop without a reason, and nothing is saved.
        for clock in protection_clocks(event):
            clocks.clock_stop(actor=actor, clock=clock, at=ended_at, breach_reason=delay_reason)
        end = PoliceProtectionEnd.objects.create(
            event=event,
            ended_at=ended_at,
            how=how,
            notes=notes.strip(),
            delay_reason=delay_reason.strip() if late else "",
            recorded_at=timezone.now(),
            recorded_by=actor.organisation,
            recorded_by_label=actor.label,
        )
        children = [subject.person for subject in event.subjects.select_related("person")]
        # Everyone told of the police protection is told at once that it has ended, and how.
        told = {event.recorded_by, *(share.recipient for share in event.shares.select_related("recipient"))}
        event_record(
            actor=actor,
            data=EventInput(
                kind=EventKind.POLICE_PROTECTION_ENDED,
                occurred_at=ended_at,
                reference=event.reference,
                summary=f"{ProtectionEnd(how).label}. {notes.strip()}".strip(),
                details={"police_protection": str(event.pk), "how": how},
                people=[PersonInput(person_id=child.pk) for child in children],
                added_recipients=[
                    organisation for organisation in told if organisation != actor.organisation
                ],
                added_route=Route.INVOLVED,
            ),
        )
        for child in children:
            _audit(
                actor,
                action=AuditAction.UPDATE,
                object_type="police-protection",
                object_id=event.pk,
                person=child,
                reason="recorded the end of police protection",
                detail={"how": how, "ended_at": ended_at.isoformat()},
            )
    return end


def protection_due(event: Event) -> dt.datetime:
    """The 72-hour maximum, from when the child was taken (counted as the clocks count it)."""
    return clocks.deadline(PROTECTION_MAX_RULE, event.occurred_at, event.recorded_by)


# Investigation closures ------------------------------------------------------------------------------------


def _responsible_council(person: Person) -> tuple[Organisation | None, bool]:
    """The council responsible for the child, and whether the child is on a protection plan with it."""
    today = timezone.localdate()
    statuses = [
        status
        for status in ChildStatus.objects.filter(person=person).select_related("council")
        if status.end_date is None or status.end_date >= today
    ]
    for status in statuses:
        if status.status == ChildStatusKind.PROTECTION_PLAN:
            return status.council, True
    if statuses:
        return statuses[0].council, False
    address = person.addresses.filter(end_date__isnull=True).select_related("council").first()
    return (address.council if address is not None else None), False


def investigation_closure_propose(
    *,
    actor: Actor,
    person: Person,
    police_reference: str,
    reasons: str,
    under_s47_enquiry: bool,
    injuries_recorded: bool,
    share_anyway: bool = False,
) -> InvestigationClosure:
    """A police force decides to close an investigation about a child.

    If the child is on a protection plan, under s47 enquiry (said by the officer, or a strategy discussion
    clock is running for the child) or has recorded injuries, the closure is shared with the council and only
    proposed: it takes effect when the council agrees. Other closures take effect at once and are shared only
    if the officer chooses.
    """
    force = actor.organisation
    if force is None or force.kind != OrganisationKind.POLICE or not policy.works_cases(actor):
        raise NotAllowed("Only a police force closes its investigations")
    errors: dict[str, str] = {}
    if policy.reason_to_see(actor, person.pk) is None:
        errors["person"] = "No such person, or your organisation may not see them"
    if not police_reference.strip():
        errors["police_reference"] = "Enter the police reference of the investigation"
    if not reasons.strip():
        errors["reasons"] = "Give the reasons for closing the investigation"
    council, on_plan = _responsible_council(person)
    s47 = under_s47_enquiry or open_clocks(rule="strategy-discussion", person=person).exists()
    needs_agreement = on_plan or s47 or injuries_recorded
    shared = needs_agreement or share_anyway
    if shared and council is None:
        errors[""] = "No council is recorded as responsible for this child: record the child's address first"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        now = timezone.now()
        closure = InvestigationClosure(
            person=person,
            police_force=force,
            council=council,
            police_reference=police_reference.strip(),
            reasons=reasons.strip(),
            on_protection_plan=on_plan,
            under_s47_enquiry=s47,
            injuries_recorded=injuries_recorded,
            needs_agreement=needs_agreement,
            status=ClosureStatus.PROPOSED if needs_agreement else ClosureStatus.CLOSED,
            proposed_at=now,
            proposed_by_label=actor.label,
            closed_at=None if needs_agreement else now,
        )
        if needs_agreement:
            assert council is not None
            # Silence never closes it; this is when the council's answer is due (and shown overdue after).
            closure.response_due_at = clocks.deadline(ESCALATION_RULE, now, council)
        if shared:
            assert council is not None
            closure.event = _share_with(
                actor=actor,
                kind=EventKind.INVESTIGATION_CLOSURE,
                person=person,
                recipients=[council],
                reference=closure.police_reference,
                summary=(
                    "Proposed closure, waiting for the council's agreement: "
                    if needs_agreement
                    else "Investigation closed: "
                )
                + closure.reasons,
                details={
                    "step": "proposed" if needs_agreement else "closed",
                    "grounds": closure.grounds(),
                    "needs_agreement": needs_agreement,
                },
            ).event
        closure.full_clean()
        closure.save()
        _audit(
            actor,
            action=AuditAction.CREATE,
            object_type="investigation-closure",
            object_id=closure.pk,
            person=person,
            reason="proposed closing an investigation" if needs_agreement else "closed an investigation",
            detail={"reference": closure.police_reference, "grounds": closure.grounds()},
        )
    return closure


class Response:
    AGREE = "agree"
    DISPUTE = "dispute"
    CHOICES = [(AGREE, "Agree: the investigation can close"), (DISPUTE, "Dispute the closure")]


def investigation_closure_respond(
    *, actor: Actor, closure: InvestigationClosure, response: str, reasons: str
) -> InvestigationClosure:
    """The council agrees (the closure takes effect) or disputes it (a professional disagreement opens at
    stage 1, with its clock)."""
    council = _case_worker_of(actor, closure.council, what="respond to a proposed closure")
    errors: dict[str, str] = {}
    if closure.status != ClosureStatus.PROPOSED:
        errors[""] = "This closure is not waiting for the council"
    if response not in (Response.AGREE, Response.DISPUTE):
        errors["response"] = "Choose whether the council agrees or disputes the closure"
    if not reasons.strip():
        errors["reasons"] = (
            "Give the reasons for disputing the closure"
            if response == Response.DISPUTE
            else "Give the reasons for the council's answer"
        )
    if errors:
        raise InvalidInput(errors)
    agree = response == Response.AGREE
    with transaction.atomic():
        now = timezone.now()
        updated = InvestigationClosure.objects.filter(pk=closure.pk, status=ClosureStatus.PROPOSED).update(
            status=ClosureStatus.CLOSED if agree else ClosureStatus.DISPUTED,
            responded_at=now,
            responded_by_label=actor.label,
            response_reasons=reasons.strip(),
            closed_at=now if agree else None,
        )
        if not updated:
            raise InvalidInput({"": "This closure is not waiting for the council"})
        closure.refresh_from_db()
        if agree:
            _share_with(
                actor=actor,
                kind=EventKind.INVESTIGATION_CLOSURE,
                person=closure.person,
                recipients=[closure.police_force],
                reference=closure.police_reference,
                summary=f"The council agrees the investigation can close: {reasons.strip()}",
                details={"step": "council-agreed", "investigation_closure": str(closure.pk)},
            )
        else:
            disagreement = Disagreement.objects.create(
                person=closure.person,
                raised_by=council,
                raised_with=closure.police_force,
                closure=closure,
                about=reasons.strip(),
                raised_at=now,
                raised_by_label=actor.label,
            )
            _stage_open(actor, disagreement, DisagreementStageLevel.PRACTITIONERS, now)
        _audit(
            actor,
            action=AuditAction.UPDATE,
            object_type="investigation-closure",
            object_id=closure.pk,
            person=closure.person,
            reason="agreed a proposed closure" if agree else "disputed a proposed closure",
        )
    return closure


# Professional disagreements --------------------------------------------------------------------------------


def _partnership_of(council: Organisation) -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.PARTNERSHIP, parent=council).first()


def _parties(disagreement: Disagreement) -> list[Organisation]:
    return [disagreement.raised_by, disagreement.raised_with]


def _stage_open(actor: Actor, disagreement: Disagreement, level: int, now: dt.datetime) -> DisagreementStage:
    assert actor.organisation is not None
    others = [org for org in _parties(disagreement) if org.pk != actor.organisation.pk]
    if level == DisagreementStageLevel.PARTNERSHIP:
        council = next((o for o in _parties(disagreement) if o.kind == OrganisationKind.COUNCIL), None)
        partnership = _partnership_of(council) if council is not None else None
        if partnership is not None:
            others.append(partnership)
    label = DisagreementStageLevel(level).label
    recorded = _share_with(
        actor=actor,
        kind=EventKind.DISAGREEMENT,
        person=disagreement.person,
        recipients=others,
        summary=f"Professional disagreement, {label.lower()}: {disagreement.about}",
        details={"step": "stage-opened", "stage": level, "disagreement": str(disagreement.pk)},
    )
    # The stage's clock runs for the agency that raised the disagreement: it must see it answered.
    clock = clocks.clock_start(
        rule=ESCALATION_RULE,
        started_at=now,
        organisation=disagreement.raised_by,
        subject_type="disagreement",
        subject_id=f"{disagreement.pk}:{level}",
        person=disagreement.person,
        event=recorded.event,
    )
    return DisagreementStage.objects.create(
        disagreement=disagreement, level=level, started_at=now, due_at=clock.due_at, event=recorded.event
    )


def stage_clock(stage: DisagreementStage) -> Clock | None:
    return Clock.objects.filter(
        rule=ESCALATION_RULE,
        subject_type="disagreement",
        subject_id=f"{stage.disagreement_id}:{stage.level}",
    ).first()


def disagreement_stage_record(
    *,
    actor: Actor,
    disagreement: Disagreement,
    outcome: str,
    notes: str,
    resolution: str = "",
    delay_reason: str = "",
) -> Disagreement:
    """Record the outcome of the current stage: resolved (and, for a disputed closure, how), or escalated to
    the next stage, which opens with its own clock. Either agency in the disagreement may record it."""
    _case_worker_of(actor, *_parties(disagreement), what="record the outcome of a disagreement stage")
    errors: dict[str, str] = {}
    if disagreement.status != DisagreementStatus.OPEN:
        errors[""] = "This disagreement has been resolved"
    if outcome not in StageOutcome.values:
        errors["outcome"] = "Choose whether it was resolved or is escalated to the next stage"
    elif outcome == StageOutcome.ESCALATED and disagreement.stage >= DisagreementStageLevel.PARTNERSHIP:
        errors["outcome"] = "Stage 4 (the safeguarding partnership) is the last: record how it was resolved"
    if outcome == StageOutcome.RESOLVED and disagreement.closure_id and resolution not in Resolution.values:
        errors["resolution"] = "Choose whether the investigation continues or the closure goes ahead"
    if not notes.strip():
        errors["notes"] = "Say what was decided at this stage"
    if errors:
        raise InvalidInput(errors)
    stage = disagreement.stages.get(level=disagreement.stage)
    with transaction.atomic():
        now = timezone.now()
        clock = stage_clock(stage)
        late = now > stage.due_at
        if clock is not None:
            # A late stop without a reason raises InvalidInput({"breach_reason": ...}) and saves nothing.
            clocks.clock_stop(actor=actor, clock=clock, at=now, breach_reason=delay_reason)
        elif late and not delay_reason.strip():
            raise InvalidInput({"breach_reason": "Give the reason for the delay"})
        DisagreementStage.objects.filter(pk=stage.pk).update(
            outcome=outcome,
            outcome_notes=notes.strip(),
            outcome_at=now,
            outcome_by_label=actor.label,
            delay_reason=delay_reason.strip() if late else "",
        )
        if outcome == StageOutcome.ESCALATED:
            next_level = disagreement.stage + 1
            Disagreement.objects.filter(pk=disagreement.pk).update(stage=next_level)
            disagreement.stage = next_level
            _stage_open(actor, disagreement, next_level, now)
        else:
            _disagreement_resolve(actor, disagreement, resolution, notes.strip(), now)
        _audit(
            actor,
            action=AuditAction.UPDATE,
            object_type="disagreement",
            object_id=disagreement.pk,
            person=disagreement.person,
            reason=f"recorded the outcome of {DisagreementStageLevel(stage.level).label.lower()}",
            detail={"outcome": outcome, "resolution": resolution},
        )
    disagreement.refresh_from_db()
    return disagreement


def _disagreement_resolve(
    actor: Actor, disagreement: Disagreement, resolution: str, notes: str, now: dt.datetime
) -> None:
    assert actor.organisation is not None
    Disagreement.objects.filter(pk=disagreement.pk).update(
        status=DisagreementStatus.RESOLVED, resolution=resolution, resolved_at=now
    )
    if disagreement.closure_id is not None:
        if resolution == Resolution.CLOSURE_AGREED:
            InvestigationClosure.objects.filter(pk=disagreement.closure_id).update(
                status=ClosureStatus.CLOSED, closed_at=now
            )
        else:
            InvestigationClosure.objects.filter(pk=disagreement.closure_id).update(
                status=ClosureStatus.WITHDRAWN
            )
    _share_with(
        actor=actor,
        kind=EventKind.DISAGREEMENT,
        person=disagreement.person,
        recipients=[org for org in _parties(disagreement) if org.pk != actor.organisation.pk],
        summary="Professional disagreement resolved"
        + (f": {Resolution(resolution).label.lower()}" if resolution else "")
        + f". {notes}",
        details={"step": "resolved", "disagreement": str(disagreement.pk), "resolution": resolution},
    )
