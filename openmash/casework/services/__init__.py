"""Joint casework writes: joint visits, the end of police protection, investigation closures and professional
disagreements. Each is atomic, audited in its own transaction, and, where another agency must know, recorded
as an event through ``event_record`` so that its share is delivered and timed like every other.
"""

from openmash.casework.services._shared import ESCALATION_RULE, PROTECTION_MAX_RULE
from openmash.casework.services.closures import (
    Response,
    investigation_closure_propose,
    investigation_closure_respond,
)
from openmash.casework.services.disagreements import disagreement_stage_record, stage_clock
from openmash.casework.services.protection import police_protection_end, protection_clocks, protection_due
from openmash.casework.services.visits import (
    joint_visit_confirm_officer,
    joint_visit_decline,
    joint_visit_record,
    joint_visit_request,
    lone_visit_review,
)

__all__ = [
    "ESCALATION_RULE",
    "PROTECTION_MAX_RULE",
    "Response",
    "disagreement_stage_record",
    "investigation_closure_propose",
    "investigation_closure_respond",
    "joint_visit_confirm_officer",
    "joint_visit_decline",
    "joint_visit_record",
    "joint_visit_request",
    "lone_visit_review",
    "police_protection_end",
    "protection_clocks",
    "protection_due",
    "stage_clock",
]
