"""Issue 16's measures of one council area over one period, read from the rows every step already writes.

Each function is a plain read: no actor, no audit, counts and durations only, never names. The callers (the
``openmash inspect`` command, the inspector's summary) decide who may see them. Every measure is defined in
docs/metrics.md; the definitions there and the code here say the same thing, and tests/insight/ checks both
on hand-made data with known answers.

Conventions (issue 16): a period is whole days in London time, both ends included; percentages are 0-100 with
one decimal place; absent data is ``None`` (never 0); hours are decimal hours; ``p90`` is the 90th percentile
by linear interpolation between closest ranks (numpy's default, ``statistics.quantiles(method="inclusive")``).
"""

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from openmash.casework.models import ClosureStatus, InvestigationClosure, JointVisit, VisitStatus
from openmash.clocks.deadlines import deadline_for
from openmash.clocks.selectors import clock_measures
from openmash.events.models import EventKind, Source
from openmash.lib.clock_rules import ClockRule
from openmash.meetings.models import Meeting, MeetingInvitation, MeetingKind, Participation
from openmash.missing.models import Category, MissingEpisode, ReturnInterview
from openmash.missing.services import repeat_figures
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.models import Share
from openmash.vetting.models import APPLICANT_ROLES, VettingRequest

LONDON = zoneinfo.ZoneInfo("Europe/London")

# The two rules of a police domestic-abuse notification to children's social care (clocks/rules/*.toml,
# domain.md section 3: local protocols, 24 hours by default and 1 hour for a high-risk incident).
DA_RULES = (ClockRule.DA_NOTIFICATION, ClockRule.DA_NOTIFICATION_HIGH_RISK)

# A batch (issue 16; domain.md section 1, Bury 2016: notifications "sent in batches"): 5 or more shares from
# one sender to one recipient, each shared within 15 minutes of the one before, about incidents reported to
# police more than 24 hours apart.
BATCH_SIZE = 5
BATCH_GAP = dt.timedelta(minutes=15)
BATCH_REPORTED_SPAN = dt.timedelta(hours=24)

# Return home interviews are offered within 72 hours of the child's return (Statutory guidance on children who
# run away or go missing from home or care, 2014; domain.md section 1).
RETURN_INTERVIEW_OFFER = dt.timedelta(hours=72)

# The conferences whose police participation is counted apart from strategy discussions.
CONFERENCE_KINDS = (
    MeetingKind.INITIAL_CONFERENCE,
    MeetingKind.REVIEW_CONFERENCE,
    MeetingKind.PRE_BIRTH_CONFERENCE,
)


