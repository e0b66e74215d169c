"""Each measure of issue 16 on small hand-made data whose answers are worked out by hand (docs/metrics.md)."""

import datetime as dt
import statistics

import pytest

from openmash.clocks.models import AreaClockSetting, Clock
from openmash.clocks.services import forget_area_settings
from openmash.events.models import EventKind
from openmash.insight import measures
from openmash.insight.measures import Period, Spread
from openmash.lib.clock_rules import ClockRule
from openmash.meetings.models import Meeting, MeetingInvitation, MeetingKind, Participation
from openmash.missing.models import Category, RepeatMissingSetting
from openmash.sharing.models import Share
from tests.insight.conftest import LONDON, UTC, event, interview

H = dt.timedelta(hours=1)
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
NOW = dt.datetime(2026, 12, 1, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


# The conventions ------------------------------------------------------------------------------------------


def test_p90_interpolates_between_closest_ranks_as_numpy_does():
    # Rank 0.9 * (5 - 1) = 3.6 counting from 0: 4 + 0.6 * (10 - 4) = 7.6 (numpy.percentile(..., 90)).
    assert measures.p90([1.0, 2.0, 3.0, 4.0, 10.0]) == pytest.approx(7.6)
    # Rank 0.9 between two values: 0.5 + 0.9 * 0.5.
    assert measures.p90([0.5, 1.0]) == pytest.approx(0.95)
    assert measures.p90([3.0]) == 3.0
    assert measures.p90([]) is None


def test_spread_is_decimal_hours_and_none_without_data():
    spread = measures.spread([dt.timedelta(minutes=m) for m in (30, 90, 60, 600, 120)])
    # Sorted 0.5, 1, 1.5, 2, 10: rank 3.6 gives 2 + 0.6 * 8 = 6.8.
    assert spread == Spread(median=1.5, p90=6.8, max=10.0)
    assert measures.spread([]) == Spread(None, None, None)


def test_percent_has_one_decimal_place_and_none_of_nothing():
    assert measures.percent(1, 3) == 33.3
    assert measures.percent(2, 3) == 66.7
    assert measures.percent(0, 4) == 0.0
    assert measures.percent(0, 0) is None


def test_a_period_is_whole_london_days_both_included_across_each_clock_change():
    # Sunday 29 March 2026 has 23 hours; Sunday 25 October 2026 has 25.
    spring = Period(dt.date(2026, 3, 29), dt.date(2026, 3, 29))
    assert spring.start == dt.datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert spring.end == dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
    autumn = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    assert autumn.start == dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert autumn.end == dt.datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
    assert autumn.end - autumn.start == 25 * H


# Domestic-abuse notifications -----------------------------------------------------------------------------


def test_domestic_abuse_notifications_count_delay_and_target(area, forces, notify):
    police = forces[0]
    # Delays 1, 2, 3, 4 and 30 hours; the last is after its 24-hour deadline.
    for day, delay in ((2, 1), (4, 2), (6, 3), (8, 4), (10, 30)):
        notify(police, at(day), at(day) + delay * H)
    # Not counted: reported before the period, to another council, and a high-risk one reported after it.
    notify(police, at(28, 23, month=2), at(1, 1))
    other = type(area).objects.create(code="OTHER", name="Elsewhere", kind="council")
    notify(police, at(3), at(3) + H, recipient=other)
    notify(police, at(1, 10, month=4), at(1, 11, month=4), rule=ClockRule.DA_NOTIFICATION_HIGH_RISK)
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.count == 5
    # Sorted 1, 2, 3, 4, 30: median 3; rank 3.6 gives 4 + 0.6 * 26 = 19.6.
    assert result.delay_hours == Spread(median=3.0, p90=19.6, max=30.0)
    assert result.within_target_pct == 80.0
    assert result.batched_pct == 0.0


def test_within_target_uses_each_shares_own_deadline_high_risk_included(area, forces, notify):
    police = forces[0]
    notify(police, at(2), at(2) + 2 * H, due=at(2) + H, rule=ClockRule.DA_NOTIFICATION_HIGH_RISK)
    notify(police, at(3), at(3) + H, due=at(3) + H, rule=ClockRule.DA_NOTIFICATION_HIGH_RISK)  # on the dot
    notify(police, at(4), at(4) + 13 * H, due=at(4) + 12 * H)
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.within_target_pct == 33.3


def test_a_batch_of_exactly_five_is_batched_and_four_is_not(area, forces, notify):
    first, second = forces
    # Five from the first force shared 5, 5, 5 and 15 minutes apart, about incidents of 1 to 5 March.
    for n, minute in enumerate((0, 5, 10, 15, 30)):
        notify(first, at(1 + n, 9), at(20, 10, minute))
    # Four from the second force shared a minute apart, about incidents days apart: not enough for a batch.
    for n in range(4):
        notify(second, at(1 + n, 9), at(20, 10, n))
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.count == 9
    assert result.batched_pct == 55.6  # 5 of 9


def test_a_run_broken_by_more_than_fifteen_minutes_or_spanning_a_day_or_less_is_no_batch(
    area, forces, notify
):
    police = forces[0]
    # Five shared within 15 minutes of each other, but the fifth 15 minutes and 1 second after the fourth.
    for n, (minute, second) in enumerate(((0, 0), (5, 0), (10, 0), (15, 0), (30, 1))):
        notify(police, at(1 + n, 9), at(20, 10, minute, second))
    # Six shared a minute apart, reported exactly 24 hours apart at the most: not more than 24 hours.
    for n in range(6):
        notify(police, at(10, 9) + n * 4 * dt.timedelta(hours=1.2), at(25, 10, n))
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.count == 11
    assert result.batched_pct == 0.0


def test_a_batch_is_seen_whole_when_some_of_it_is_outside_the_period(area, forces, notify):
    police = forces[0]
    # One incident of 28 February and four of March, all shared together on 10 March.
    notify(police, at(28, 9, month=2), at(10, 10, 0))
    for n in range(4):
        notify(police, at(2 + n, 9), at(10, 10, 1 + n))
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.count == 4
    assert result.batched_pct == 100.0


def test_batches_are_found_by_shared_at_order_not_by_recording_order(area, forces, notify):
    police = forces[0]
    # Recorded out of order; in shared-at order each is within 15 minutes of the one before.
    for n, minute in enumerate((40, 0, 28, 14, 52)):
        notify(police, at(1 + 2 * n, 9), at(20, 10, minute))
    result = measures.domestic_abuse_notifications(council=area, period=MARCH)
    assert result.batched_pct == 100.0


def test_the_period_follows_london_days_across_the_spring_clock_change(area, forces, notify):
    police = forces[0]
    spring = Period(dt.date(2026, 3, 29), dt.date(2026, 3, 29))
    # 00:30 GMT and 23:30 BST on 29 March are in the day; 23:59 GMT on the 28th and 00:30 BST on the 30th not.
    inside = [dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 23, 30, tzinfo=LONDON)]
    outside = [dt.datetime(2026, 3, 28, 23, 59, tzinfo=UTC), dt.datetime(2026, 3, 30, 0, 30, tzinfo=LONDON)]
    # Shared at 3:30am BST: 2 hours after 00:30 GMT, not 3.
    notify(police, inside[0], dt.datetime(2026, 3, 29, 3, 30, tzinfo=LONDON))
    notify(police, inside[1], inside[1] + H)
    for reported in outside:
        notify(police, reported, reported + H)
    result = measures.domestic_abuse_notifications(council=area, period=spring)
    assert result.count == 2
    assert result.delay_hours.max == 2.0


