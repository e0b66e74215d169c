"""Issue 16's measures of one council area over one period, read from the rows every step already writes.

Each function is a plain read: no actor, no audit, counts and durations only, never names. The callers (the
``openmash inspect`` command, the inspector's summary) decide who may see them. Every measure is defined in
docs/metrics.md; the definitions there and the code here say the same thing, and tests/insight/ checks both
on hand-made data with known answers.

Conventions (issue 16): a period is whole days in London time, both ends included; percentages are 0-100 with
one decimal place; absent data is ``None`` (never 0); hours are decimal hours; ``p90`` is the 90th percentile
by linear interpolation between closest ranks (numpy's default, ``statistics.quantiles(method="inclusive")``).
"""

import bisect
import datetime as dt
import functools
import operator
import statistics
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from openmash.casework.models import ClosureStatus, InvestigationClosure, JointVisit, VisitStatus
from openmash.clocks.deadlines import deadline_for, deadlines_for
from openmash.clocks.selectors import RuleMeasure, clock_measures, clock_measures_by_organisation
from openmash.events.models import EventKind, Source
from openmash.lib.clock_rules import ClockRule
from openmash.lib.epoch import Micros, MicrosBetween, from_micros, hours, micros
from openmash.meetings.models import (
    EvidentialInterview,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    Participation,
)
from openmash.missing.models import Category, MissingEpisode, ReturnInterview
from openmash.missing.services import repeat_figures, repeat_figures_by_council
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
# The same in whole microseconds, as the measures read times (lib.epoch: far faster than datetimes at volume).
BATCH_GAP_US = BATCH_GAP // dt.timedelta(microseconds=1)
BATCH_REPORTED_SPAN_US = BATCH_REPORTED_SPAN // dt.timedelta(microseconds=1)
DAY_US = dt.timedelta(days=1) // dt.timedelta(microseconds=1)

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

    # Worked out once a period: the measures compare every row's times with them (a national year's rows for
    # each month of the trends and each area of the comparison), and each working out costs a time-zone lookup.
    @functools.cached_property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)

    @functools.cached_property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON).astimezone(
            dt.UTC
        )

    # The same two in microseconds since the epoch (lib.epoch), as the busiest measures read times.
    @functools.cached_property
    def start_us(self) -> int:
        return micros(self.start)

    @functools.cached_property
    def end_us(self) -> int:
        return micros(self.end)

    def holds(self, when_us: int) -> bool:
        """Whether a time in microseconds since the epoch (lib.epoch) lies within the period."""
        return self.start_us <= when_us < self.end_us


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
    return spread_of_hours(duration.total_seconds() / 3600 for duration in durations)


def spread_us(durations: Iterable[int]) -> Spread:
    """``spread`` of durations in whole microseconds (lib.epoch): the same hours, to the last bit. The integers
    are sorted and only the few the figures need are turned into hours: ``hours`` never decreases as its
    argument grows, so the sorted integers give the sorted hours (a national year's 1.5 million delays turned
    into floats one by one took seconds; docs/performance.md, issue 16)."""
    return _spread_of_sorted(sorted(durations), hours)


def spread_of_hours(durations: Iterable[float]) -> Spread:
    return _spread_of_sorted(sorted(durations), float)


def _spread_of_sorted(values: Sequence[Any], as_hours: Callable[[Any], float]) -> Spread:
    """Median, p90 and maximum of ``values`` (sorted), each value read as hours by ``as_hours``: the same
    arithmetic as ``statistics.median`` and ``statistics.quantiles(n=10, method="inclusive")[8]`` (``p90``) on
    the whole list of hours, on the one or two values each of them reads (tests/insight/test_spread.py)."""
    n = len(values)
    if not n:
        return Spread(None, None, None)

    def at(rank: int) -> float:
        return as_hours(values[rank])

    middle = at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
    if n == 1:
        ninetieth = at(0)
    else:
        # statistics.quantiles' inclusive method for the ninth of ten cut points: rank 0.9 * (n - 1).
        rank, delta = divmod(9 * (n - 1), 10)
        ninetieth = (at(rank) * (10 - delta) + at(rank + 1) * delta) / 10
    return Spread(median=round(middle, 2), p90=round(ninetieth, 2), max=round(at(n - 1), 2))


# Domestic-abuse notifications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomesticAbuseNotifications:
    count: int
    delay_hours: Spread
    within_target_pct: float | None
    batched_pct: float | None


def _da_notifications(council_ids: Collection[Any]) -> Any:
    """Every police domestic-abuse notification to the councils: a share of a settled domestic-abuse incident
    on one of the two notification rules, with the time it was reported to police (else when it happened)."""
    return (
        Share.objects.filter(
            recipient_id__in=list(council_ids),
            event__kind=EventKind.DOMESTIC_ABUSE,
            notification_rule__in=DA_RULES,
        )
        .exclude(event__source=Source.HELD)
        .annotate(reported=Coalesce("reported_at", "occurred_at"))
    )


# A notification's key, sender, shared at, reported at (the times in microseconds since the epoch, lib.epoch).
Row = tuple[int, int, int, int]


def _runs(rows: list[Row]) -> Iterator[list[Row]]:
    """Rows in shared-at order, split wherever one was shared more than BATCH_GAP after the one before, as
    runs of BATCH_SIZE or more (a shorter run is never a batch)."""
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end][2] - rows[end - 1][2] > BATCH_GAP_US:
            if end - start >= BATCH_SIZE:
                yield rows[start:end]
            start = end


_SHARED_AT = operator.itemgetter(2)


