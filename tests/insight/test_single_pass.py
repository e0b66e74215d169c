"""The dashboard's single passes give what one area's measures of one period give: the monthly trends (the
period's rows read once, bucketed by London month) equal each month measured alone, and the national comparison
(every area's rows read once, grouped by council) equals each area measured alone, on varied hand-made data in
2020: rows at the edges of months and of the period, both clock changes (29 March and 25 October 2020), batches
that cross a month's edge and the period's, a run of exactly 4, repeat missing across months, vetting requests
open and decided at different times, and "now" inside the last month."""

import datetime as dt
import itertools
import random

import pytest

from openmash.casework.models import ClosureStatus, VisitStatus
from openmash.events.models import EventKind
from openmash.insight.comparison import area_values
from openmash.insight.headlines import (
    headline_bases,
    headline_measures,
    headline_measures_of,
    headline_rows,
    headline_values,
)
from openmash.insight.measures import Period
from openmash.insight.trends import monthly_trends, months_of
from openmash.lib.clock_rules import ClockRule
from openmash.meetings.models import (
    EvidentialInterview,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    Participation,
)
from openmash.missing.models import Category, RepeatMissingSetting
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.models import Share
from openmash.vetting.models import VettingOutcome, VettingRequest, VettingRole
from tests.insight.conftest import LONDON, UTC, event, interview
from tests.insight.test_casework_measures import _closure, _visit
from tests.insight.test_casework_measures import _meeting as _strategy

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
PERIOD = Period(dt.date(2020, 2, 15), dt.date(2020, 11, 10))
NOW = dt.datetime(2020, 11, 5, 12, tzinfo=UTC)  # inside the last month: some deadlines and interviews pending
_serial = itertools.count(1)