def test_the_period_follows_london_days_across_the_autumn_clock_change(area, forces, notify):
    police = forces[0]
    autumn = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    inside = [
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),
        dt.datetime(2026, 10, 25, 23, 30, tzinfo=LONDON),
    ]
    outside = [
        dt.datetime(2026, 10, 24, 23, 30, tzinfo=LONDON),
        dt.datetime(2026, 10, 26, 0, 0, tzinfo=LONDON),
    ]
    # 00:30 BST to 2:30am GMT is 3 hours.
    notify(police, inside[0], dt.datetime(2026, 10, 25, 2, 30, tzinfo=LONDON))
    notify(police, inside[1], inside[1] + H)
    for reported in outside:
        notify(police, reported, reported + H)
    result = measures.domestic_abuse_notifications(council=area, period=autumn)
    assert result.count == 2
    assert result.delay_hours.max == 3.0


def test_an_empty_area_gives_nulls_never_zeros(area):
    result = measures.area_measures(council=area, period=MARCH, now=NOW)
    da = result["domestic_abuse_notifications"]
    assert da == {
        "count": 0,
        "delay_hours": {"median": None, "p90": None, "max": None},
        "within_target_pct": None,
        "batched_pct": None,
    }
    missing = result["missing_children"]
    assert missing["episodes"] == 0 and missing["children"] == 0
    assert missing["notification_delay_hours"] == {"median": None, "p90": None, "max": None}
    assert missing["notified_within_target_pct"] is None and missing["repeat_children"] is None
    assert missing["return_interviews"] == {
        "found_episodes": 0,
        "offered_within_72h_pct": None,
        "held_pct": None,
        "independent_pct": None,
    }
    assert result["police_participation"]["strategy_discussions"]["attended_pct"] is None
    assert result["vetting_backlog"]["open"] == 0 and result["vetting_backlog"]["median_age_days"] is None
    assert result["clocks"] == []