@dataclass(frozen=True)
class Period:
    """Whole days in London time, both ends included: [midnight starting ``first_day``, midnight after
    ``last_day``), so a day across a clock change is 23 or 25 hours long. In UTC, so that arithmetic on them
    counts real hours (Python subtracts two times of one zone by their wall clocks)."""

    first_day: dt.date
    last_day: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON).astimezone(
            dt.UTC
        )


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile and maximum of some durations, in decimal hours (None when there are none)."""

    median: float | None
    p90: float | None
    max: float | None


def percent(part: int, whole: int) -> float | None:
    """0-100 to one decimal place; None when there is nothing to take a share of."""
    return round(100 * part / whole, 1) if whole else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by linear interpolation between closest ranks (numpy's default): the value at rank
    0.9 * (n - 1) counting from 0, between the two values either side of it."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def spread(durations: Iterable[dt.timedelta]) -> Spread:
    values = sorted(duration.total_seconds() / 3600 for duration in durations)
    if not values:
        return Spread(None, None, None)
    ninetieth = p90(values)
    return Spread(
        median=round(statistics.median(values), 2),
        p90=round(ninetieth, 2) if ninetieth is not None else None,
        max=round(values[-1], 2),
    )


# Domestic-abuse notifications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomesticAbuseNotifications:
    count: int
    delay_hours: Spread
    within_target_pct: float | None
    batched_pct: float | None


def _da_notifications(council: Organisation) -> Any:
    """Every police domestic-abuse notification to the council: a share of a settled domestic-abuse incident
    on one of the two notification rules, with the time it was reported to police (else when it happened)."""
    return (
        Share.objects.filter(
            recipient=council, event__kind=EventKind.DOMESTIC_ABUSE, notification_rule__in=DA_RULES
        )
        .exclude(event__source=Source.HELD)
        .annotate(reported=Coalesce("reported_at", "occurred_at"))
    )


Row = tuple[int, int, dt.datetime, dt.datetime]  # a notification's key, sender, shared at, reported at


def _runs(rows: list[Row]) -> Iterator[list[Row]]:
    """Rows in shared-at order, split wherever one was shared more than BATCH_GAP after the one before."""
    run: list[Row] = []
    for row in rows:
        if run and row[2] - run[-1][2] > BATCH_GAP:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


def batched_ids(shares: Iterable[Row]) -> set[int]:
    """The ids of the notifications to one recipient that belong to a batch: per sender, ordered by shared at,
    a run where each was shared within BATCH_GAP of the one before, of BATCH_SIZE or more, whose reported times
    span more than BATCH_REPORTED_SPAN."""
    by_sender: dict[int, list[Row]] = defaultdict(list)
    for row in shares:
        by_sender[row[1]].append(row)
    batched: set[int] = set()
    for rows in by_sender.values():
        rows.sort(key=lambda row: (row[2], row[0]))
        for run in _runs(rows):
            reported = [item[3] for item in run]
            if len(run) >= BATCH_SIZE and max(reported) - min(reported) > BATCH_REPORTED_SPAN:
                batched.update(item[0] for item in run)
    return batched


def _batch_neighbours(
    council: Organisation, period: Period, low: dt.datetime, high: dt.datetime
) -> list[Row]:
    """The notifications reported outside the period that a run through [low, high] of shared-at times could
    include: widened a day at a time while one within BATCH_GAP of either edge could carry a run further, so a
    run that crosses the period's edges is seen whole. Keyed by negative numbers (the period's are 0 up)."""
    shares = _da_notifications(council)
    while True:
        before = shares.filter(shared_at__gte=low - BATCH_GAP, shared_at__lt=low).exists()
        after = shares.filter(shared_at__gt=high, shared_at__lte=high + BATCH_GAP).exists()
        if not before and not after:
            break
        low = low - dt.timedelta(days=1) if before else low
        high = high + dt.timedelta(days=1) if after else high
    outside = (
        shares.filter(shared_at__gte=low, shared_at__lte=high)
        .exclude(reported__gte=period.start, reported__lt=period.end)
        .values_list("event__recorded_by_id", "shared_at", "reported")
    )
    return [(-1 - n, sender, shared, reported) for n, (sender, shared, reported) in enumerate(outside)]


def domestic_abuse_notifications(*, council: Organisation, period: Period) -> DomesticAbuseNotifications:
    """Police notifications to the council of domestic-abuse incidents reported to police within the period."""
    shares = list(
        _da_notifications(council)
        .filter(reported__gte=period.start, reported__lt=period.end)
        .values_list("event__recorded_by_id", "shared_at", "reported", "notification_due_at")
    )
    batched: set[int] = set()
    if shares:
        mine: list[Row] = [
            (n, sender, shared, reported) for n, (sender, shared, reported, _due) in enumerate(shares)
        ]
        low, high = min(row[2] for row in mine) - BATCH_GAP, max(row[2] for row in mine) + BATCH_GAP
        batched = batched_ids(mine + _batch_neighbours(council, period, low, high))
    return DomesticAbuseNotifications(
        count=len(shares),
        delay_hours=spread(shared - reported for _sender, shared, reported, _due in shares),
        # Shared by the due time worked out when it was recorded (clocks.deadlines.share_clocks, with the
        # area's own figure then in force); a share with no due time is not counted either way.
        within_target_pct=_in_time_pct((shared, due) for _sender, shared, _reported, due in shares),
        batched_pct=percent(len([n for n in batched if n >= 0]), len(shares)),
    )


# Missing children ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnInterviews:
    found_episodes: int
    offered_within_72h_pct: float | None
    held_pct: float | None
    independent_pct: float | None


@dataclass(frozen=True)
class MissingChildren:
    episodes: int
    children: int
    missing_episodes: int
    away_episodes: int
    notification_delay_hours: Spread
    notified_within_target_pct: float | None
    repeat_children: int | None
    repeat_figures: dict[str, int]
    return_interviews: ReturnInterviews


def _repeat_children(child_ids: set[Any], period: Period, episodes: int, days: int) -> int:
    """Children with ``episodes`` or more episodes whose start (last seen) falls within ``days`` days, at least
    one of them reported in the period: the repeat flag's own count (missing.services._repeat_if_any), over
    the child's every episode reported by the end of the period."""
    starts: dict[Any, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for child, last_seen, reported in MissingEpisode.objects.filter(
        child_id__in=child_ids, reported_at__lt=period.end
    ).values_list("child_id", "last_seen_at", "reported_at"):
        starts[child].append((last_seen, reported))
    window = dt.timedelta(days=days)
    repeat = 0
    for items in starts.values():
        items.sort()
        for index in range(len(items) - episodes + 1):
            run = items[index : index + episodes]
            in_period = any(period.start <= reported < period.end for _, reported in run)
            if run[-1][0] - run[0][0] <= window and in_period:
                repeat += 1
                break
    return repeat


def missing_children(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> MissingChildren:
    """Episodes of children the council is responsible for (``MissingEpisode.council``), reported to police
    within the period."""
    now = now or timezone.now()
    episodes: list[dict[str, Any]] = [
        dict(row)
        for row in MissingEpisode.objects.filter(
            council=council, reported_at__gte=period.start, reported_at__lt=period.end
        )
        .exclude(missing_report__source=Source.HELD)
        .values("pk", "child_id", "category", "reported_at", "council_told_at", "found_at")
    ]
    told = [e for e in episodes if e["council_told_at"] is not None]
    # The missing-notification deadline with the area's own figure (clocks.services.deadline, via share_clocks
    # on each share); the episode keeps only when the council was told, so the deadline is worked out here.
    due = {e["pk"]: _deadline(ClockRule.MISSING_NOTIFICATION, e["reported_at"], council) for e in episodes}
    # An episode not yet told counts against the target once its deadline has passed; before then it is not
    # counted either way.
    judged = [e for e in episodes if e["council_told_at"] is not None or due[e["pk"]] <= now]
    in_time = [e for e in judged if e["council_told_at"] is not None and e["council_told_at"] <= due[e["pk"]]]
    repeat_episodes, repeat_days = repeat_figures(council)
    child_ids = {e["child_id"] for e in episodes}
    return MissingChildren(
        episodes=len(episodes),
        children=len(child_ids),
        missing_episodes=sum(1 for e in episodes if e["category"] == Category.MISSING),
        away_episodes=sum(1 for e in episodes if e["category"] == Category.AWAY),
        notification_delay_hours=spread(e["council_told_at"] - e["reported_at"] for e in told),
        notified_within_target_pct=percent(len(in_time), len(judged)),
        repeat_children=_repeat_children(child_ids, period, repeat_episodes, repeat_days)
        if episodes
        else None,
        repeat_figures={"episodes": repeat_episodes, "days": repeat_days},
        return_interviews=_return_interviews([e for e in episodes if e["found_at"] is not None], now),
    )


def _deadline(rule: str, start: dt.datetime, council: Organisation) -> dt.datetime:
    # clocks.services.deadline through clocks.deadlines: the way each share's deadline is counted.
    due = deadline_for(rule, start, council)
    assert due is not None
    return due


def _return_interviews(found: list[dict[str, Any]], now: dt.datetime) -> ReturnInterviews:
    interviews = {
        row["episode_id"]: row
        for row in ReturnInterview.objects.filter(episode_id__in=[e["pk"] for e in found]).values(
            "episode_id", "offered_at", "held_at", "independent"
        )
    }
    # An episode found less than 72 hours ago with no offer yet may still be offered in time: not counted.
    judged = [e for e in found if e["pk"] in interviews or e["found_at"] + RETURN_INTERVIEW_OFFER <= now]
    offered_in_time = [
        e
        for e in judged
        if e["pk"] in interviews
        and interviews[e["pk"]]["offered_at"] <= e["found_at"] + RETURN_INTERVIEW_OFFER
    ]
    held = [interviews[e["pk"]] for e in found if e["pk"] in interviews and interviews[e["pk"]]["held_at"]]
    return ReturnInterviews(
        found_episodes=len(found),
        offered_within_72h_pct=percent(len(offered_in_time), len(judged)),
        held_pct=percent(len(held), len(found)),
        independent_pct=percent(sum(1 for row in held if row["independent"] is True), len(held)),
    )


def _in_time_pct(shares: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> float | None:
    """Of (shared at, due at) pairs with a due time, the percentage shared at or before it."""
    timed = [(shared, due) for shared, due in shares if due is not None]
    return percent(sum(1 for shared, due in timed if shared <= due), len(timed))


# Operation Encompass and police protection -----------------------------------------------------------------


def operation_encompass(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Operation Encompass notices (``encompass`` rule) to the area's schools (a school whose council is this
    one) and to the council itself (a home-educated child, a school not yet on OpenMASH), of domestic-abuse
    incidents reported to police within the period: how many, and how many reached the school before the
    start of the next school day (the share's own due time, counted with the school's or council's term
    breaks and start of day)."""
    shares = list(
        Share.objects.filter(
            Q(recipient=council) | Q(recipient__kind=OrganisationKind.SCHOOL, recipient__parent=council),
            event__kind=EventKind.DOMESTIC_ABUSE,
            notification_rule=ClockRule.ENCOMPASS,
        )
        .exclude(event__source=Source.HELD)
        .annotate(reported=Coalesce("reported_at", "occurred_at"))
        .filter(reported__gte=period.start, reported__lt=period.end)
        .values_list("shared_at", "reported", "notification_due_at")
    )
    return {
        "notices": len(shares),
        "delay_hours": asdict(spread(shared - reported for shared, reported, _due in shares)),
        "before_next_school_day_pct": _in_time_pct((row[0], row[2]) for row in shares),
    }


def police_protection(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police protection notices shared with the council whose protection began (the event's ``occurred_at``)
    within the period: uses, whether alternatives were discussed (as the officer recorded), and the delay in
    telling the council, judged against the share's ``police-protection-inform`` due time."""
    shares = list(
        Share.objects.filter(recipient=council, event__kind=EventKind.POLICE_PROTECTION)
        .exclude(event__source=Source.HELD)
        .filter(event__occurred_at__gte=period.start, event__occurred_at__lt=period.end)
        .values_list("shared_at", "event__occurred_at", "notification_due_at", "event__details")
    )
    answered = [row[3].get("alternatives_discussed") for row in shares]
    discussed = sum(1 for answer in answered if answer is True)
    not_discussed = sum(1 for answer in answered if answer is False)
    return {
        "uses": len(shares),
        "alternatives_discussed": discussed,
        "alternatives_not_discussed": not_discussed,
        "alternatives_discussed_pct": percent(discussed, discussed + not_discussed),
        "council_told_delay_hours": asdict(spread(shared - began for shared, began, _due, _d in shares)),
        "council_told_within_target_pct": _in_time_pct((row[0], row[2]) for row in shares),
    }


# Clocks, meetings, vetting ---------------------------------------------------------------------------------


def clocks(*, council: Organisation, period: Period, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The council's statutory clocks started within the period, by rule: met in time, met late, open past
    their due time (overdue) and still running, with the share met in time of those stopped."""
    measures = clock_measures(organisation=council, now=now, started_between=(period.start, period.end))
    return [
        {
            "rule": measure.rule,
            "title": measure.title,
            "met": measure.met,
            "late": measure.late,
            "overdue": measure.overdue,
            "running": measure.running,
            "met_pct": percent(measure.met, measure.met + measure.late),
        }
        for measure in measures
    ]


def _participation(invitations: Any) -> dict[str, Any]:
    counts = invitations.aggregate(
        invited=Count("pk"),
        attended=Count("pk", filter=Q(participation=Participation.ATTENDED)),
        written_only=Count("pk", filter=Q(participation=Participation.WRITTEN_ONLY)),
        none=Count("pk", filter=Q(participation=Participation.DID_NOT_TAKE_PART)),
    )
    return {
        "meetings": counts["invited"],
        "attended": counts["attended"],
        "written_only": counts["written_only"],
        "none": counts["none"],
        "attended_pct": percent(counts["attended"], counts["invited"]),
    }


def police_participation(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police invitations to the council's meetings held within the period, by how the force took part: as
    recorded when the outcome was recorded (meetings.models.Participation). A meeting with several forces
    invited counts once for each."""
    invitations = MeetingInvitation.objects.filter(
        meeting__council=council,
        meeting__held_at__gte=period.start,
        meeting__held_at__lt=period.end,
        organisation__kind=OrganisationKind.POLICE,
    )
    return {
        "strategy_discussions": _participation(
            invitations.filter(meeting__kind=MeetingKind.STRATEGY_DISCUSSION)
        ),
        "conferences": {
            kind.value.removesuffix("-conference").replace("-", "_"): _participation(
                invitations.filter(meeting__kind=kind)
            )
            for kind in CONFERENCE_KINDS
        },
    }


def vetting_backlog(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The council's vetting requests still open at the end of the period (or now, if sooner): how many, their
    median age and how many are past the service standard, and the prospective foster carers and adopters
    among them."""
    now = now or timezone.now()
    at = min(now, period.end)
    requests = list(
        VettingRequest.objects.filter(council=council, submitted_at__lt=at)
        .filter(Q(outcome="") | Q(outcome_at__gte=at))
        .values("submitted_at", "due_at", "role")
    )
    ages = [at - request["submitted_at"] for request in requests]
    return {
        "as_at": at.isoformat(),
        "open": len(requests),
        "median_age_days": round(statistics.median(age.total_seconds() for age in ages) / 86400, 1)
        if ages
        else None,
        "over_standard": sum(1 for request in requests if request["due_at"] < at),
        "carers_or_adopters_waiting": sum(1 for request in requests if request["role"] in APPLICANT_ROLES),
    }


# Initial conferences, joint visits, investigation closures --------------------------------------------------


def _london_noon(day: dt.date) -> dt.datetime:
    # A working-day clock counts from the day, not the instant (domain.md section 3: day D is day 0), so any
    # time of that day gives the same deadline; noon is clear of both clock changes.
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def initial_conferences(*, council: Organisation, period: Period) -> dict[str, Any]:
    """The council's initial child protection conferences held within the period, each timed from the s47 start
    recorded at its strategy discussion (Working Together: 15 working days; the children in need census
    measures from the s47 start), by the ``initial-conference`` rule with the council's nation's bank
    holidays."""
    held = list(
        Meeting.objects.filter(
            council=council,
            kind=MeetingKind.INITIAL_CONFERENCE,
            held_at__gte=period.start,
            held_at__lt=period.end,
        ).values_list("held_at", "strategy_discussion__s47_started_on", "strategy_discussion__held_at")
    )
    in_time = 0
    for held_at, s47_started_on, discussion_held_at in held:
        # An s47 start date is required when enquiries start (meetings.services); a conference from a
        # discussion held before that was recorded falls back on the discussion's own London day.
        assert held_at is not None
        if s47_started_on is not None:
            started = s47_started_on
        else:
            assert discussion_held_at is not None  # an initial conference's discussion was held
            started = discussion_held_at.astimezone(LONDON).date()
        in_time += held_at <= _deadline(ClockRule.INITIAL_CONFERENCE, _london_noon(started), council)
    return {
        "held": len(held),
        "within_15_working_days": in_time,
        "later": len(held) - in_time,
        "within_15_working_days_pct": percent(in_time, len(held)),
    }


def joint_visits(*, council: Organisation, period: Period) -> dict[str, Any]:
    """The council's requests for a police officer on a visit (``JointVisit``) made within the period
    (``requested_at``): how many were needed, how the force answered, and how many visits went ahead with and
    without an officer (a lone visit: Southend 2016, domain.md section 1)."""
    visits = JointVisit.objects.filter(
        council=council, requested_at__gte=period.start, requested_at__lt=period.end
    ).aggregate(
        needed=Count("pk"),
        declined=Count("pk", filter=Q(declined_at__isnull=False)),
        done=Count("pk", filter=Q(status=VisitStatus.DONE)),
        with_officer=Count("pk", filter=Q(status=VisitStatus.DONE, officer_present=True)),
        lone=Count("pk", filter=Q(status=VisitStatus.DONE, lone_visit=True)),
    )
    return {
        "needed": visits["needed"],
        "declined_by_police": visits["declined"],
        "done": visits["done"],
        "with_officer": visits["with_officer"],
        "lone_visits": visits["lone"],
        "lone_pct": percent(visits["lone"], visits["done"]),
    }


def investigation_closures(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police closures of investigations about children the council is responsible for
    (``InvestigationClosure.council``), decided or proposed within the period (``proposed_at``): those that took
    effect without the council's answer, and those the council disputed (Stockton 2016, domain.md section 1)."""
    closures = InvestigationClosure.objects.filter(
        council=council, proposed_at__gte=period.start, proposed_at__lt=period.end
    ).aggregate(
        closures=Count("pk"),
        needing_agreement=Count("pk", filter=Q(needs_agreement=True)),
        without_consultation=Count("pk", filter=Q(closed_at__isnull=False, responded_at__isnull=True)),
        disputed=Count("pk", filter=Q(status=ClosureStatus.DISPUTED) | Q(disagreement__isnull=False)),
        awaiting_council=Count("pk", filter=Q(status=ClosureStatus.PROPOSED)),
    )
    return {
        "closures": closures["closures"],
        "needing_agreement": closures["needing_agreement"],
        "without_consultation": closures["without_consultation"],
        "without_consultation_pct": percent(closures["without_consultation"], closures["closures"]),
        "disputed": closures["disputed"],
        "awaiting_council": closures["awaiting_council"],
    }


# Everything at once ----------------------------------------------------------------------------------------


def area_measures(*, council: Organisation, period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every measure of the area over the period, under the keys issue 16 names, as plain JSON-ready data."""
    now = now or timezone.now()
    return {
        "area": {"code": council.code, "name": council.name},
        "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
        "measured_at": now.isoformat(),
        "domestic_abuse_notifications": asdict(domestic_abuse_notifications(council=council, period=period)),
        "missing_children": asdict(missing_children(council=council, period=period, now=now)),
        "operation_encompass": operation_encompass(council=council, period=period),
        "police_protection": police_protection(council=council, period=period),
        "police_participation": police_participation(council=council, period=period),
        "initial_conferences": initial_conferences(council=council, period=period),
        "joint_visits": joint_visits(council=council, period=period),
        "investigation_closures": investigation_closures(council=council, period=period),
        "vetting_backlog": vetting_backlog(council=council, period=period, now=now),
        "clocks": clocks(council=council, period=period, now=now),
    }
