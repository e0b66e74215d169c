"""Investigation closures that wait for the council: proposed by the police, taking effect only when the
council agrees or a disagreement ends with it going ahead, never on silence."""

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.casework.models import (
    ClosureStatus,
    Disagreement,
    DisagreementStageLevel,
    InvestigationClosure,
)
from openmash.casework.services._shared import (
    answer_due,
    audit_step,
    involved_agency,
    share_with_involved,
)
from openmash.casework.services.disagreements import disagreement_stage_open
from openmash.clocks.selectors import open_clocks
from openmash.events.models import EventKind
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import ChildStatus, ChildStatusKind, Person
from openmash.sharing.services import shares_answered


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
    if force is None or not policy.may_close_investigations(actor):
        raise NotAllowed("Only a police force closes its investigations")
    errors: dict[str, str] = {}
    if people_selectors.reason_to_see(actor, person.pk) is None:
        errors["person"] = "No such person, or your organisation may not see them"
    if not police_reference.strip():
        errors["police_reference"] = "Enter the police reference of the investigation"
    if not reasons.strip():
        errors["reasons"] = "Give the reasons for closing the investigation"
    council, on_plan = _responsible_council(person)
    s47 = under_s47_enquiry or open_clocks(rule=ClockRule.STRATEGY_DISCUSSION, person=person).exists()
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
        if shared:
            assert council is not None
            recorded = share_with_involved(
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
            )
            closure.event = recorded.event
            if needs_agreement:
                # Silence never closes it: the council's answer is due by its share's deadline (the
                # closure-answer clock), shown overdue after it and escalated like every unanswered share.
                closure.response_due_at = answer_due(recorded, council)
        closure.full_clean()
        closure.save()
        audit_step(
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
    council = involved_agency(actor, closure.council, what="respond to a proposed closure")
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
        if closure.event is not None:
            # Either answer answers the proposal: its share is acknowledged and its deadline stops.
            shares_answered(
                actor=actor,
                event=closure.event,
                answer=("Agreed: " if agree else "Disputed: ") + reasons.strip(),
                at=now,
            )
        if agree:
            share_with_involved(
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
            disagreement_stage_open(actor, disagreement, DisagreementStageLevel.PRACTITIONERS, now)
        audit_step(
            actor,
            action=AuditAction.UPDATE,
            object_type="investigation-closure",
            object_id=closure.pk,
            person=closure.person,
            reason="agreed a proposed closure" if agree else "disputed a proposed closure",
        )
    return closure