def london(month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(2020, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def instant(rng: random.Random) -> dt.datetime:
    """Any time from a month before the period to a few weeks after it."""
    start = dt.datetime(2020, 1, 15, tzinfo=UTC)
    return start + dt.timedelta(minutes=rng.randrange(0, 330 * 24 * 60))


@pytest.fixture
def areas(area):
    return [
        area,
        *(
            Organisation.objects.create(code=f"TEST-C{n}", name=f"Council {n}", kind=OrganisationKind.COUNCIL)
            for n in (2, 3)
        ),
    ]


def _meeting(council, person, kind, held, forces, rng, discussion=None):
    if kind == MeetingKind.INITIAL_CONFERENCE and discussion is None:
        discussion = _meeting(council, person, MeetingKind.STRATEGY_DISCUSSION, held - 240 * H, forces, rng)
    n = next(_serial)
    meeting = Meeting.objects.create(
        kind=kind,
        reference=f"SP-TEST-{n}",
        child=person,
        council=council,
        convened_by_label="Test",
        convened_at=held - H,
        scheduled_for=held,
        held_at=held,
        event=event(EventKind.STRATEGY_DISCUSSION, council, held - H),
        strategy_discussion=discussion,
    )
    for force in forces[: rng.randint(1, 2)]:
        took_part = rng.choice(list(Participation))
        MeetingInvitation.objects.create(
            meeting=meeting,
            organisation=force,
            role_expected="Police",
            participation=took_part,
            non_attendance_reason="" if took_part == Participation.ATTENDED else "Shift cover",
        )
    return meeting


def _protection(council, force, began, told, alternatives):
    details = {} if alternatives is None else {"alternatives_discussed": alternatives}
    Share.objects.create(
        event=event(EventKind.POLICE_PROTECTION, force, began, details=details),
        recipient=council,
        route="home-council",
        notification_rule=ClockRule.POLICE_PROTECTION_INFORM,
        notification_due_at=began + 4 * H,
        occurred_at=began,
        reported_at=began,
        recorded_at=told,
        shared_at=told,
    )


def _vetting(council, force, submitted, outcome_at):
    n = next(_serial)
    VettingRequest.objects.create(
        council=council,
        force=force,
        given_name=f"Applicant{n}",
        family_name="Test",
        date_of_birth=dt.date(1980, 1, 1),
        role=[VettingRole.FOSTER_CARER, VettingRole.ADOPTER, VettingRole.HOUSEHOLD_MEMBER][n % 3],
        submitted_at=submitted,
        due_at=submitted + 60 * 24 * H,
        escalation_at=submitted + 40 * 24 * H,
        outcome=VettingOutcome.CLEAR if outcome_at else "",
        outcome_at=outcome_at,
        requested_by_label="Test",
        updated_at=outcome_at or submitted,
    )


@pytest.fixture
def varied(areas, forces, notify, child, episode):
    """Hand-made rows of every headline measure for three councils, seeded so a failure can be replayed."""
    rng = random.Random(16)
    RepeatMissingSetting.objects.create(council=areas[1], episodes=2, days=30, set_at=NOW)
    for council in areas:
        school = Organisation.objects.create(
            code=f"{council.code}-SCHOOL",
            name=f"{council.name} Primary",
            kind=OrganisationKind.SCHOOL,
            parent=council,
        )
        for _ in range(25):
            reported = instant(rng)
            shared = reported + rng.choice([10 * M, 2 * H, 20 * H, 30 * H, 200 * H])
            rule = rng.choice([ClockRule.DA_NOTIFICATION, ClockRule.DA_NOTIFICATION_HIGH_RISK])
            notify(rng.choice(forces), reported, shared, recipient=council, rule=rule)
        for _ in range(8):
            reported = instant(rng)
            notify(
                forces[0],
                reported,
                reported + rng.choice([H, 14 * H, 40 * H]),
                due=reported + 12 * H,
                rule=ClockRule.ENCOMPASS,
                recipient=rng.choice([school, council]),
            )
        for _ in range(6):
            began = instant(rng)
            _protection(
                council,
                forces[1],
                began,
                began + rng.choice([H, 3 * H, 9 * H]),
                rng.choice([True, False, None]),
            )
        for _ in range(8):
            kind = rng.choice([MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL_CONFERENCE])
            _meeting(council, child(), kind, instant(rng), forces, rng)
        for _ in range(3):
            _meeting(council, child(), MeetingKind.PRE_BIRTH_CONFERENCE, instant(rng), forces, rng)
        for _ in range(8):
            submitted = instant(rng) - 60 * 24 * H
            decided = submitted + rng.choice([10, 45, 120]) * 24 * H
            _vetting(council, forces[0], submitted, rng.choice([None, decided]))
        children = [child() for _ in range(4)]
        for _ in range(12):
            reported = instant(rng)
            found = rng.choice([None, reported + 5 * H, reported + 30 * H])
            told = rng.choice([None, reported + 20 * M, reported + 3 * H])
            made = episode(
                rng.choice(children),
                reported,
                told=told,
                found=found,
                category=rng.choice([Category.MISSING, Category.AWAY]),
                council=council,
            )
            if found is not None and rng.random() < 0.6:
                held = rng.choice([None, found + 50 * H])
                interview(
                    made,
                    found + rng.choice([20 * H, 90 * H]),
                    held=held,
                    independent=rng.choice([True, False]),
                )
        # Joint work, from its own seed so the rows above stay as they were: visits with and without an
        # officer, closures heard and unheard, joint interviews in time, late, not held and waiting.
        joint = random.Random(f"joint-{council.code}")
        for _ in range(6):
            requested = instant(joint)
            lone = joint.random() < 0.5
            _visit(
                council,
                forces[0],
                child(),
                requested,
                status=joint.choice([VisitStatus.DONE, VisitStatus.DONE, VisitStatus.REQUESTED]),
                officer_present=not lone,
                lone_visit=lone,
            )
        for _ in range(5):
            proposed = instant(joint)
            unheard = joint.random() < 0.4
            _closure(
                council,
                forces[1],
                child(),
                proposed,
                needs_agreement=not unheard,
                status=ClosureStatus.CLOSED
                if unheard
                else joint.choice([ClosureStatus.PROPOSED, ClosureStatus.DISPUTED, ClosureStatus.WITHDRAWN]),
                closed_at=proposed + 2 * H if unheard else None,
            )
        for _ in range(6):
            asked = instant(joint)
            outcome = joint.choice(["in-time", "late", "not-held", "waiting"])
            EvidentialInterview.objects.create(
                strategy_discussion=_strategy(council, child(), MeetingKind.STRATEGY_DISCUSSION, asked),
                requested_at=asked,
                target_date=(asked + 72 * H).date(),
                held_at={"in-time": asked + 24 * H, "late": asked + 200 * H}.get(outcome),
                not_held_reason="The child declined" if outcome == "not-held" else "",
            )

    first, second, _third = areas
    # A batch of 6 from one force, shared 10 minutes apart from 23:50 on 31 March (London, the first night of
    # summer time) into 1 April, about incidents reported before the period, in March and in April: batched in
    # both months, whichever month each was reported in.
    reported = [
        london(2, 10, 9),
        london(3, 20, 9),
        london(3, 31, 23, 30),
        london(3, 31, 23, 45),
        london(4, 1, 0, 5),
        london(4, 1, 0, 10),
    ]
    for n, when in enumerate(reported):
        notify(forces[0], when, london(3, 31, 23, 50) + n * 10 * M, recipient=first)
    # Exactly 4 to the second council shared close together: not a batch.
    for n in range(4):
        notify(forces[1], london(6, 1 + n, 9), london(6, 30, 23, 55) + n * 5 * M, recipient=second)
    # A batch of 5 across the autumn change (1:30am on 25 October comes twice), reported in October and
    # September; and a notification reported in the repeated hour, each side.
    for n in range(5):
        notify(forces[0], london(9, 20 + n, 9), london(10, 25, 1, 20) + n * 10 * M, recipient=second)
    notify(forces[1], london(10, 25, 1, 30, fold=0), london(10, 25, 2, 0), recipient=second)
    notify(forces[1], london(10, 31, 23, 30), london(11, 1, 0, 30), recipient=second)
    # A missing child at the month's edge, in summer time, and one just past the period's end.
    person = child()
    episode(person, london(3, 31, 23, 40), told=london(4, 1, 0, 10), found=london(4, 1, 3), council=first)
    episode(person, london(4, 2, 10), told=london(4, 2, 10, 30), council=first)
    episode(person, london(4, 20, 10), council=first)
    episode(person, london(11, 11, 0, 30), told=london(11, 11, 1), council=first)
    return areas


def test_each_month_of_the_single_pass_is_that_month_measured_alone(varied):
    rows = headline_rows(councils=varied, period=PERIOD, now=NOW)
    for council in varied:
        for month in months_of(PERIOD):
            alone = headline_measures(council=council, period=month, now=NOW)
            assert headline_measures_of(rows, council=council, period=month, now=NOW) == alone, (
                council.code,
                month,
            )
        trends = monthly_trends(council=council, period=PERIOD, now=NOW)
        assert [month.period for month in trends] == months_of(PERIOD)
        for month in trends:
            alone = headline_measures(council=council, period=month.period, now=NOW)
            assert (month.values, month.bases) == (headline_values(alone), headline_bases(alone))


def test_each_area_of_the_single_pass_is_that_area_measured_alone(varied):
    every = area_values(PERIOD, now=NOW, councils=varied)
    assert every == {
        council.code: headline_values(headline_measures(council=council, period=PERIOD, now=NOW))
        for council in varied
    }
    # The active councils (the default) give the same, and the data is varied enough to mean something.
    assert area_values(PERIOD, now=NOW) == every
    first = every["TEST-COUNCIL"]
    assert all(first[key] is not None for key in first), first


def test_the_batch_across_the_spring_change_counts_in_march_and_april(varied):
    march = headline_measures(
        council=varied[0], period=Period(dt.date(2020, 3, 1), dt.date(2020, 3, 31)), now=NOW
    )
    april = headline_measures(
        council=varied[0], period=Period(dt.date(2020, 4, 1), dt.date(2020, 4, 30)), now=NOW
    )
    months = {m.period.first_day.month: m for m in monthly_trends(council=varied[0], period=PERIOD, now=NOW)}
    # The batch's three reported in March (one at 23:30 and one at 23:45 London, 22:30 and 22:45 UTC) and two
    # in April; each month's other notifications are not batched unless they were shared with them.
    assert march["domestic_abuse_notifications"]["batched_pct"] > 0
    assert april["domestic_abuse_notifications"]["batched_pct"] > 0
    assert months[3].values["da_batched"] == march["domestic_abuse_notifications"]["batched_pct"]
    assert months[4].values["da_batched"] == april["domestic_abuse_notifications"]["batched_pct"]


def test_the_trends_of_rows_already_read_are_the_trends(varied):
    """The dashboard reads an area's rows once, for the period's figures and each month's (issue 16)."""
    for council in varied:
        rows = headline_rows(councils=[council], period=PERIOD, now=NOW)
        given = monthly_trends(council=council, period=PERIOD, now=NOW, rows=rows)
        assert given == monthly_trends(council=council, period=PERIOD, now=NOW)
        assert headline_measures_of(rows, council=council, period=PERIOD, now=NOW) == headline_measures(
            council=council, period=PERIOD, now=NOW
        )
