"""What recording an event writes for Philomena profiles, in the event's own transaction (events/followups.py):
a missing report releases the child's profile to the police. Loaded by the events app when Django starts."""

from openmash.events import followups
from openmash.events.models import EventKind
from openmash.philomena.services import profile_release_on_missing_report

followups.register(EventKind.MISSING, profile_release_on_missing_report)