# Missing children -----------------------------------------------------------------------------------------


def test_missing_children_counts_delays_and_target(area, child, episode):
    amy, ben, cal = child(), child(), child()
    # Told after 30 minutes, on the hour (in time), after 2 hours (late); one never told, long past its hour.
    episode(amy, at(2), told=at(2) + H / 2)
    episode(amy, at(5), told=at(5) + H, category=Category.AWAY)
    episode(ben, at(9), told=at(9) + 2 * H)
    episode(cal, at(12))
    # Not counted: before the period, and another council's child.
    episode(cal, at(27, month=2), told=at(27, month=2) + H)
    other = type(area).objects.create(code="OTHER", name="Elsewhere", kind="council")
    episode(child(), at(3), told=at(3) + H, council=other)
    result = measures.missing_children(council=area, period=MARCH, now=NOW)
    assert (result.episodes, result.children, result.missing_episodes, result.away_episodes) == (4, 3, 3, 1)
    # Delays of the three told: 0.5, 1, 2 hours; rank 1.8 gives 1 + 0.8 * 1 = 1.8.
    assert result.notification_delay_hours == Spread(median=1.0, p90=1.8, max=2.0)
    assert result.notified_within_target_pct == 50.0  # 2 of 4
    assert result.repeat_children == 0


def test_an_untold_episode_is_not_judged_before_its_deadline(area, child, episode):
    episode(child(), at(2), told=at(2) + H / 2)
    episode(child(), at(31, 10))
    result = measures.missing_children(council=area, period=MARCH, now=at(31, 10, 30))
    assert result.notified_within_target_pct == 100.0
    later = measures.missing_children(council=area, period=MARCH, now=at(31, 11, 1))
    assert later.notified_within_target_pct == 50.0


def test_missing_notification_target_uses_the_areas_own_figure(area, child, episode):
    episode(child(), at(2), told=at(2) + 2 * H)
    assert measures.missing_children(council=area, period=MARCH, now=NOW).notified_within_target_pct == 0.0
    AreaClockSetting.objects.create(
        organisation=area,
        rule=ClockRule.MISSING_NOTIFICATION,
        unit="hours",
        amount=3,
        reason="Local protocol",
        set_by_label="Test",
        set_at=NOW,
    )
    forget_area_settings()
    try:
        assert (
            measures.missing_children(council=area, period=MARCH, now=NOW).notified_within_target_pct == 100.0
        )
    finally:
        forget_area_settings()


def test_repeat_children_three_episodes_in_90_days_or_the_areas_figures(area, child, episode):
    amy, ben, cal = child(), child(), child()
    # Amy: 3 within 90 days, the third in March. Ben: 3 spread over 100 days. Cal: 2 in a week.
    episode(amy, at(1, month=1))
    episode(amy, at(1, month=2))
    episode(amy, at(10))
    episode(ben, at(20, month=11).replace(year=2025))
    episode(ben, at(15, month=1))
    episode(ben, at(28, 12, month=2))
    episode(ben, at(1))
    episode(cal, at(3))
    episode(cal, at(10))
    # Ben: 20 Nov 2025 to 28 Feb 2026 is 100 days, but 15 Jan, 28 Feb and 1 Mar are within 90: repeat too.
    result = measures.missing_children(council=area, period=MARCH, now=NOW)
    assert result.repeat_children == 2
    assert result.repeat_figures == {"episodes": 3, "days": 90}
    RepeatMissingSetting.objects.create(council=area, episodes=2, days=7, set_by_label="Test", set_at=NOW)
    result = measures.missing_children(council=area, period=MARCH, now=NOW)
    # 2 within 7 days: Ben (28 Feb, 1 Mar) and Cal (3, 10 Mar); Amy's are weeks apart.
    assert result.repeat_children == 2
    assert result.repeat_figures == {"episodes": 2, "days": 7}


