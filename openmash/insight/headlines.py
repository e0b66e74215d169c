"""The headline figures of the partnership dashboard and the findings report: a few of issue 16's measures
(``insight.measures``) that can be compared between areas of any size, as data.

Each is a rate or a typical delay, never a raw count, so a small area and a large one can stand side by side:
the national median and best quartile (``insight.comparison``) only mean something for those. Which direction
is "best" for each is said here and in docs/metrics.md ("Comparison with other areas"). An area with no rows of
a measure in a period has ``None`` for it, never 0.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from django.utils import timezone

from openmash.insight.measures import (
    DaRow,
    MissingRows,
    Period,
    by_council,
    closure_counts_of,
    closure_rows,
    closure_summary,
    da_summary,
    encompass_summary,
    evidential_interview_rows,
    evidential_interview_summary,
    joint_visit_rows,
    joint_visit_summary,
    missing_rows,
    missing_summary,
    notification_rows,
    participation_rows,
    participation_summary,
    protection_rows,
    protection_summary,
    vetting_at,
    vetting_rows,
    vetting_summary,
    visit_counts_of,
)
from openmash.organisations.models import Organisation


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    # Where the figure is in ``area_measures``'s answer, and how many cases it is worked out from.
    path: tuple[str, ...]
    base: tuple[str, ...]
    base_label: str
    unit: str  # "%", "hours" or "days"
    better: Better
    # The heading of its definition in docs/metrics.md (the measure's key).
    anchor: str
    # The chart it is drawn in (``insight.charts``), by title.
    chart: str
    # The list of cases behind it (``insight.drilldown.LISTS``), or "" where there is none.
    drill: str = ""


IN_TIME_CHART = "Notifications to children's social care in time"
MISSING_CHART = "Missing children: the council told in time and return interviews"
POLICE_CHART = "Police taking part in meetings"
PROTECTION_CHART = "Police protection"
DELAY_CHART = "Typical time to tell the council"
VETTING_CHART = "Vetting checks waiting"
JOINT_CHART = "Joint work between the police and social workers"

DA = ("domestic_abuse_notifications",)
MISSING = ("missing_children",)
INTERVIEWS = ("missing_children", "return_interviews")
PROTECTION = ("police_protection",)
STRATEGY = ("police_participation", "strategy_discussions")
INITIAL = ("police_participation", "conferences", "initial")
PRE_BIRTH = ("police_participation", "conferences", "pre_birth")
VISITS = ("joint_visits",)
CLOSURES = ("investigation_closures",)
INTERVIEWS_ASKED = ("evidential_interviews",)

HEADLINES: tuple[Headline, ...] = (
    Headline(
        "da_in_time",
        "Domestic-abuse notifications shared within the area's target",
        (*DA, "within_target_pct"),
        (*DA, "count"),
        "notifications",
        "%",
        Better.HIGHER,
        "domestic_abuse_notifications",
        IN_TIME_CHART,
        "da-late",
    ),
    Headline(
        "da_batched",
        "Domestic-abuse notifications sent in batches",
        (*DA, "batched_pct"),
        (*DA, "count"),
        "notifications",
        "%",
        Better.LOWER,
        "domestic_abuse_notifications",
        IN_TIME_CHART,
        "da-batched",
    ),
    Headline(
        "da_median_delay",
        "Median time from the report to police to the council, domestic abuse",
        (*DA, "delay_hours", "median"),
        (*DA, "count"),
        "notifications",
        "hours",
        Better.LOWER,
        "domestic_abuse_notifications",
        DELAY_CHART,
        "da-notifications",
    ),
    Headline(
        "encompass_in_time",
        "Operation Encompass notices before the next school day",
        ("operation_encompass", "before_next_school_day_pct"),
        ("operation_encompass", "notices"),
        "notices",
        "%",
        Better.HIGHER,
        "operation_encompass",
        IN_TIME_CHART,
    ),
    Headline(
        "missing_told_in_time",
        "Missing children's councils told in time",
        (*MISSING, "notified_within_target_pct"),
        (*MISSING, "episodes"),
        "episodes",
        "%",
        Better.HIGHER,
        "missing_children",
        MISSING_CHART,
        "missing-late",
    ),
    Headline(
        "missing_median_delay",
        "Median time from the report to police to the council, missing children",
        (*MISSING, "notification_delay_hours", "median"),
        (*MISSING, "episodes"),
        "episodes",
        "hours",
        Better.LOWER,
        "missing_children",
        DELAY_CHART,
        "missing-episodes",
    ),
    Headline(
        "return_offered_in_time",
        "Return home interviews offered within 72 hours",
        (*INTERVIEWS, "offered_within_72h_pct"),
        (*INTERVIEWS, "found_episodes"),
        "children found",
        "%",
        Better.HIGHER,
        "missing_children",
        MISSING_CHART,
        "missing-not-offered",
    ),
    Headline(
        "return_held",
        "Return home interviews held",
        (*INTERVIEWS, "held_pct"),
        (*INTERVIEWS, "found_episodes"),
        "children found",
        "%",
        Better.HIGHER,
        "missing_children",
        MISSING_CHART,
    ),
    Headline(
        "protection_alternatives",
        "Police protection with alternatives discussed",
        (*PROTECTION, "alternatives_discussed_pct"),
        (*PROTECTION, "uses"),
        "uses",
        "%",
        Better.HIGHER,
        "police_protection",
        PROTECTION_CHART,
        "protection-no-alternatives",
    ),
    Headline(
        "protection_told_in_time",
        "Police protection: the council told in time",
        (*PROTECTION, "council_told_within_target_pct"),
        (*PROTECTION, "uses"),
        "uses",
        "%",
        Better.HIGHER,
        "police_protection",
        PROTECTION_CHART,
    ),
    Headline(
        "police_at_strategy",
        "Police attending strategy discussions",
        (*STRATEGY, "attended_pct"),
        (*STRATEGY, "meetings"),
        "invitations",
        "%",
        Better.HIGHER,
        "police_participation",
        POLICE_CHART,
        "police-absent-strategy",
    ),
    Headline(
        "police_at_initial",
        "Police attending initial child protection conferences",
        (*INITIAL, "attended_pct"),
        (*INITIAL, "meetings"),
        "invitations",
        "%",
        Better.HIGHER,
        "police_participation",
        POLICE_CHART,
        "police-absent-initial",
    ),
    Headline(
        "police_at_pre_birth",
        "Police attending pre-birth child protection conferences",
        (*PRE_BIRTH, "attended_pct"),
        (*PRE_BIRTH, "meetings"),
        "invitations",
        "%",
        Better.HIGHER,
        "police_participation",
        POLICE_CHART,
        "police-absent-pre-birth",
    ),
    Headline(
        "vetting_median_wait",
        "Median wait of open vetting checks",
        ("vetting_backlog", "median_age_days"),
        ("vetting_backlog", "open"),
        "open checks",
        "days",
        Better.LOWER,
        "vetting_backlog",
        VETTING_CHART,
        "vetting-open",
    ),
    Headline(
        "visits_lone",
        "Visits needing an officer made by social workers alone",
        (*VISITS, "lone_pct"),
        (*VISITS, "done"),
        "visits made",
        "%",
        Better.LOWER,
        "joint_visits",
        JOINT_CHART,
        "visits-lone",
    ),
    Headline(
        "closures_unconsulted",
        "Investigations closed without the council's answer",
        (*CLOSURES, "without_consultation_pct"),
        (*CLOSURES, "closures"),
        "closures",
        "%",
        Better.LOWER,
        "investigation_closures",
        JOINT_CHART,
        "closures-unconsulted",
    ),
    Headline(
        "interviews_in_time",
        "Joint (evidential) interviews held by their target date",
        (*INTERVIEWS_ASKED, "held_by_target_pct"),
        (*INTERVIEWS_ASKED, "due"),
        "interviews due",
        "%",
        Better.HIGHER,
        "evidential_interviews",
        JOINT_CHART,
        "interviews-late",
    ),
)

BY_KEY = {headline.key: headline for headline in HEADLINES}


def dig(measures: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = measures
    for key in path:
        value = value[key]
    return value


@dataclass(frozen=True)
class HeadlineRows:
    """The rows the headline measures count, of some councils over a period, read once (``headline_rows``)
    so that the measures of each council (``insight.comparison``) or of each month (``insight.trends``) are
    worked out from them by the same definitions as one area's over one period (``headline_measures``)."""

    period: Period
    # Each kind of row by council id, so that each council's measures look only at its own.
    domestic_abuse: dict[Any, list[DaRow]]
    missing: MissingRows
    encompass: dict[Any, list[Any]]
    protection: dict[Any, list[Any]]
    participation: dict[Any, list[Any]]
    vetting: dict[Any, list[dict[str, Any]]]
    visits: dict[Any, list[Any]]
    closures: dict[Any, list[Any]]
    interviews: dict[Any, list[Any]]


