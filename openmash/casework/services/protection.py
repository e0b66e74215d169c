"""The end of police protection: the 72-hour maximum (Children Act 1989 s46), the reason for any delay, and
telling everyone who was told of the notice."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.casework.models import (
    PoliceProtectionEnd,
    ProtectionEnd,
)
from openmash.casework.services._shared import (
    PROTECTION_MAX_RULE,
    audit_step,
    check_instant,
)
from openmash.clocks import services as clocks
from openmash.clocks.models import Clock
from openmash.clocks.selectors import open_clocks
from openmash.events.models import Event, EventKind
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import is_future
from openmash.recording.services import EventInput, PersonInput, event_record


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
    if event.kind != EventKind.POLICE_PROTECTION or not policy.may_record_protection_end(actor, event):
        raise NotAllowed("Only the force and the councils told of this police protection may record its end")
    assert actor.organisation is not None
    errors: dict[str, str] = {}
    if PoliceProtectionEnd.objects.filter(event=event).exists():
        errors[""] = "The end of this police protection has already been recorded"
    check_instant(ended_at, "ended_at", "Enter when the child left police protection", errors)
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
        # Everyone told of the police protection is told at once that it has ended, and how (the rule:
        # sharing.routing.told_of_the_protection).
        event_record(
            actor=actor,
            data=EventInput(
                kind=EventKind.POLICE_PROTECTION_ENDED,
                occurred_at=ended_at,
                reference=event.reference,
                summary=f"{ProtectionEnd(how).label}. {notes.strip()}".strip(),
                details={"police_protection": str(event.pk), "how": how},
                people=[PersonInput(person_id=child.pk) for child in children],
            ),
        )
        for child in children:
            audit_step(
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
