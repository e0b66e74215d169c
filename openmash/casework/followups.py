"""What recording an event writes for casework, in the event's own transaction (events/followups.py): each
concern looks for other agencies' concerns about the same child or adult and tells the child's front door.
Loaded by the events app when Django starts."""

from openmash.casework.services.concerns import CONCERN_KINDS, concerns_together_raise
from openmash.events import followups

for kind in sorted(CONCERN_KINDS):
    followups.register(kind, concerns_together_raise)
