"""The names of the statutory clocks, one enum for every app that starts, stops or reads one.

Their figures, sources and counting live in ``openmash/clocks/rules/<nation>.toml`` (read by
``clocks.engine``); a test checks that every nation's file has exactly these. Framework-free, so routing,
meetings and casework can name a clock without depending on the clocks app.
"""

from enum import StrEnum


class ClockRule(StrEnum):
    REFERRAL_DECISION = "referral-decision"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy-discussion"
    INITIAL_CONFERENCE = "initial-conference"
    CORE_GROUP = "core-group"
    FIRST_REVIEW_CONFERENCE = "first-review-conference"
    REVIEW_CONFERENCE = "review-conference"
    PRE_BIRTH_FIRST_REVIEW = "pre-birth-first-review"
    PRE_BIRTH_REVIEW_AFTER_BIRTH = "pre-birth-review-after-birth"
    POLICE_PROTECTION_INFORM = "police-protection-inform"
    POLICE_PROTECTION_MAX = "police-protection-max"
    DA_NOTIFICATION = "da-notification"
    DA_NOTIFICATION_HIGH_RISK = "da-notification-high-risk"
    ENCOMPASS = "encompass"
    MISSING_NOTIFICATION = "missing-notification"
    RETURN_INTERVIEW = "return-interview"
    ESCALATION_STAGE = "escalation-stage"
    JOINT_VISIT_ANSWER = "joint-visit-answer"
    CLOSURE_ANSWER = "closure-answer"
    SERIOUS_INCIDENT = "serious-incident"
    DBS_ENHANCED = "dbs-enhanced"
    DBS_ESCALATION = "dbs-escalation"
