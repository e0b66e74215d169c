"""A share's two clocks, one each side (domain.md section 3), counted by ``clocks.services.deadline`` in the
recipient's nation with its area's own figures and school days.

- The **sender's** clock (``notification_rule``, ``notification_due_at``): how soon the recording agency had
  to tell this recipient (police to the council within the ``da-notification`` rule, a school before the next
  school day). It runs from the event (when reported, else when it happened) and is met or missed when the
  share is sent; a late notice is the sender's, recorded against it, never escalated to the recipient.
- The **recipient's** clock (``clock_rule``, ``due_at``): how soon the recipient must act. It runs from the
  share's arrival: a council front door decides within 1 working day of receiving a notification about a
  child (``referral-decision``, Working Together). Only this one escalates at the recipient. A school reading
  an Operation Encompass notice, and anything else received for information, has no deadline.
"""

import datetime as dt
from dataclasses import dataclass

from openmash.clocks.services import deadline, deadlines
from openmash.events.models import Event, EventKind
from openmash.lib.clock_rules import ClockRule
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.routing import FRONT_DOOR_KINDS, answer_clock

# The kinds whose arrival at a council front door starts its referral-decision clock (Working Together: a
# referral is acknowledged and next steps decided within 1 working day of receipt). An information share is
# decided on too, without a statutory clock.
DECIDED_WITHIN_A_WORKING_DAY = FRONT_DOOR_KINDS - {EventKind.INFORMATION_SHARE}


def deadline_for(rule: str, start: dt.datetime, recipient: Organisation) -> dt.datetime | None:
    """When a clock of ``rule`` started at ``start`` falls due for the recipient, or None for no rule."""
    if not rule:
        return None
    return deadline(rule, start, recipient)


def deadlines_for(rule: str, starts: list[dt.datetime], recipient: Organisation) -> list[dt.datetime]:
    """``deadline_for`` of each of many starts of one rule (not none) for one recipient, worked out at once."""
    return deadlines(rule, starts, recipient)


def recipient_rule(event: Event, recipient: Organisation) -> str:
    """The recipient's own clock for a share of ``event`` ("" for none): a step of joint work waiting for the
    recipient's answer runs on its answer clock (routing.ANSWER_CLOCKS), a council's front door on its decision."""
    if waiting := answer_clock(event):
        return waiting
    if recipient.kind == OrganisationKind.COUNCIL and event.kind in DECIDED_WITHIN_A_WORKING_DAY:
        return ClockRule.REFERRAL_DECISION
    return ""


@dataclass(frozen=True)
class ShareClocks:
    clock_rule: str
    due_at: dt.datetime | None
    notification_rule: str
    notification_due_at: dt.datetime | None


def share_clocks(
    *, event: Event, recipient: Organisation, notification_rule: str, shared_at: dt.datetime
) -> ShareClocks:
    """Both clocks of one share: ``notification_rule`` is the one routing named for the sender."""
    rule = recipient_rule(event, recipient)
    return ShareClocks(
        clock_rule=rule,
        due_at=deadline_for(rule, shared_at, recipient),
        notification_rule=notification_rule,
        notification_due_at=deadline_for(
            notification_rule, event.reported_at or event.occurred_at, recipient
        ),
    )
