"""What recipients do with a share: read it, acknowledge it with a decision; and escalation when nobody does."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.starts import start_for_decision
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.delivery import replay
from openmash.sharing.models import COUNCIL_DECISIONS, Decision, Delivery, DeliveryStatus, Escalation, Share


def _recipient_practitioner(actor: Actor, share: Share) -> None:
    from openmash.access.policy import works_cases

    if actor.organisation is None or actor.organisation.pk != share.recipient_id or not works_cases(actor):
        raise NotAllowed("Only the receiving organisation's practitioners act on a share")


def share_mark_read(*, actor: Actor, share: Share) -> Share:
    """The first time someone in the receiving organisation opens the share."""
    if actor.organisation is None or actor.organisation.pk != share.recipient_id or share.first_read_at:
        return share
    now = timezone.now()
    updated = Share.objects.filter(pk=share.pk, first_read_at__isnull=True).update(
        first_read_at=now, first_read_by_label=actor.label
    )
    if updated:
        share.first_read_at, share.first_read_by_label = now, actor.label
    return share


def share_acknowledge(*, actor: Actor, share: Share, decision: str, reasons: str = "") -> Share:
    """Acknowledge a share and record what the recipient decided. A council front door must choose its next
    step and give reasons; other recipients acknowledge that they have read and noted it."""
    _recipient_practitioner(actor, share)
    if share.acknowledged_at is not None:
        raise InvalidInput({"decision": "This has already been acknowledged"})
    is_council = share.recipient.kind == OrganisationKind.COUNCIL
    allowed = COUNCIL_DECISIONS if is_council else [Decision.NOTED]
    errors = {}
    if decision not in allowed:
        errors["decision"] = (
            "Choose the next step: no further action, early help, assessment or strategy discussion"
            if is_council
            else "Confirm you have read and noted it"
        )
    if is_council and not reasons.strip():
        errors["reasons"] = "Give the reasons for the decision"
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        updated = Share.objects.filter(pk=share.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now,
            acknowledged_by=actor.user,
            acknowledged_by_label=actor.label,
            decision=decision,
            decision_reasons=reasons.strip(),
            first_read_at=share.first_read_at or now,
            first_read_by_label=share.first_read_by_label or actor.label,
        )
        if not updated:
            raise InvalidInput({"decision": "This has already been acknowledged"})
        share.decision = decision
        start_for_decision(share, actor.user, now)
        for person_id in share.people.values_list("id", flat=True):
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="share",
                object_id=share.pk,
                person_id=person_id,
                reason="acknowledged a share",
                detail={"decision": decision},
            )
    share.refresh_from_db()
    return share


def _partnership_for(council: Organisation) -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.PARTNERSHIP, parent=council).first()


def escalate_overdue() -> int:
    """Raise unacknowledged shares past their deadline: first to the recipient's team managers, then, once as
    long again has passed, to the safeguarding partnership. Safe with several workers (one row per level)."""
    now = timezone.now()
    raised = 0
    overdue = Share.objects.filter(
        acknowledged_at__isnull=True, due_at__lt=now, escalation_level__lt=2
    ).select_related("recipient__parent")
    for share in overdue.iterator(chunk_size=500):
        assert share.due_at is not None
        if share.escalation_level == 0:
            level, to, role = 1, share.recipient, Role.TEAM_MANAGER
        else:
            window = share.due_at - (share.reported_at or share.occurred_at)
            if now < share.due_at + window:
                continue
            council = (
                share.recipient
                if share.recipient.kind == OrganisationKind.COUNCIL
                else share.recipient.parent
            )
            partnership = _partnership_for(council) if council is not None else None
            level, to, role = 2, partnership or share.recipient, Role.PARTNERSHIP_LEAD
        try:
            with transaction.atomic():
                Escalation.objects.create(share=share, level=level, at=now, to_organisation=to, to_role=role)
                Share.objects.filter(pk=share.pk, escalation_level=level - 1).update(escalation_level=level)
        except IntegrityError:
            continue  # another worker raised it first
        raised += 1
    return raised


def delivery_replay(*, actor: Actor, delivery: Delivery) -> Delivery:
    """Send a stuck (dead-lettered) delivery again. The receiving organisation's administrators or case
    workers may replay their own."""
    if actor.organisation is None or actor.organisation.pk != delivery.share.recipient_id:
        raise NotAllowed("Only the receiving organisation may replay its deliveries")
    if delivery.status != DeliveryStatus.DEAD:
        raise InvalidInput({"delivery": "Only a stuck delivery can be sent again"})
    with transaction.atomic():
        replayed = replay(delivery)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="delivery",
            object_id=delivery.pk,
            reason="replayed a stuck delivery",
        )
    return replayed