def test_repeat_children_needs_the_episodes_to_reach_the_figure_with_one_in_the_period(area, child, episode):
    amy = child()
    # Three in November 2025 (repeat then), and one on 20 March: 5 and 9 November and 20 March span 131 days.
    for day in (1, 5, 9):
        episode(amy, at(day, month=11).replace(year=2025))
    episode(amy, at(20))
    assert measures.missing_children(council=area, period=MARCH, now=NOW).repeat_children == 0
    ben = child()
    # 2 January, 3 January and 30 March are 87 days apart: within 90, and the last in the period.
    for day in (1, 2, 3):
        episode(ben, at(day, month=1))
    episode(ben, at(30))
    assert measures.missing_children(council=area, period=MARCH, now=NOW).repeat_children == 1


def test_return_interviews_offered_held_and_independent(area, child, episode):
    found = at(10)
    offered_in_time = episode(child(), at(9), found=found)
    offered_late = episode(child(), at(9), found=found)
    never_offered = episode(child(), at(9), found=found)
    just_found = episode(child(), at(30), found=at(31, 8))
    episode(child(), at(20))  # still missing: not counted
    interview(offered_in_time, found + 72 * H, held=found + 80 * H, independent=True)
    interview(offered_late, found + 73 * H, held=found + 90 * H, independent=False)
    assert never_offered.found_at and just_found.found_at
    result = measures.missing_children(council=area, period=MARCH, now=at(31, 20)).return_interviews
    assert result.found_episodes == 4
    # Judged for the offer: three (the one found 12 hours ago may still be offered in time); one in time.
    assert result.offered_within_72h_pct == 33.3
    assert result.held_pct == 50.0  # 2 of the 4 found
    assert result.independent_pct == 50.0  # 1 of the 2 held


# Operation Encompass and police protection ---------------------------------------------------------------


def test_operation_encompass_notices_to_the_areas_schools_before_the_next_school_day(area, forces, notify):
    police = forces[0]
    school = type(area).objects.create(code="TEST-SCHOOL", name="Test Primary", kind="school", parent=area)
    elsewhere = type(area).objects.create(code="OTHER-SCHOOL", name="Other Primary", kind="school")
    # Reported on Monday 2 March at 9pm; the next school day starts at 8:30am on Tuesday.
    start_of_day = dt.datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    notify(police, at(2, 21), at(2, 23), due=start_of_day, rule=ClockRule.ENCOMPASS, recipient=school)
    notify(police, at(3, 21), at(4, 9), due=start_of_day + 24 * H, rule=ClockRule.ENCOMPASS, recipient=school)
    notify(police, at(5, 21), at(5, 22), due=start_of_day + 72 * H, rule=ClockRule.ENCOMPASS)  # home educated
    notify(police, at(2, 21), at(2, 22), due=start_of_day, rule=ClockRule.ENCOMPASS, recipient=elsewhere)
    result = measures.operation_encompass(council=area, period=MARCH)
    assert result["notices"] == 3
    assert result["before_next_school_day_pct"] == 66.7
    # Sorted 1, 2, 12: rank 1.8 gives 2 + 0.8 * 10 = 10.
    assert result["delay_hours"] == {"median": 2.0, "p90": 10.0, "max": 12.0}


def test_police_protection_uses_alternatives_and_telling_the_council(area, forces):
    police = forces[0]
    rows = [
        (at(2), at(2) + H, True),
        (at(4), at(4) + 5 * H, False),
        (at(6), at(6) + 2 * H, None),  # not recorded: left out of the percentage discussed
        (at(6, month=4), at(6, month=4) + H, True),  # after the period
    ]
    for began, told, discussed in rows:
        details = {} if discussed is None else {"alternatives_discussed": discussed}
        notice = event(EventKind.POLICE_PROTECTION, police, began, details=details)
        Share.objects.create(
            event=notice,
            recipient=area,
            route="home-council",
            notification_rule=ClockRule.POLICE_PROTECTION_INFORM,
            notification_due_at=began + 4 * H,
            occurred_at=began,
            reported_at=began,
            recorded_at=told,
            shared_at=told,
        )
    result = measures.police_protection(council=area, period=MARCH)
    assert result == {
        "uses": 3,
        "alternatives_discussed": 1,
        "alternatives_not_discussed": 1,
        "alternatives_discussed_pct": 50.0,
        "council_told_delay_hours": {"median": 2.0, "p90": 4.4, "max": 5.0},
        "council_told_within_target_pct": 66.7,
    }


# Police participation, vetting, clocks --------------------------------------------------------------------