def batched_ids(shares: Iterable[Row]) -> set[int]:
    """The ids of the notifications to one recipient that belong to a batch: per sender, ordered by shared at,
    a run where each was shared within BATCH_GAP of the one before, of BATCH_SIZE or more, whose reported times
    span more than BATCH_REPORTED_SPAN."""
    by_sender: dict[int, list[Row]] = defaultdict(list)
    for row in shares:
        by_sender[row[1]].append(row)
    batched: set[int] = set()
    for rows in by_sender.values():
        # By shared at alone: a run is split only between two different times, so the order of shares
        # shared at the same moment changes no run.
        rows.sort(key=_SHARED_AT)
        for run in _runs(rows):
            reported = [item[3] for item in run]
            if max(reported) - min(reported) > BATCH_REPORTED_SPAN_US:
                batched.update(item[0] for item in run)
    return batched


def _closed(times: list[int], first: int, last: int) -> tuple[int, int]:
    """The shared-at span [first, last] widened through ``times`` (sorted; those inside the span may be left
    out, as they change nothing) while one lies within BATCH_GAP of either edge: no run can cross the span's
    edges."""
    low = bisect.bisect_left(times, first)
    while low > 0 and first - times[low - 1] <= BATCH_GAP_US:
        low -= 1
        first = times[low]
    high = bisect.bisect_right(times, last)
    while high < len(times) and times[high] - last <= BATCH_GAP_US:
        last = times[high]
        high += 1
    return first, last


def batched_positions(
    notifications: Any, period: Period, rows: Sequence[tuple[Any, int, int, int]]
) -> set[int]:
    """The positions in ``rows`` (council id, sender, shared at, reported at, the times in microseconds since
    the epoch: notifications reported within the period, from ``notifications``, a ``_da_notifications``
    query) of those that belong to a batch.

    Whether a notification is batched depends only on its run, and a run may include notifications reported
    outside the period: each council's are read as far as its runs reach (a day beyond at a time, until nothing
    of that council lies within BATCH_GAP of the span read), so a run that crosses the period's edges is seen
    whole, whether one area is measured or every area at once, a period or its months."""
    if not rows:
        return set()
    by_council: dict[Any, list[Row]] = defaultdict(list)
    for n, (council, sender, shared, reported) in enumerate(rows):
        by_council[council].append((n, sender, shared, reported))
    # Each council's own span of shared-at times.
    spans = {
        council: (min(map(_SHARED_AT, mine)), max(map(_SHARED_AT, mine)))
        for council, mine in by_council.items()
    }
    low = min(first for first, _last in spans.values()) - DAY_US
    high = max(last for _first, last in spans.values()) + DAY_US
    while True:
        outside: dict[Any, list[Row]] = defaultdict(list)
        for n, (council, sender, shared, reported) in enumerate(
            notifications.filter(
                recipient_id__in=list(by_council),
                shared_at__gte=from_micros(low),
                shared_at__lte=from_micros(high),
            )
            .exclude(reported__gte=period.start, reported__lt=period.end)
            .order_by()  # not the newest first of a share's default: the batch rule sorts its own
            .values_list("recipient_id", "event__recorded_by_id", Micros("shared_at"), Micros("reported"))
        ):
            outside[council].append((-1 - n, sender, shared, reported))
        wider_low = wider_high = False
        for council, (first, last) in spans.items():
            # Only those outside the council's span can widen it (all of its own lie within it).
            times = sorted(map(_SHARED_AT, outside[council]))
            first, last = _closed(times, first, last)
            # One not read could be within BATCH_GAP of the span: read a day further that way.
            wider_low = wider_low or first - BATCH_GAP_US < low
            wider_high = wider_high or last + BATCH_GAP_US > high
        if not wider_low and not wider_high:
            break
        low = low - DAY_US if wider_low else low
        high = high + DAY_US if wider_high else high
    batched: set[int] = set()
    for council, mine in by_council.items():
        batched |= {n for n in batched_ids(mine + outside[council]) if n >= 0}
    return batched


class DaRow(NamedTuple):
    """One notification as the measure counts it: to which council, when reported (microseconds since the
    epoch, lib.epoch), how long until shared (microseconds), whether shared by its due time (None: no due
    time), and whether it belongs to a batch. A named tuple, not a frozen dataclass: a national year makes
    1.5 million of them, and a frozen dataclass is several times slower to make."""

    council_id: Any
    reported_us: int
    delay_us: int
    in_time: bool | None
    batched: bool


