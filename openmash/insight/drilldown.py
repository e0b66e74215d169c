"""The cases behind a figure of the dashboard: the notifications, episodes, meetings and clocks it counts, each
row with the children it is about, named only where the viewer may see them (``people.selectors``; the policy
decides). Every list is counted whole, so a row about a child the viewer has no reason to see is still a row:
its child is counted, not named. Each list is read by ``area_list`` (``insight.selectors``), which asks the
policy and audits it.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openmash.casework.models import InvestigationClosure, JointVisit, VisitStatus
from openmash.clocks.models import Clock
from openmash.clocks.selectors import clock_measures
from openmash.events.models import EventKind, EventSubject, Source, SubjectRole
from openmash.insight.measures import (
    LONDON,
    RETURN_INTERVIEW_OFFER,
    Period,
    _da_notifications,
    _deadline,
    batched_positions,
    days_late,
    vetting_at,
)
from openmash.lib.clock_rules import ClockRule
from openmash.lib.epoch import micros
from openmash.lib.govuk import govuk_date, govuk_datetime
from openmash.meetings.models import EvidentialInterview, MeetingInvitation, MeetingKind, Participation
from openmash.missing.models import MissingEpisode, ReturnInterview
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.models import Share
from openmash.vetting.models import VettingRequest

# The longest list shown on one page: the rest are counted, and the figure says how many there are.
SHOWN = 500


@dataclass(frozen=True)
class Line:
    cells: list[str]
    children: list[uuid.UUID]
    when: dt.datetime


@dataclass(frozen=True)
class AreaList:
    key: str
    title: str
    anchor: str  # the definition in docs/metrics.md the figure behind it follows
    headers: list[str]
    lines: list[Line]
    rule_title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} hours"


def _when(value: dt.datetime | None) -> str:
    return govuk_datetime(value) if value is not None else "Not yet"


def _children_of_events(event_ids: list[Any]) -> dict[Any, list[uuid.UUID]]:
    children: dict[Any, list[uuid.UUID]] = defaultdict(list)
    for event_id, person_id in EventSubject.objects.filter(
        event_id__in=event_ids, role=SubjectRole.CHILD
    ).values_list("event_id", "person_id"):
        children[event_id].append(person_id)
    return children


# Domestic abuse ---------------------------------------------------------------------------------------------

DA_HEADERS = ["Reported to police", "Shared with the council", "Time taken", "Due by", "Sent by"]


def _da_rows(council: Organisation, period: Period) -> list[dict[str, Any]]:
    return list(
        _da_notifications([council.pk])
        .filter(reported__gte=period.start, reported__lt=period.end)
        .values(
            "pk",
            "event_id",
            "event__recorded_by_id",
            "event__recorded_by__name",
            "shared_at",
            "reported",
            "notification_due_at",
        )
        .order_by("reported", "pk")
    )


def _da_lines(rows: list[dict[str, Any]]) -> list[Line]:
    children = _children_of_events([row["event_id"] for row in rows])
    return [
        Line(
            [
                govuk_datetime(row["reported"]),
                govuk_datetime(row["shared_at"]),
                _hours(row["shared_at"] - row["reported"]),
                _when(row["notification_due_at"]),
                row["event__recorded_by__name"],
            ],
            children[row["event_id"]],
            row["reported"],
        )
        for row in rows
    ]


def _da_all(council: Organisation, period: Period, **_: Any) -> list[Line]:
    return _da_lines(_da_rows(council, period))


def _da_late(council: Organisation, period: Period, **_: Any) -> list[Line]:
    rows = _da_rows(council, period)
    return _da_lines(
        [
            r
            for r in rows
            if r["notification_due_at"] is not None and r["shared_at"] > r["notification_due_at"]
        ]
    )


def _da_batched(council: Organisation, period: Period, **_: Any) -> list[Line]:
    """The notifications ``measures.domestic_abuse_notifications`` counts as batched, found the same way."""
    rows = _da_rows(council, period)
    if not rows:
        return []
    batched = batched_positions(
        _da_notifications([council.pk]),
        period,
        [
            (council.pk, row["event__recorded_by_id"], micros(row["shared_at"]), micros(row["reported"]))
            for row in rows
        ],
    )
    return _da_lines([row for n, row in enumerate(rows) if n in batched])


# Missing children -------------------------------------------------------------------------------------------

MISSING_HEADERS = ["Reported to police", "Council told", "Time taken", "Due by", "Found"]


def _episodes(council: Organisation, period: Period) -> list[dict[str, Any]]:
    rows: Any = (
        MissingEpisode.objects.filter(
            council=council, reported_at__gte=period.start, reported_at__lt=period.end
        )
        .exclude(missing_report__source=Source.HELD)
        .values("pk", "child_id", "reported_at", "council_told_at", "found_at")
        .order_by("reported_at", "pk")
    )
    return list(rows)


def _missing_lines(council: Organisation, rows: list[dict[str, Any]]) -> list[Line]:
    lines = []
    for row in rows:
        due = _deadline(ClockRule.MISSING_NOTIFICATION, row["reported_at"], council)
        told = row["council_told_at"]
        lines.append(
            Line(
                [
                    govuk_datetime(row["reported_at"]),
                    _when(told),
                    _hours(told - row["reported_at"]) if told is not None else "Not told",
                    govuk_datetime(due),
                    _when(row["found_at"]) if row["found_at"] else "Not found yet",
                ],
                [row["child_id"]],
                row["reported_at"],
            )
        )
    return lines


def _missing_all(council: Organisation, period: Period, **_: Any) -> list[Line]:
    return _missing_lines(council, _episodes(council, period))


def _missing_late(council: Organisation, period: Period, *, now: dt.datetime, **_: Any) -> list[Line]:
    """Episodes whose council was not told by the deadline: told after it, or not told and past it (the
    episodes ``notified_within_target_pct`` counts as not in time)."""
    late = []
    for row in _episodes(council, period):
        due = _deadline(ClockRule.MISSING_NOTIFICATION, row["reported_at"], council)
        told = row["council_told_at"]
        if (told is not None and told > due) or (told is None and due <= now):
            late.append(row)
    return _missing_lines(council, late)


def _missing_not_offered(council: Organisation, period: Period, *, now: dt.datetime, **_: Any) -> list[Line]:
    """Found children whose return home interview was not offered within 72 hours (late or not at all, once 72
    hours have passed): those ``offered_within_72h_pct`` counts as not in time."""
    found = [row for row in _episodes(council, period) if row["found_at"] is not None]
    offered = dict(
        ReturnInterview.objects.filter(episode_id__in=[row["pk"] for row in found]).values_list(
            "episode_id", "offered_at"
        )
    )
    late = [
        row
        for row in found
        if (row["pk"] in offered and offered[row["pk"]] > row["found_at"] + RETURN_INTERVIEW_OFFER)
        or (row["pk"] not in offered and row["found_at"] + RETURN_INTERVIEW_OFFER <= now)
    ]
    return [
        Line(
            [
                govuk_datetime(row["reported_at"]),
                govuk_datetime(row["found_at"]),
                _when(offered.get(row["pk"])) if row["pk"] in offered else "Not offered",
            ],
            [row["child_id"]],
            row["reported_at"],
        )
        for row in late
    ]


# Police protection and meetings -----------------------------------------------------------------------------


def _protection_no_alternatives(council: Organisation, period: Period, **_: Any) -> list[Line]:
    events = (
        _protection_shares(council, period)
        .filter(event__details__alternatives_discussed=False)
        .values("event_id", "event__occurred_at", "shared_at", "event__recorded_by__name")
        .order_by("event__occurred_at")
    )
    rows = list(events)
    children = _children_of_events([row["event_id"] for row in rows])
    return [
        Line(
            [
                govuk_datetime(row["event__occurred_at"]),
                govuk_datetime(row["shared_at"]),
                row["event__recorded_by__name"],
            ],
            children[row["event_id"]],
            row["event__occurred_at"],
        )
        for row in rows
    ]


def _protection_shares(council: Organisation, period: Period) -> Any:
    return (
        Share.objects.filter(recipient=council, event__kind=EventKind.POLICE_PROTECTION)
        .exclude(event__source=Source.HELD)
        .filter(event__occurred_at__gte=period.start, event__occurred_at__lt=period.end)
    )


def _police_absent(kind: str) -> Callable[..., list[Line]]:
    def lines(council: Organisation, period: Period, **_: Any) -> list[Line]:
        rows = (
            MeetingInvitation.objects.filter(
                meeting__council=council,
                meeting__kind=kind,
                meeting__held_at__gte=period.start,
                meeting__held_at__lt=period.end,
                organisation__kind=OrganisationKind.POLICE,
            )
            .exclude(participation=Participation.ATTENDED)
            .values("meeting__held_at", "meeting__child_id", "organisation__name", "participation")
            .order_by("meeting__held_at")
        )
        labels = dict(Participation.choices)
        return [
            Line(
                [
                    govuk_datetime(row["meeting__held_at"]),
                    row["organisation__name"],
                    labels.get(row["participation"], "Not recorded"),
                ],
                [row["meeting__child_id"]],
                row["meeting__held_at"] or period.start,  # held: the filter asks for a time in the period
            )
            for row in rows
        ]

    return lines


# Joint work: visits, closures, joint interviews -------------------------------------------------------------


def _visits_lone(council: Organisation, period: Period, **_: Any) -> list[Line]:
    """The visits ``joint_visits`` counts as lone: made, needing an officer, without one."""
    rows = (
        JointVisit.objects.filter(
            council=council,
            requested_at__gte=period.start,
            requested_at__lt=period.end,
            status=VisitStatus.DONE,
            lone_visit=True,
        )
        .values("person_id", "requested_at", "visited_at", "decline_reason")
        .order_by("requested_at")
    )
    return [
        Line(
            [
                govuk_datetime(row["requested_at"]),
                _when(row["visited_at"]),
                row["decline_reason"] or "Not recorded",
            ],
            [row["person_id"]],
            row["requested_at"],
        )
        for row in rows
    ]


def _closures_unconsulted(council: Organisation, period: Period, **_: Any) -> list[Line]:
    """The closures ``investigation_closures`` counts as without consultation: closed with no answer from the
    council."""
    rows = (
        InvestigationClosure.objects.filter(
            council=council,
            proposed_at__gte=period.start,
            proposed_at__lt=period.end,
            closed_at__isnull=False,
            responded_at__isnull=True,
        )
        .values("person_id", "proposed_at", "closed_at", "police_force__name")
        .order_by("proposed_at")
    )
    return [
        Line(
            [govuk_datetime(row["proposed_at"]), _when(row["closed_at"]), row["police_force__name"]],
            [row["person_id"]],
            row["proposed_at"],
        )
        for row in rows
    ]


def _interviews_late(council: Organisation, period: Period, *, now: dt.datetime, **_: Any) -> list[Line]:
    """The joint interviews ``evidential_interviews`` counts as due but not held by their target date: held
    after it, recorded as not held, or still waiting past it."""
    today = vetting_at(period, now).astimezone(LONDON).date()
    rows = (
        EvidentialInterview.objects.filter(
            strategy_discussion__council=council,
            requested_at__gte=period.start,
            requested_at__lt=period.end,
        )
        .values("strategy_discussion__child_id", "requested_at", "target_date", "held_at", "not_held_reason")
        .order_by("requested_at")
    )
    lines = []
    for row in rows:
        held = row["held_at"]
        if held is not None:
            if days_late(held, row["target_date"]) == 0:
                continue
            late = days_late(held, row["target_date"])
            outcome = f"{late} day{'s' if late != 1 else ''} after the target date"
        elif row["not_held_reason"]:
            outcome = "Not held: " + row["not_held_reason"]
        elif row["target_date"] < today:
            outcome = "Still waiting"
        else:
            continue
        lines.append(
            Line(
                [
                    govuk_datetime(row["requested_at"]),
                    govuk_date(row["target_date"]),
                    _when(held),
                    outcome,
                ],
                [row["strategy_discussion__child_id"]],
                row["requested_at"],
            )
        )
    return lines


# Vetting and clocks -----------------------------------------------------------------------------------------


def _vetting_open(council: Organisation, period: Period, *, now: dt.datetime, **_: Any) -> list[Line]:
    """The open checks ``vetting_backlog`` counts: by reference and role only (an applicant is not a child of
    the area's cases; their names stay on the vetting pages, which decide who sees them)."""
    at = min(now, period.end)
    rows = (
        VettingRequest.objects.filter(council=council, submitted_at__lt=at)
        .filter(Q(outcome="") | Q(outcome_at__gte=at))
        .order_by("submitted_at")
    )
    return [
        Line(
            [
                request.reference or "No reference",
                request.get_role_display(),
                govuk_datetime(request.submitted_at),
                govuk_datetime(request.due_at),
                f"{(at - request.submitted_at).total_seconds() / 86400:.1f} days",
            ],
            [],
            request.submitted_at,
        )
        for request in rows
    ]


def _clocks_overdue(
    council: Organisation, period: Period, *, now: dt.datetime, rule: str, **_: Any
) -> list[Line]:
    rows = (
        Clock.objects.filter(
            organisation=council,
            rule=rule,
            started_at__gte=period.start,
            started_at__lt=period.end,
            stopped_at__isnull=True,
            due_at__lt=now,
        )
        .values("person_id", "started_at", "due_at")
        .order_by("due_at")
    )
    return [
        Line(
            [govuk_datetime(row["started_at"]), govuk_datetime(row["due_at"]), _hours(now - row["due_at"])],
            [row["person_id"]] if row["person_id"] else [],
            row["started_at"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ListKind:
    title: str
    anchor: str
    headers: list[str]
    lines: Callable[..., list[Line]]


LISTS: dict[str, ListKind] = {
    "da-notifications": ListKind(
        "Domestic-abuse notifications to children's social care",
        "domestic_abuse_notifications",
        DA_HEADERS,
        _da_all,
    ),
    "da-late": ListKind(
        "Domestic-abuse notifications shared after their due time",
        "domestic_abuse_notifications",
        DA_HEADERS,
        _da_late,
    ),
    "da-batched": ListKind(
        "Domestic-abuse notifications sent in batches",
        "domestic_abuse_notifications",
        DA_HEADERS,
        _da_batched,
    ),
    "missing-episodes": ListKind("Missing episodes", "missing_children", MISSING_HEADERS, _missing_all),
    "missing-late": ListKind(
        "Missing episodes whose council was not told in time",
        "missing_children",
        MISSING_HEADERS,
        _missing_late,
    ),
    "missing-not-offered": ListKind(
        "Children found whose return home interview was not offered within 72 hours",
        "missing_children",
        ["Reported to police", "Found", "Interview offered"],
        _missing_not_offered,
    ),
    "protection-no-alternatives": ListKind(
        "Police protection used without alternatives discussed",
        "police_protection",
        ["Protection began", "Council told", "Police force"],
        _protection_no_alternatives,
    ),
    "police-absent-strategy": ListKind(
        "Strategy discussions the police did not attend",
        "police_participation",
        ["Held", "Police force", "How the police took part"],
        _police_absent(MeetingKind.STRATEGY_DISCUSSION),
    ),
    "police-absent-initial": ListKind(
        "Initial child protection conferences the police did not attend",
        "police_participation",
        ["Held", "Police force", "How the police took part"],
        _police_absent(MeetingKind.INITIAL_CONFERENCE),
    ),
    "police-absent-pre-birth": ListKind(
        "Pre-birth child protection conferences the police did not attend",
        "police_participation",
        ["Held", "Police force", "How the police took part"],
        _police_absent(MeetingKind.PRE_BIRTH_CONFERENCE),
    ),
    "visits-lone": ListKind(
        "Visits needing a police officer made by social workers alone",
        "joint_visits",
        ["Officer asked for", "Visited", "Why no officer came"],
        _visits_lone,
    ),
    "closures-unconsulted": ListKind(
        "Investigations closed without the council's answer",
        "investigation_closures",
        ["Closure proposed", "Closed", "Police force"],
        _closures_unconsulted,
    ),
    "interviews-late": ListKind(
        "Joint (evidential) interviews not held by their target date",
        "evidential_interviews",
        ["Asked for", "Target date", "Held", "How late"],
        _interviews_late,
    ),
    "vetting-open": ListKind(
        "Vetting checks waiting",
        "vetting_backlog",
        ["Reference", "Check for", "Submitted", "Service standard due", "Waiting"],
        _vetting_open,
    ),
    "clocks-overdue": ListKind(
        "Clocks open past their due time",
        "clocks",
        ["Started", "Due", "Overdue by"],
        _clocks_overdue,
    ),
}


def clock_rule_titles(council: Organisation, period: Period, now: dt.datetime) -> dict[str, str]:
    """The rules the council's clocks ran on in the period, by title: the choices of the overdue list."""
    measures = clock_measures(organisation=council, now=now, started_between=(period.start, period.end))
    return {measure.rule: measure.title for measure in measures}


def list_lines(
    *, key: str, council: Organisation, period: Period, rule: str = "", now: dt.datetime | None = None
) -> list[Line]:
    """Every line of one list, unfiltered: the caller names only the children the viewer may see."""
    now = now or timezone.now()
    return LISTS[key].lines(council, period, now=now, rule=rule)