def test_police_participation_in_strategy_discussions(area, forces, child):
    person = child()
    held = [
        (at(5), Participation.ATTENDED),
        (at(6), Participation.WRITTEN_ONLY),
        (at(7), Participation.DID_NOT_TAKE_PART),
        (at(8), Participation.ATTENDED),
        (at(8, month=4), Participation.DID_NOT_TAKE_PART),  # after the period
    ]
    for n, (when, took_part) in enumerate(held):
        meeting = Meeting.objects.create(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            reference=f"SD-TEST-{n}",
            child=person,
            council=area,
            convened_by_label="Test",
            convened_at=when - H,
            scheduled_for=when,
            held_at=when,
            event=event(EventKind.STRATEGY_DISCUSSION, area, when - H),
        )
        MeetingInvitation.objects.create(
            meeting=meeting,
            organisation=forces[0],
            role_expected="Police",
            participation=took_part,
            non_attendance_reason="" if took_part == Participation.ATTENDED else "Shift cover",
        )
    result = measures.police_participation(council=area, period=MARCH)
    assert result["strategy_discussions"] == {
        "meetings": 4,
        "attended": 2,
        "written_only": 1,
        "none": 1,
        "attended_pct": 50.0,
    }
    assert result["conferences"]["initial"]["meetings"] == 0
    assert result["conferences"]["initial"]["attended_pct"] is None
    # Every area at once counts the same invitations in the database (areas_measures): the same answer.
    counts = measures.participation_counts([area.pk], MARCH)
    assert counts == {
        area.pk: {
            (MeetingKind.STRATEGY_DISCUSSION, Participation.ATTENDED): 2,
            (MeetingKind.STRATEGY_DISCUSSION, Participation.WRITTEN_ONLY): 1,
            (MeetingKind.STRATEGY_DISCUSSION, Participation.DID_NOT_TAKE_PART): 1,
        }
    }
    assert measures.participation_counts_summary(counts[area.pk]) == result
    assert measures.area_measures(council=area, period=MARCH)["police_participation"] == result


def test_clocks_started_in_the_period_by_rule(area):
    serials = iter(range(1, 100))

    def clock(started, due, stopped=None, breached=None):
        return Clock.objects.create(
            rule="strategy-discussion",
            nation="england",
            figure="3 working days",
            organisation=area,
            subject_type="test",
            subject_id=str(next(serials)),
            started_at=started,
            due_at=due,
            stopped_at=stopped,
            breached_at=breached,
        )

    clock(at(2), at(5), stopped=at(4))  # met
    clock(at(2), at(5), stopped=at(6), breached=at(5))  # late
    clock(at(20), at(25))  # overdue now
    clock(at(30), at(5, month=4))  # running at 1 April
    clock(at(20, month=2), at(25, month=2), stopped=at(24, month=2))  # started before the period
    result = measures.clocks(council=area, period=MARCH, now=at(1, 12, month=4))
    assert result == [
        {
            "rule": "strategy-discussion",
            "title": result[0]["title"],
            "met": 1,
            "late": 1,
            "overdue": 1,
            "running": 1,
            "met_pct": 50.0,
        }
    ]
    assert "strategy" in result[0]["title"].lower()


def test_median_matches_the_standard_library_on_an_even_count():
    assert measures.spread([dt.timedelta(hours=h) for h in (1, 2, 3, 4)]).median == statistics.median(
        [1, 2, 3, 4]
    )


def test_a_period_works_out_its_instants_once_and_stays_a_value():
    """Every row of a national year is compared with a period's start and end (the dashboard's trends, the
    national comparison): they are worked out once a period (issue 16, bench/national_pages.py), and a period
    whose instants were asked equals and hashes as one whose were not."""
    summer = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    assert summer.start is summer.start and summer.end is summer.end
    assert summer.start == dt.datetime(2015, 3, 31, 23, tzinfo=dt.UTC)  # midnight in London, summer time
    assert summer.end == dt.datetime(2016, 3, 31, 23, tzinfo=dt.UTC)  # summer time again from 27 March 2016
    winter = Period(dt.date(2015, 12, 1), dt.date(2015, 12, 31))
    assert (winter.start, winter.end) == (
        dt.datetime(2015, 12, 1, tzinfo=dt.UTC),
        dt.datetime(2016, 1, 1, tzinfo=dt.UTC),
    )
    fresh = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    assert fresh == summer and hash(fresh) == hash(summer) and {fresh: 1}[summer] == 1