def headline_rows(*, councils: Collection[Organisation], period: Period, now: dt.datetime) -> HeadlineRows:
    ids = [council.pk for council in councils]
    # The vetting backlog is counted at the end of each period within this one (or now): the requests that may
    # be open at any of those times.
    first_at = vetting_at(Period(period.first_day, period.first_day), now)
    # One read of both for one area (measures.notification_rows).
    notifications, notices = notification_rows(ids, period)
    return HeadlineRows(
        period=period,
        domestic_abuse=by_council(notifications, lambda row: row.council_id),
        missing=missing_rows(councils, period),
        encompass=by_council(notices, lambda row: row[0]),
        protection=by_council(protection_rows(ids, period), lambda row: row[0]),
        participation=by_council(participation_rows(ids, period), lambda row: row[0]),
        vetting=by_council(
            vetting_rows(ids, first_at, vetting_at(period, now)), lambda row: row["council_id"]
        ),
        visits=by_council(joint_visit_rows(ids, period), lambda row: row[0]),
        closures=by_council(closure_rows(ids, period), lambda row: row[0]),
        interviews=by_council(evidential_interview_rows(ids, period), lambda row: row[0]),
    )


def headline_measures_of(
    rows: HeadlineRows, *, council: Organisation, period: Period, now: dt.datetime
) -> dict[str, Any]:
    """The headline measures of one of the councils over a period within the rows' (the whole of it, or one
    of its months)."""
    assert rows.period.start <= period.start and period.end <= rows.period.end
    pk = council.pk

    def within(when: dt.datetime | None) -> bool:
        return when is not None and period.start <= when < period.end

    at = vetting_at(period, now)
    return {
        "domestic_abuse_notifications": asdict(
            da_summary([r for r in rows.domestic_abuse.get(pk, ()) if period.holds(r.reported_us)])
        ),
        "missing_children": asdict(missing_summary(rows.missing, council=council, period=period, now=now)),
        "operation_encompass": encompass_summary(
            [r for r in rows.encompass.get(pk, ()) if period.holds(r[1])]
        ),
        "police_protection": protection_summary([r for r in rows.protection.get(pk, ()) if within(r[1])]),
        "police_participation": participation_summary(
            [r for r in rows.participation.get(pk, ()) if within(r[1])]
        ),
        "vetting_backlog": vetting_summary(rows.vetting.get(pk, []), at),
        "joint_visits": joint_visit_summary(
            visit_counts_of([r for r in rows.visits.get(pk, ()) if within(r[1])])
        ),
        "investigation_closures": closure_summary(
            closure_counts_of([r for r in rows.closures.get(pk, ()) if within(r[1])])
        ),
        "evidential_interviews": evidential_interview_summary(
            [r for r in rows.interviews.get(pk, ()) if within(r[1])], at
        ),
    }


def headline_measures(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The measures the headline figures are read from: ``area_measures`` without the clocks, which no
    headline uses (the dashboard shows them as counts by rule)."""
    now = now or timezone.now()
    rows = headline_rows(councils=[council], period=period, now=now)
    return headline_measures_of(rows, council=council, period=period, now=now)


def headline_values(measures: dict[str, Any]) -> dict[str, float | None]:
    """Each headline figure of an area's measures (``area_measures`` or ``headline_measures``), by key."""
    return {headline.key: dig(measures, headline.path) for headline in HEADLINES}


def headline_bases(measures: dict[str, Any]) -> dict[str, int]:
    """How many cases each headline figure is worked out from, by key."""
    return {headline.key: dig(measures, headline.base) for headline in HEADLINES}
