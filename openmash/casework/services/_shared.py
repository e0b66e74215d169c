"""What the casework services share: who may act, recording a step as an event, auditing, checking times."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.services import audit_record
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import NotAllowed
from openmash.lib.instants import instant_problem
from openmash.organisations.models import Organisation
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record
from openmash.sharing.models import Route

# Disagreement stages run on this clock (5 working days each by default; an area may set its own figure).
ESCALATION_RULE = ClockRule.ESCALATION_STAGE
PROTECTION_MAX_RULE = ClockRule.POLICE_PROTECTION_MAX


def involved_agency(actor: Actor, *organisations: Organisation | None, what: str) -> Organisation:
    if actor.organisation is None or not policy.may_act_as_involved_agency(
        actor, [org.pk for org in organisations if org is not None]
    ):
        raise NotAllowed(f"Only the agencies involved may {what}")
    return actor.organisation


def share_with_involved(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    recipients: Sequence[Organisation],
    summary: str,
    details: dict[str, Any],
    reference: str = "",
    occurred_at: dt.datetime | None = None,
    council: Organisation | None = None,
) -> RecordedEvent:
    """Record a step as an event shared with the agencies involved (its parties), the same way as every other
    event; whoever else must be told is routing's rule for the kind (sharing.routing)."""
    return event_record(
        actor=actor,
        data=EventInput(
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            reference=reference,
            summary=summary,
            details=details,
            people=[PersonInput(person_id=person.pk)],
            council=council,
            added_recipients=list(recipients),
            added_route=Route.INVOLVED,
        ),
    )


def answer_due(recorded: RecordedEvent, recipient: Organisation) -> dt.datetime | None:
    """When ``recipient``'s answer to a step is due: its share's deadline (sharing.routing.ANSWER_CLOCKS)."""
    return next((share.due_at for share in recorded.shares if share.recipient_id == recipient.pk), None)


def audit_step(
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


def check_instant(
    value: dt.datetime | None, field: str, missing: str, errors: dict[str, str], *, future: str = ""
) -> None:
    problem = instant_problem(value, now=timezone.now(), missing=missing, future=future)
    if problem:
        errors[field] = problem
