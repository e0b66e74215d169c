"""Writes about missing children: placements, missing and found reports as episodes, risk gradings, updates,
safe-and-well checks and return home interviews.

Missing, found and return-interview reports are events: they are recorded through the events' one recording
service (``event_record``) and shared at once like every event; the episode's own rows are written in the same
transaction (its ``also``), so an episode exists exactly when its report does. Each write is checked first
(every field error at once), then written with its audit entry in one transaction.

The writes are split by what they are about: ``placements``, ``repeats`` (the area's repeat-missing figures),
``episodes`` (missing and found reports, gradings, updates, safe-and-well checks) and ``interviews`` (return
home interviews). Import them from here.
"""

from openmash.missing.services.episodes import (
    FoundInput,
    MissingReportInput,
    RecordedEpisode,
    episode_update_add,
    found_report_record,
    found_reports_record_many,
    missing_report_record,
    missing_reports_record_many,
    risk_grade,
    safe_and_well_record,
    seen_with_add,
)
from openmash.missing.services.interviews import (
    InterviewOutcome,
    independence_conflict,
    return_interview_answer,
    return_interview_offer,
    return_interview_record,
)
from openmash.missing.services.placements import placement_of, placement_record, placements_of
from openmash.missing.services.repeats import (
    REPEAT_DAYS,
    REPEAT_DAYS_RANGE,
    REPEAT_EPISODES,
    REPEAT_EPISODES_RANGE,
    repeat_figures,
    repeat_figures_by_council,
    repeat_setting_set,
)

__all__ = [
    "REPEAT_DAYS",
    "REPEAT_DAYS_RANGE",
    "REPEAT_EPISODES",
    "REPEAT_EPISODES_RANGE",
    "FoundInput",
    "InterviewOutcome",
    "MissingReportInput",
    "RecordedEpisode",
    "episode_update_add",
    "found_report_record",
    "found_reports_record_many",
    "independence_conflict",
    "missing_report_record",
    "missing_reports_record_many",
    "placement_of",
    "placement_record",
    "placements_of",
    "repeat_figures",
    "repeat_figures_by_council",
    "repeat_setting_set",
    "return_interview_answer",
    "return_interview_offer",
    "return_interview_record",
    "risk_grade",
    "safe_and_well_record",
    "seen_with_add",
]
