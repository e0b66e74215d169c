"""Staged professional disagreements (practitioners, team managers, heads of service, the safeguarding
partnership), each stage on its own clock."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.casework.models import (
    ClosureStatus,
    Disagreement,
    DisagreementStage,
    DisagreementStageLevel,
    DisagreementStatus,
    InvestigationClosure,
    Resolution,
    StageOutcome,
)
from openmash.casework.services._shared import (
    ESCALATION_RULE,
    audit_step,
    involved_agency,
    share_with_involved,
)
from openmash.clocks import services as clocks
from openmash.clocks import starts
from openmash.clocks.models import Clock
from openmash.events.models import EventKind
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.services import shares_answered


def _parties(disagreement: Disagreement) -> list[Organisation]:
    return [disagreement.raised_by, disagreement.raised_with]


def disagreement_stage_open(
    actor: Actor, disagreement: Disagreement, level: int, now: dt.datetime
) -> DisagreementStage:
    assert actor.organisation is not None
    others = [org for org in _parties(disagreement) if org.pk != actor.organisation.pk]
    # The council that is a party: at the partnership's stage, routing tells its safeguarding partnership
    # (sharing.routing.partnership_at_its_stage).
    council = next((o for o in _parties(disagreement) if o.kind == OrganisationKind.COUNCIL), None)
    label = DisagreementStageLevel(level).label
    recorded = share_with_involved(
        actor=actor,
        kind=EventKind.DISAGREEMENT,
        person=disagreement.person,
        recipients=others,
        council=council,
        summary=f"Professional disagreement, {label.lower()}: {disagreement.about}",
        details={"step": "stage-opened", "stage": level, "disagreement": str(disagreement.pk)},
    )
    clock = starts.start_for_disagreement_stage(
        raised_by=disagreement.raised_by,
        disagreement_id=disagreement.pk,
        level=level,
        person=disagreement.person,
        event=recorded.event,
        opened_at=now,
    )
    return DisagreementStage.objects.create(
        disagreement=disagreement, level=level, started_at=now, due_at=clock.due_at, event=recorded.event
    )


def stage_clock(stage: DisagreementStage) -> Clock | None:
    return Clock.objects.filter(
        rule=ESCALATION_RULE,
        subject_type="disagreement",
        subject_id=starts.disagreement_stage_subject(stage.disagreement_id, stage.level),
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
    involved_agency(actor, *_parties(disagreement), what="record the outcome of a disagreement stage")
    if not policy.may_record_disagreement_stage(
        actor, [party.pk for party in _parties(disagreement)], disagreement.stage
    ):
        raise NotAllowed("From stage 2 a disagreement is taken forward by managers: ask your team manager")
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
        # The stage is answered, whoever records its outcome: the shares that opened it stop waiting.
        shares_answered(
            actor=actor,
            event=stage.event,
            answer=f"{StageOutcome(outcome).label}: {notes.strip()}",
            at=now,
        )
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
            disagreement_stage_open(actor, disagreement, next_level, now)
        else:
            _disagreement_resolve(actor, disagreement, resolution, notes.strip(), now)
        audit_step(
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
    share_with_involved(
        actor=actor,
        kind=EventKind.DISAGREEMENT,
        person=disagreement.person,
        recipients=[org for org in _parties(disagreement) if org.pk != actor.organisation.pk],
        summary="Professional disagreement resolved"
        + (f": {Resolution(resolution).label.lower()}" if resolution else "")
        + f". {notes}",
        details={"step": "resolved", "disagreement": str(disagreement.pk), "resolution": resolution},
    )
