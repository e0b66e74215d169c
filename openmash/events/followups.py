"""What else recording an event writes in its own transaction, for the apps above events.

A missing report about a looked-after child releases the child's Philomena profile to the police at once, in the
same transaction as the report (openmash.philomena). The recording pipeline cannot import that app (it sits
above it), so the app names its follow-up here when Django starts (in its own ``followups`` module, which the
events app loads in its ``AppConfig.ready``), and the pipeline runs every follow-up of an event's kind after
writing the event, inside the event's transaction: a follow-up that fails rolls the event back with it, and
nothing is half-saved.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openmash.recording.services import RecordedEvent

FollowUp = Callable[["RecordedEvent"], None]

_FOLLOW_UPS: dict[str, list[FollowUp]] = {}


def register(kind: str, follow_up: FollowUp) -> None:
    """Run ``follow_up`` with every event of ``kind`` recorded, in its transaction. Idempotent."""
    registered = _FOLLOW_UPS.setdefault(kind, [])
    if follow_up not in registered:
        registered.append(follow_up)


def run(recorded: "RecordedEvent") -> None:
    for follow_up in _FOLLOW_UPS.get(recorded.event.kind, ()):
        follow_up(recorded)
