"""Acting on a share: the recipient acknowledges it and records what it decided. A council front door's
decision can start a statutory clock (an assessment, a strategy discussion: clocks/starts.py), so this sits in
recording, above both sharing and clocks, and is one transaction that writes the decision, the clock and the
audit entries."""

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks import starts as clock_starts
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.sharing.models import Decision, ImportedAs, Share
from openmash.sharing.services import answered_by_a_step, decision_list, decisions_for, front_door_decides


def share_acknowledge(*, actor: Actor, share: Share, decision: str, reasons: str = "") -> Share:
    """Acknowledge a share and record what the recipient decided. A council front door must choose its next
    step and give reasons; other recipients (and councils receiving other work) acknowledge that they have
    read and noted it."""
    if not policy.may_act_on_share(actor, share.recipient_id):
        raise NotAllowed("Only the receiving organisation's practitioners act on a share")
    if share.acknowledged_at is not None:
        raise InvalidInput({"decision": "This has already been acknowledged"})
    if share.imported_as == ImportedAs.HISTORY:
        # A decision now would start clocks from a referral handled years ago, in another system.
        raise InvalidInput(
            {"decision": "This is history, handled in another system: it needs no decision here"}
        )
    if answered_by_a_step(share):
        raise InvalidInput({"decision": "Answer this on its own page: it is acknowledged when you answer it"})
    is_council = front_door_decides(share)
    errors = {}
    if is_council and decision not in decisions_for(share):
        errors["decision"] = f"Choose the next step: {decision_list(decisions_for(share))}"
    elif not is_council and decision not in ("", Decision.NOTED):
        errors["decision"] = "This is acknowledged as read and noted: there is no decision to make"
    if is_council and not reasons.strip():
        errors["reasons"] = "Give the reasons for the decision"
    if errors:
        raise InvalidInput(errors)
    if not is_council:
        # Only one thing can be done with it (read and noted): no choice to get wrong.
        decision = Decision.NOTED
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
        clock_starts.start_for_decision(share, actor.user, now)
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