def shared_in_time() -> Case:
    """A share's ``notification_due_at`` met (True), missed (False) or absent (None), worked out by the
    database: shared at or before it."""
    return Case(
        When(notification_due_at__isnull=True, then=Value(None)),
        When(shared_at__lte=F("notification_due_at"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(null=True),
    )


def da_rows(council_ids: Collection[Any], period: Period) -> list[DaRow]:
    """The notifications to the councils of incidents reported to police within the period. Times come as
    whole microseconds and the in-time flag from the database: at a national year's 1.5 million notifications,
    turning three stored datetimes a row into Python's took a third of every area's measures
    (docs/performance.md, issue 16)."""
    shares = list(
        _da_notifications(council_ids)
        .filter(reported__gte=period.start, reported__lt=period.end)
        .order_by()  # unsorted: each measure sorts what it needs
        .values_list(
            "recipient_id",
            "event__recorded_by_id",
            Micros("shared_at"),
            Micros("reported"),
            shared_in_time(),
        )
    )
    return _da_rows_of(shares, council_ids, period)


# A notification as read: council id, sender, shared at, reported at (microseconds), shared by its due time.
DaShare = tuple[Any, Any, int, int, bool | None]


def _da_rows_of(shares: list[DaShare], council_ids: Collection[Any], period: Period) -> list[DaRow]:
    """``da_rows`` of the notifications read (``shares``: those to the councils reported within the period)."""
    batched = batched_positions(_da_notifications(council_ids), period, [row[:4] for row in shares])
    return [
        DaRow(council, reported, shared - reported, in_time, n in batched)
        for n, (council, _sender, shared, reported, in_time) in enumerate(shares)
    ]


def da_summary(rows: Sequence[DaRow]) -> DomesticAbuseNotifications:
    """The measure of some notifications (one area's over one period)."""
    return DomesticAbuseNotifications(
        count=len(rows),
        delay_hours=spread_us(row.delay_us for row in rows),
        # Shared by the due time worked out when it was recorded (clocks.deadlines.share_clocks, with the
        # area's own figure then in force); a share with no due time is not counted either way.
        within_target_pct=_in_time_flags_pct(row.in_time for row in rows),
        batched_pct=percent(sum(1 for row in rows if row.batched), len(rows)),
    )


def domestic_abuse_notifications(*, council: Organisation, period: Period) -> DomesticAbuseNotifications:
    """Police notifications to the council of domestic-abuse incidents reported to police within the period."""
    return da_summary(da_rows([council.pk], period))


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


def _repeat_children(
    history: dict[Any, list[tuple[dt.datetime, dt.datetime]]],
    child_ids: set[Any],
    period: Period,
    episodes: int,
    days: int,
) -> int:
    """Children with ``episodes`` or more episodes whose start (last seen) falls within ``days`` days, at least
    one of them reported in the period: the repeat flag's own count (missing.services._repeat_if_any), over
    the child's every episode reported by the end of the period (``history``: (last seen, reported) by child,
    sorted, reported before the end of this period or a longer one)."""
    window = dt.timedelta(days=days)
    repeat = 0
    for child in child_ids:
        items = [item for item in history.get(child, ()) if item[1] < period.end]
        for index in range(len(items) - episodes + 1):
            run = items[index : index + episodes]
            in_period = any(period.start <= reported < period.end for _, reported in run)
            if run[-1][0] - run[0][0] <= window and in_period:
                repeat += 1
                break
    return repeat


@dataclass(frozen=True)
class MissingRows:
    """Missing episodes reported within a period with what their measure needs: each episode's deadline to
    tell the council (``due``), the children's every episode reported by the period's end (``history``), the
    return interviews of those found, and each council's repeat-missing figures."""

    episodes: dict[Any, list[dict[str, Any]]]  # by council id
    history: dict[Any, list[tuple[dt.datetime, dt.datetime]]]
    interviews: dict[Any, dict[str, Any]]
    repeat_figures: dict[Any, tuple[int, int]]


def missing_rows(councils: Collection[Organisation], period: Period) -> MissingRows:
    """The episodes of children the councils are responsible for (``MissingEpisode.council``), reported to
    police within the period."""
    by_id = {council.pk: council for council in councils}
    reported = MissingEpisode.objects.filter(
        council_id__in=list(by_id), reported_at__gte=period.start, reported_at__lt=period.end
    ).exclude(missing_report__source=Source.HELD)
    episodes: list[dict[str, Any]] = [
        dict(row)
        for row in reported.values(
            "pk", "council_id", "child_id", "category", "reported_at", "council_told_at", "found_at"
        )
    ]
    by_council: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in episodes:
        by_council[e["council_id"]].append(e)
    for council_id, theirs in by_council.items():
        # The missing-notification deadline with the area's own figure (clocks.services.deadline, via
        # share_clocks on each share); the episode keeps only when the council was told, so it is worked out here,
        # for each council's episodes at once.
        dues = deadlines_for(
            ClockRule.MISSING_NOTIFICATION, [e["reported_at"] for e in theirs], by_id[council_id]
        )
        for e, due in zip(theirs, dues, strict=True):
            e["due"] = due
    # The children's and the found episodes' rows found by the database from the episodes' own query (a
    # national year's 29,000 children and 43,000 found episodes named one by one cost more to send than to read).
    history: dict[Any, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for child, last_seen, when_reported in MissingEpisode.objects.filter(
        child_id__in=reported.values("child_id"), reported_at__lt=period.end
    ).values_list("child_id", "last_seen_at", "reported_at"):
        history[child].append((last_seen, when_reported))
    for items in history.values():
        items.sort()
    interviews: dict[Any, dict[str, Any]] = {}
    for row in ReturnInterview.objects.filter(
        episode_id__in=reported.filter(found_at__isnull=False).values("pk")
    ).values("episode_id", "offered_at", "held_at", "independent"):
        interviews[row["episode_id"]] = dict(row)
    figures = repeat_figures_by_council(councils)
    return MissingRows(dict(by_council), dict(history), interviews, figures)


def missing_summary(
    rows: MissingRows, *, council: Organisation, period: Period, now: dt.datetime
) -> MissingChildren:
    """The measure of one council's episodes reported within the period (``rows`` may hold more: a longer
    period, other councils)."""
    episodes = [e for e in rows.episodes.get(council.pk, ()) if period.start <= e["reported_at"] < period.end]
    told = [e for e in episodes if e["council_told_at"] is not None]
    # An episode not yet told counts against the target once its deadline has passed; before then it is not
    # counted either way.
    judged = [e for e in episodes if e["council_told_at"] is not None or e["due"] <= now]
    in_time = [e for e in judged if e["council_told_at"] is not None and e["council_told_at"] <= e["due"]]
    repeat_episodes, repeat_days = rows.repeat_figures.get(council.pk) or repeat_figures(council)
    child_ids = {e["child_id"] for e in episodes}
    return MissingChildren(
        episodes=len(episodes),
        children=len(child_ids),
        missing_episodes=sum(1 for e in episodes if e["category"] == Category.MISSING),
        away_episodes=sum(1 for e in episodes if e["category"] == Category.AWAY),
        notification_delay_hours=spread(e["council_told_at"] - e["reported_at"] for e in told),
        notified_within_target_pct=percent(len(in_time), len(judged)),
        repeat_children=_repeat_children(rows.history, child_ids, period, repeat_episodes, repeat_days)
        if episodes
        else None,
        repeat_figures={"episodes": repeat_episodes, "days": repeat_days},
        return_interviews=_return_interviews(
            [e for e in episodes if e["found_at"] is not None], rows.interviews, now
        ),
    )


def missing_children(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> MissingChildren:
    """Episodes of children the council is responsible for (``MissingEpisode.council``), reported to police
    within the period."""
    now = now or timezone.now()
    return missing_summary(missing_rows([council], period), council=council, period=period, now=now)


def _deadline(rule: str, start: dt.datetime, council: Organisation) -> dt.datetime:
    # clocks.services.deadline through clocks.deadlines: the way each share's deadline is counted.
    due = deadline_for(rule, start, council)
    assert due is not None
    return due


def _return_interviews(
    found: list[dict[str, Any]], interviews: dict[Any, dict[str, Any]], now: dt.datetime
) -> ReturnInterviews:
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
    return _in_time_flags_pct(None if due is None else shared <= due for shared, due in shares)


def _in_time_flags_pct(flags: Iterable[bool | None]) -> float | None:
    """Of shares with a due time (a flag not None: ``shared_in_time``), the percentage shared by it."""
    every = list(flags)
    in_time = every.count(True)  # each flag True, False or None: counted in C, not one by one
    return percent(in_time, in_time + every.count(False))


# Operation Encompass and police protection -----------------------------------------------------------------


# An Operation Encompass notice as the measure counts it: council id, reported at, the delay until shared (both
# in microseconds), shared by its due time.
EncompassRow = tuple[Any, int, int, bool | None]


def encompass_rows(council_ids: Collection[Any], period: Period) -> list[EncompassRow]:
    """Operation Encompass notices (``encompass`` rule) to the councils' schools (a school whose council is one
    of them) and to the councils themselves (a home-educated child, a school not yet on OpenMASH), of
    domestic-abuse incidents reported to police within the period: (council id, reported, the delay until
    shared, shared by its due time), the times in microseconds and the flag from the database (``da_rows``)."""
    council_of = _encompass_recipients(council_ids)
    shares = (
        Share.objects.filter(
            recipient_id__in=list(council_of),
            event__kind=EventKind.DOMESTIC_ABUSE,
            notification_rule=ClockRule.ENCOMPASS,
        )
        .exclude(event__source=Source.HELD)
        .annotate(reported=Coalesce("reported_at", "occurred_at"))
        .filter(reported__gte=period.start, reported__lt=period.end)
        .order_by()
        .values_list(
            "recipient_id", Micros("reported"), MicrosBetween("shared_at", "reported"), shared_in_time()
        )
    )
    return [
        (council_of[recipient], reported, delay, in_time) for recipient, reported, delay, in_time in shares
    ]


def _encompass_recipients(council_ids: Collection[Any]) -> dict[Any, Any]:
    """The council of each recipient of the councils' Encompass notices: their schools and themselves. The
    schools are read first, so the notices are found by recipient on its index (an OR across the join to the
    recipient read every Encompass notice in the country for one area)."""
    ids = set(council_ids)
    council_of = dict(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL, parent_id__in=ids).values_list(
            "pk", "parent_id"
        )
    )
    council_of.update((pk, pk) for pk in ids)
    return council_of


def notification_rows(council_ids: Collection[Any], period: Period) -> tuple[list[DaRow], list[EncompassRow]]:
    """``da_rows`` and ``encompass_rows`` of the councils. For one area, in one read: both are shares of the
    same domestic-abuse events, and one area's are found on the recipient index but joined to every such event
    in the country, so one join instead of two saves most of a read (480-610 ms against 770-1,030 ms for the
    largest area of a national year, docs/performance.md, issue 16). For many areas in two: at every area's
    3 million shares the one read was slower than the two (18-19 s against 10-11 s). The same rows either way
    (tests/insight/test_all_areas.py compares every area at once with each area alone)."""
    if len(council_ids) != 1:
        return da_rows(council_ids, period), encompass_rows(council_ids, period)
    ids = set(council_ids)
    council_of = _encompass_recipients(ids)
    da: list[DaShare] = []
    notices: list[EncompassRow] = []
    for rule, recipient, sender, shared, reported, in_time in (
        Share.objects.filter(
            recipient_id__in=list(council_of),
            event__kind=EventKind.DOMESTIC_ABUSE,
            notification_rule__in=(*DA_RULES, ClockRule.ENCOMPASS),
        )
        .exclude(event__source=Source.HELD)
        .annotate(reported=Coalesce("reported_at", "occurred_at"))
        .filter(reported__gte=period.start, reported__lt=period.end)
        .order_by()
        .values_list(
            "notification_rule",
            "recipient_id",
            "event__recorded_by_id",
            Micros("shared_at"),
            Micros("reported"),
            shared_in_time(),
        )
    ):
        if rule == ClockRule.ENCOMPASS:
            notices.append((council_of[recipient], reported, shared - reported, in_time))
        elif recipient in ids:  # a notification to the council itself (da_rows), not to one of its schools
            da.append((recipient, sender, shared, reported, in_time))
    return _da_rows_of(da, council_ids, period), notices


def encompass_summary(rows: Sequence[tuple[Any, int, int, bool | None]]) -> dict[str, Any]:
    """How many notices, and how many reached the school before the start of the next school day (the share's
    own due time, counted with the school's or council's term breaks and start of day)."""
    return {
        "notices": len(rows),
        "delay_hours": asdict(spread_us(delay for _c, _reported, delay, _in_time in rows)),
        "before_next_school_day_pct": _in_time_flags_pct(in_time for _c, _r, _d, in_time in rows),
    }


def operation_encompass(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Operation Encompass notices to the area's schools and council (``encompass_rows``)."""
    return encompass_summary(encompass_rows([council.pk], period))


def protection_rows(
    council_ids: Collection[Any], period: Period
) -> list[tuple[Any, dt.datetime, dt.datetime, dt.datetime | None, dict[str, Any]]]:
    """Police protection notices shared with the councils whose protection began (the event's
    ``occurred_at``) within the period: (council id, began, shared, due, the event's details)."""
    return list(
        Share.objects.filter(recipient_id__in=list(council_ids), event__kind=EventKind.POLICE_PROTECTION)
        .exclude(event__source=Source.HELD)
        .filter(event__occurred_at__gte=period.start, event__occurred_at__lt=period.end)
        .order_by()
        .values_list(
            "recipient_id", "event__occurred_at", "shared_at", "notification_due_at", "event__details"
        )
    )


def protection_summary(
    rows: Sequence[tuple[Any, dt.datetime, dt.datetime, dt.datetime | None, dict[str, Any]]],
) -> dict[str, Any]:
    """Uses, whether alternatives were discussed (as the officer recorded), and the delay in telling the
    council, judged against the share's ``police-protection-inform`` due time."""
    answered = [row[4].get("alternatives_discussed") for row in rows]
    discussed = sum(1 for answer in answered if answer is True)
    not_discussed = sum(1 for answer in answered if answer is False)
    return {
        "uses": len(rows),
        "alternatives_discussed": discussed,
        "alternatives_not_discussed": not_discussed,
        "alternatives_discussed_pct": percent(discussed, discussed + not_discussed),
        "council_told_delay_hours": asdict(spread(shared - began for _c, began, shared, _due, _d in rows)),
        "council_told_within_target_pct": _in_time_pct((shared, due) for _c, _b, shared, due, _d in rows),
    }


def police_protection(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police protection notices shared with the council whose protection began within the period
    (``protection_rows``)."""
    return protection_summary(protection_rows([council.pk], period))


# Clocks, meetings, vetting ---------------------------------------------------------------------------------


def clock_summary(measures: Sequence[RuleMeasure]) -> list[dict[str, Any]]:
    """Each rule's clocks (``clocks.selectors.clock_measures``) as the measure gives them, with the share met in
    time of those stopped."""
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


def clocks(*, council: Organisation, period: Period, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The council's statutory clocks started within the period, by rule: met in time, met late, open past
    their due time (overdue) and still running, with the share met in time of those stopped."""
    return clock_summary(
        clock_measures(organisation=council, now=now, started_between=(period.start, period.end))
    )


def _participation(counts: Mapping[str, int]) -> dict[str, Any]:
    """One kind of meeting's police invitations, from how many took part each way."""
    invited = sum(counts.values())
    attended = counts.get(Participation.ATTENDED, 0)
    return {
        "meetings": invited,
        "attended": attended,
        "written_only": counts.get(Participation.WRITTEN_ONLY, 0),
        "none": counts.get(Participation.DID_NOT_TAKE_PART, 0),
        "attended_pct": percent(attended, invited),
    }


# How many police invitations to one council's meetings, by (the meeting's kind, how the force took part).
ParticipationCounts = Mapping[tuple[str, str], int]


def _police_invitations(council_ids: Collection[Any], period: Period) -> Any:
    return MeetingInvitation.objects.filter(
        meeting__council_id__in=list(council_ids),
        meeting__held_at__gte=period.start,
        meeting__held_at__lt=period.end,
        organisation__kind=OrganisationKind.POLICE,
    )


def participation_rows(
    council_ids: Collection[Any], period: Period
) -> list[tuple[Any, dt.datetime | None, str, str]]:
    """Police invitations to the councils' meetings held within the period: (council id, held at, the
    meeting's kind, how the force took part)."""
    return list(
        _police_invitations(council_ids, period).values_list(
            "meeting__council_id", "meeting__held_at", "meeting__kind", "participation"
        )
    )


def participation_counts(council_ids: Collection[Any], period: Period) -> dict[Any, ParticipationCounts]:
    """The invitations of ``participation_rows`` counted by the database, by council (every area at once: a
    national year's 300,000 invitations are a few hundred counts). A council with none has no entry."""
    counts: dict[Any, dict[tuple[str, str], int]] = defaultdict(dict)
    for council, kind, participation, invitations in (
        _police_invitations(council_ids, period)
        .values("meeting__council_id", "meeting__kind", "participation")
        .annotate(invitations=Count("pk"))
        .order_by()
        .values_list("meeting__council_id", "meeting__kind", "participation", "invitations")
    ):
        counts[council][(kind, participation)] = invitations
    return dict(counts)


def participation_summary(rows: Sequence[tuple[Any, dt.datetime | None, str, str]]) -> dict[str, Any]:
    """``participation_counts_summary`` of the invitations, one row each (``participation_rows``)."""
    return participation_counts_summary(Counter((kind, p) for _c, _h, kind, p in rows))


def participation_counts_summary(counts: ParticipationCounts) -> dict[str, Any]:
    """The invitations by how the force took part: as recorded when the outcome was recorded
    (meetings.models.Participation). A meeting with several forces invited counts once for each."""

    def of_kind(kind: str) -> dict[str, Any]:
        return _participation(
            {participation: n for (meeting_kind, participation), n in counts.items() if meeting_kind == kind}
        )

    return {
        "strategy_discussions": of_kind(MeetingKind.STRATEGY_DISCUSSION),
        "conferences": {
            kind.value.removesuffix("-conference").replace("-", "_"): of_kind(kind)
            for kind in CONFERENCE_KINDS
        },
    }


def police_participation(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police invitations to the council's meetings held within the period, by how the force took part."""
    return participation_summary(participation_rows([council.pk], period))


def vetting_at(period: Period, now: dt.datetime) -> dt.datetime:
    """When the backlog of a period is counted: at its end, or now if sooner."""
    return min(now, period.end)


def vetting_rows(council_ids: Collection[Any], first: dt.datetime, last: dt.datetime) -> list[dict[str, Any]]:
    """The councils' vetting requests that may be open at some time from ``first`` to ``last``."""
    return [
        dict(row)
        for row in VettingRequest.objects.filter(council_id__in=list(council_ids), submitted_at__lt=last)
        .filter(Q(outcome="") | Q(outcome_at__gte=first))
        .values("council_id", "submitted_at", "outcome", "outcome_at", "due_at", "role")
    ]


def vetting_summary(rows: Sequence[dict[str, Any]], at: dt.datetime) -> dict[str, Any]:
    """The requests still open at ``at``: how many, their median age and how many are past the service
    standard, and the prospective foster carers and adopters among them."""
    requests = [
        r
        for r in rows
        if r["submitted_at"] < at
        and (r["outcome"] == "" or (r["outcome_at"] is not None and r["outcome_at"] >= at))
    ]
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


def vetting_backlog(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The council's vetting requests still open at the end of the period (or now, if sooner)."""
    at = vetting_at(period, now or timezone.now())
    return vetting_summary(vetting_rows([council.pk], at, at), at)


# Initial conferences, joint visits, investigation closures --------------------------------------------------


def _london_noon(day: dt.date) -> dt.datetime:
    # A working-day clock counts from the day, not the instant (domain.md section 3: day D is day 0), so any
    # time of that day gives the same deadline; noon is clear of both clock changes.
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


ConferenceRow = tuple[Any, int | None, dt.date | None, int | None]


def conference_rows(council_ids: Collection[Any], period: Period) -> list[ConferenceRow]:
    """The councils' initial child protection conferences held within the period: (council id, held at, the s47
    start recorded at its strategy discussion, when that discussion was held), the times in microseconds since
    the epoch (lib.epoch: a national year's 70,000 conferences need only be compared with their deadlines)."""
    return list(
        Meeting.objects.filter(
            council_id__in=list(council_ids),
            kind=MeetingKind.INITIAL_CONFERENCE,
            held_at__gte=period.start,
            held_at__lt=period.end,
        ).values_list(
            "council_id",
            Micros("held_at"),
            "strategy_discussion__s47_started_on",
            Micros("strategy_discussion__held_at"),
        )
    )


def conference_summary(rows: Sequence[ConferenceRow], council: Organisation) -> dict[str, Any]:
    """Each conference timed from the s47 start (Working Together: 15 working days; the children in need census
    measures from the s47 start), by the ``initial-conference`` rule with the council's nation's bank
    holidays."""
    in_time = 0
    # One deadline a start day: a year's conferences of one area start on a few hundred days.
    due_by_day: dict[dt.date, int] = {}
    for _council, held_at, s47_started_on, discussion_held_at in rows:
        # An s47 start date is required when enquiries start (meetings.services); a conference from a
        # discussion held before that was recorded falls back on the discussion's own London day.
        assert held_at is not None
        if s47_started_on is not None:
            started = s47_started_on
        else:
            assert discussion_held_at is not None  # an initial conference's discussion was held
            started = from_micros(discussion_held_at).astimezone(LONDON).date()
        if started not in due_by_day:
            due_by_day[started] = micros(
                _deadline(ClockRule.INITIAL_CONFERENCE, _london_noon(started), council)
            )
        in_time += held_at <= due_by_day[started]
    return {
        "held": len(rows),
        "within_15_working_days": in_time,
        "later": len(rows) - in_time,
        "within_15_working_days_pct": percent(in_time, len(rows)),
    }


def initial_conferences(*, council: Organisation, period: Period) -> dict[str, Any]:
    """The council's initial child protection conferences held within the period, each timed from its s47
    start (``conference_summary``)."""
    return conference_summary(conference_rows([council.pk], period), council)


def _counts_by_council(rows: Iterable[Mapping[str, Any]]) -> dict[Any, dict[str, int]]:
    return {
        row["council_id"]: {key: value for key, value in row.items() if key != "council_id"} for row in rows
    }


def joint_visit_counts(council_ids: Collection[Any], period: Period) -> dict[Any, dict[str, int]]:
    """The councils' requests for a police officer on a visit (``JointVisit``) made within the period
    (``requested_at``), counted by council: needed, declined by the force, done, done with an officer, and
    lone visits. A council with none has no entry."""
    return _counts_by_council(
        JointVisit.objects.filter(
            council_id__in=list(council_ids), requested_at__gte=period.start, requested_at__lt=period.end
        )
        .values("council_id")
        .annotate(
            needed=Count("pk"),
            declined=Count("pk", filter=Q(declined_at__isnull=False)),
            done=Count("pk", filter=Q(status=VisitStatus.DONE)),
            with_officer=Count("pk", filter=Q(status=VisitStatus.DONE, officer_present=True)),
            lone=Count("pk", filter=Q(status=VisitStatus.DONE, lone_visit=True)),
        )
        .order_by()
    )


def joint_visit_summary(counts: dict[str, int] | None) -> dict[str, Any]:
    """How many visits were needed, how the force answered, and how many went ahead with and without an
    officer (a lone visit: Southend 2016, domain.md section 1)."""
    visits = counts or dict.fromkeys(("needed", "declined", "done", "with_officer", "lone"), 0)
    return {
        "needed": visits["needed"],
        "declined_by_police": visits["declined"],
        "done": visits["done"],
        "with_officer": visits["with_officer"],
        "lone_visits": visits["lone"],
        "lone_pct": percent(visits["lone"], visits["done"]),
    }


def joint_visits(*, council: Organisation, period: Period) -> dict[str, Any]:
    """The council's requests for a police officer on a visit made within the period (``joint_visit_counts``)."""
    return joint_visit_summary(joint_visit_counts([council.pk], period).get(council.pk))


def closure_counts(council_ids: Collection[Any], period: Period) -> dict[Any, dict[str, int]]:
    """Police closures of investigations about children the councils are responsible for
    (``InvestigationClosure.council``), decided or proposed within the period (``proposed_at``), counted by
    council. A council with none has no entry."""
    return _counts_by_council(
        InvestigationClosure.objects.filter(
            council_id__in=list(council_ids), proposed_at__gte=period.start, proposed_at__lt=period.end
        )
        .values("council_id")
        .annotate(
            closures=Count("pk"),
            needing_agreement=Count("pk", filter=Q(needs_agreement=True)),
            without_consultation=Count("pk", filter=Q(closed_at__isnull=False, responded_at__isnull=True)),
            disputed=Count("pk", filter=Q(status=ClosureStatus.DISPUTED) | Q(disagreement__isnull=False)),
            awaiting_council=Count("pk", filter=Q(status=ClosureStatus.PROPOSED)),
        )
        .order_by()
    )


def closure_summary(counts: dict[str, int] | None) -> dict[str, Any]:
    """Closures that took effect without the council's answer, and those the council disputed (Stockton 2016,
    domain.md section 1)."""
    closures = counts or dict.fromkeys(
        ("closures", "needing_agreement", "without_consultation", "disputed", "awaiting_council"), 0
    )
    return {
        "closures": closures["closures"],
        "needing_agreement": closures["needing_agreement"],
        "without_consultation": closures["without_consultation"],
        "without_consultation_pct": percent(closures["without_consultation"], closures["closures"]),
        "disputed": closures["disputed"],
        "awaiting_council": closures["awaiting_council"],
    }


def investigation_closures(*, council: Organisation, period: Period) -> dict[str, Any]:
    """Police closures of investigations about the council's children proposed within the period
    (``closure_counts``)."""
    return closure_summary(closure_counts([council.pk], period).get(council.pk))


# The joint visits and closures of the headline figures, row by row: a month's (``insight.trends``) is worked out
# from the period's rows read once. Each row holds the same conditions ``joint_visit_counts`` and
# ``closure_counts`` count, and ``visit_counts_of``/``closure_counts_of`` count them the same way, so the one
# summary gives the same answer from either (tests/insight/test_findings_rules.py).

VisitRow = tuple[
    Any, dt.datetime, bool, bool, bool, bool
]  # council, requested at, declined, done, officer, lone


def joint_visit_rows(council_ids: Collection[Any], period: Period) -> list[VisitRow]:
    """The councils' requests for a police officer on a visit made within the period, one row each."""
    return [
        (council_id, requested_at, declined_at is not None, status == VisitStatus.DONE, bool(officer), lone)
        for council_id, requested_at, declined_at, status, officer, lone in JointVisit.objects.filter(
            council_id__in=list(council_ids), requested_at__gte=period.start, requested_at__lt=period.end
        )
        .order_by()
        .values_list("council_id", "requested_at", "declined_at", "status", "officer_present", "lone_visit")
    ]


def visit_counts_of(rows: Sequence[VisitRow]) -> dict[str, int] | None:
    """``joint_visit_counts``'s counts of one council's rows (None when there are none)."""
    if not rows:
        return None
    return {
        "needed": len(rows),
        "declined": sum(1 for row in rows if row[2]),
        "done": sum(1 for row in rows if row[3]),
        "with_officer": sum(1 for row in rows if row[3] and row[4]),
        "lone": sum(1 for row in rows if row[3] and row[5]),
    }


ClosureRow = tuple[
    Any, dt.datetime, bool, bool, bool, bool
]  # council, proposed, agreement, unheard, disputed, open


def closure_rows(council_ids: Collection[Any], period: Period) -> list[ClosureRow]:
    """Police closures of investigations about the councils' children proposed within the period, one row
    each."""
    return [
        (
            council_id,
            proposed_at,
            needs_agreement,
            closed_at is not None and responded_at is None,
            status == ClosureStatus.DISPUTED or disagreement is not None,
            status == ClosureStatus.PROPOSED,
        )
        for council_id, proposed_at, needs_agreement, closed_at, responded_at, status, disagreement in (
            InvestigationClosure.objects.filter(
                council_id__in=list(council_ids), proposed_at__gte=period.start, proposed_at__lt=period.end
            )
            .order_by()
            .values_list(
                "council_id",
                "proposed_at",
                "needs_agreement",
                "closed_at",
                "responded_at",
                "status",
                "disagreement",
            )
        )
    ]


def closure_counts_of(rows: Sequence[ClosureRow]) -> dict[str, int] | None:
    """``closure_counts``'s counts of one council's rows (None when there are none)."""
    if not rows:
        return None
    return {
        "closures": len(rows),
        "needing_agreement": sum(1 for row in rows if row[2]),
        "without_consultation": sum(1 for row in rows if row[3]),
        "disputed": sum(1 for row in rows if row[4]),
        "awaiting_council": sum(1 for row in rows if row[5]),
    }


# Joint (evidential) interviews ------------------------------------------------------------------------------

# A joint interview the strategy discussion asked for, as the measure counts it: (council id, asked for at, its
# target date, held at, whether it was recorded as not held).
InterviewRow = tuple[Any, dt.datetime, dt.date, dt.datetime | None, bool]


def evidential_interview_rows(council_ids: Collection[Any], period: Period) -> list[InterviewRow]:
    """The joint (evidential) interviews the councils' strategy discussions asked for within the period
    (``requested_at``)."""
    return [
        (council_id, requested_at, target_date, held_at, reason != "")
        for council_id, requested_at, target_date, held_at, reason in EvidentialInterview.objects.filter(
            strategy_discussion__council_id__in=list(council_ids),
            requested_at__gte=period.start,
            requested_at__lt=period.end,
        )
        .order_by()
        .values_list(
            "strategy_discussion__council_id", "requested_at", "target_date", "held_at", "not_held_reason"
        )
    ]


def days_late(held_at: dt.datetime, target: dt.date) -> int:
    """Whole days from the target date to the London day the interview was held (0 when held by it)."""
    return max(0, (held_at.astimezone(LONDON).date() - target).days)


def evidential_interview_summary(rows: Sequence[InterviewRow], at: dt.datetime) -> dict[str, Any]:
    """How many joint interviews were asked for, held, held by their target date, and how late the late ones
    were (Doncaster 2016, domain.md section 1: "not held soon enough"). An interview is judged on time once it
    is due: held, recorded as not held, or past its target date at ``at`` (the period's end, or now if sooner);
    one still waiting before its target date is neither in time nor late."""
    today = at.astimezone(LONDON).date()
    held = [(row[3], row[2]) for row in rows if row[3] is not None]
    due = [row for row in rows if row[3] is not None or row[4] or row[2] < today]
    by_target = sum(1 for held_at, target in held if days_late(held_at, target) == 0)
    late = sorted(float(days_late(held_at, target)) for held_at, target in held)
    ninetieth = p90(late)
    return {
        "asked": len(rows),
        "held": len(held),
        "due": len(due),
        "held_by_target": by_target,
        "held_by_target_pct": percent(by_target, len(due)),
        "days_late": {
            "median": statistics.median(late) if late else None,
            "p90": round(ninetieth, 1) if ninetieth is not None else None,
            "max": late[-1] if late else None,
        },
        "not_held": sum(1 for row in rows if row[4]),
    }


def evidential_interviews(
    *, council: Organisation, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The joint interviews the council's strategy discussions asked for within the period."""
    at = vetting_at(period, now or timezone.now())
    return evidential_interview_summary(evidential_interview_rows([council.pk], period), at)


# Everything at once ----------------------------------------------------------------------------------------


# A row's council, where it comes first (every row of the measures read by council, and a DaRow).
_COUNCIL = operator.itemgetter(0)


def by_council(rows: Iterable[Any], council_of: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    """Rows grouped by their council's id (``council_of``), so each area's measure looks only at its own; a
    council with none has an empty list."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[council_of(row)].append(row)
    return grouped


def areas_measures(
    *, councils: Collection[Organisation], period: Period, now: dt.datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Every measure of each of the areas over the period (``area_measures``), by council code: each measure's
    rows of all the areas read at once (a few queries a measure, however many areas), then each area's figures
    worked out from its own rows by the one definition of the measure (the ``*_summary`` functions above).
    ``area_measures`` of one area is this with one council; tests/insight/test_all_areas.py checks that every
    area's answer equals that."""
    now = now or timezone.now()
    councils = list(councils)
    ids = [council.pk for council in councils]
    at = vetting_at(period, now)
    notifications, notices = notification_rows(ids, period)
    domestic_abuse = by_council(notifications, _COUNCIL)
    missing = missing_rows(councils, period)
    encompass = by_council(notices, _COUNCIL)
    protection = by_council(protection_rows(ids, period), _COUNCIL)
    participation = participation_counts(ids, period)
    conferences = by_council(conference_rows(ids, period), _COUNCIL)
    visits = joint_visit_counts(ids, period)
    closures = closure_counts(ids, period)
    interviews = by_council(evidential_interview_rows(ids, period), _COUNCIL)
    vetting = by_council(vetting_rows(ids, at, at), lambda row: row["council_id"])
    clock_counts = clock_measures_by_organisation(
        organisations=councils, now=now, started_between=(period.start, period.end)
    )
    return {
        council.code: {
            "area": {"code": council.code, "name": council.name},
            "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
            "measured_at": now.isoformat(),
            "domestic_abuse_notifications": asdict(da_summary(domestic_abuse[council.pk])),
            "missing_children": asdict(missing_summary(missing, council=council, period=period, now=now)),
            "operation_encompass": encompass_summary(encompass[council.pk]),
            "police_protection": protection_summary(protection[council.pk]),
            "police_participation": participation_counts_summary(participation.get(council.pk, {})),
            "initial_conferences": conference_summary(conferences[council.pk], council),
            "joint_visits": joint_visit_summary(visits.get(council.pk)),
            "investigation_closures": closure_summary(closures.get(council.pk)),
            "evidential_interviews": evidential_interview_summary(interviews[council.pk], at),
            "vetting_backlog": vetting_summary(vetting[council.pk], at),
            "clocks": clock_summary(clock_counts[council.pk]),
        }
        for council in councils
    }


def area_measures(*, council: Organisation, period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every measure of the area over the period, under the keys issue 16 names, as plain JSON-ready data."""
    return areas_measures(councils=[council], period=period, now=now)[council.code]
