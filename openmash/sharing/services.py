"""What recipients do with a share: read it, acknowledge it with a decision; and escalation when nobody does."""

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.starts import start_for_decision
from openmash.database import sqlite_write_gate
from openmash.events.models import EventKind, Source
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


# Notifications about a child that a council's front door triages. Everything else a council receives (a
# meeting invitation, an officer named for a joint visit, a proposed closure) is worked on its own page and
# acknowledged as read.
FRONT_DOOR_KINDS = frozenset(
    {
        EventKind.DOMESTIC_ABUSE,
        EventKind.MISSING,
        EventKind.FOUND,
        EventKind.POLICE_PROTECTION,
        EventKind.REFERRAL,
        EventKind.INFORMATION_SHARE,
    }
)


def front_door_decides(share: Share) -> bool:
    """Whether acknowledging this share means a front-door decision (with reasons) rather than "noted"."""
    return share.recipient.kind == OrganisationKind.COUNCIL and share.event.kind in FRONT_DOOR_KINDS


def decisions_for(share: Share) -> list[Decision]:
    return list(COUNCIL_DECISIONS) if front_door_decides(share) else [Decision.NOTED]


def share_acknowledge(*, actor: Actor, share: Share, decision: str, reasons: str = "") -> Share:
    """Acknowledge a share and record what the recipient decided. A council front door must choose its next
    step and give reasons; other recipients (and councils receiving other work) acknowledge that they have
    read and noted it."""
    _recipient_practitioner(actor, share)
    if share.acknowledged_at is not None:
        raise InvalidInput({"decision": "This has already been acknowledged"})
    is_council = front_door_decides(share)
    errors = {}
    if decision not in decisions_for(share):
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


# Escalations are raised in batches, each its own short transaction, and a sweep stops after this long so the
# worker's deliveries are not held up when thousands fall overdue at once (an imported backlog); the next sweep,
# 15 seconds later, carries on.
ESCALATION_BATCH = 500
ESCALATION_SWEEP_SECONDS = 1.0


def escalate_overdue(*, now: dt.datetime | None = None, seconds: float = ESCALATION_SWEEP_SECONDS) -> int:
    """Raise unacknowledged shares past their deadline: first to the recipient's team managers, then, once as
    long again has passed, to the safeguarding partnership. Safe with several workers: each batch locks the
    shares it raises (skipping those another worker holds) and moves them up one level in one transaction."""
    now = now or timezone.now()
    began = time.monotonic()
    raised = batches = 0
    for level in (1, 2):
        rows = list(
            Share.objects.filter(acknowledged_at__isnull=True, due_at__lt=now, escalation_level=level - 1)
            .exclude(event__source=Source.HELD)  # an import not all in yet: no one has been told
            .order_by("due_at")
            .values_list(
                "pk",
                "due_at",
                "reported_at",
                "occurred_at",
                "recipient_id",
                "recipient__kind",
                "recipient__parent_id",
            )
        )
        if level == 2:
            rows = [row for row in rows if _long_overdue(row[1], row[2] or row[3], now)]
        targets = _escalation_targets(level, rows)
        for first in range(0, len(rows), ESCALATION_BATCH):
            if batches and time.monotonic() - began > seconds:
                return raised  # at least one batch a sweep, so a slow database still makes progress
            batches += 1
            chunk = [row[0] for row in rows[first : first + ESCALATION_BATCH]]
            with sqlite_write_gate(), transaction.atomic():
                mine = list(
                    Share.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=chunk, escalation_level=level - 1)
                    .values_list("pk", flat=True)
                )
                Share.objects.filter(pk__in=mine).update(escalation_level=level)
                Escalation.objects.bulk_create(
                    [
                        Escalation(
                            share_id=pk, level=level, at=now, to_organisation_id=targets[pk], to_role=role
                        )
                        for pk in mine
                        for role in [Role.TEAM_MANAGER if level == 1 else Role.PARTNERSHIP_LEAD]
                    ],
                    ignore_conflicts=True,
                )
            raised += len(mine)
    return raised


def _long_overdue(due: dt.datetime | None, started: dt.datetime, now: dt.datetime) -> bool:
    """Overdue by as long again as the share had to be acknowledged in."""
    return due is not None and now >= due + (due - started)


def _escalation_targets(level: int, rows: list[tuple]) -> dict[object, int]:
    """Share id -> the organisation raised to: the recipient itself (its team managers) at level 1; at level 2
    the partnership of the recipient's council (the recipient when it is a council, a school's council), or
    the recipient where there is no partnership on the service."""
    if level == 1:
        return {pk: recipient for pk, _d, _r, _o, recipient, _k, _p in rows}
    council_of = {
        pk: recipient if kind == OrganisationKind.COUNCIL else parent
        for pk, _d, _r, _o, recipient, kind, parent in rows
    }
    partnerships = dict(
        Organisation.objects.filter(
            kind=OrganisationKind.PARTNERSHIP, parent_id__in={c for c in council_of.values() if c}
        ).values_list("parent_id", "pk")
    )
    return {pk: partnerships.get(council_of[pk]) or recipient for pk, _d, _r, _o, recipient, _k, _p in rows}


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
