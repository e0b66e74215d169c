"""Properties of the clock engine over random starts from 2000 to 2100, in every nation.

Datetimes are compared through UTC throughout: two Europe/London datetimes compare by wall time, ignoring fold.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.clocks.engine import LONDON, Nation, Unit, due, due_many, load_rules, rule_ids

RULES = rule_ids()
# Calendars grow on first use, so an example that first reaches a far year is slow once: no deadline.
unhurried = settings(deadline=None)
NATIONS = st.sampled_from(list(Nation))
SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}
ZONES = st.sampled_from(
    [UTC, LONDON, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)


@st.composite
def instants(draw, first=datetime(2000, 1, 1), last=datetime(2100, 11, 30)):
    """An aware instant, expressed in one of several zones (always a real instant, never an imaginary time)."""
    naive = draw(st.datetimes(min_value=first, max_value=last))
    return naive.replace(tzinfo=UTC).astimezone(draw(ZONES))


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def local_date(value: datetime) -> date:
    return value.astimezone(LONDON).date()


def bank_holidays(nation: Nation, first: date, last: date) -> set[date]:
    years = range(first.year, last.year + 1)
    return {day for day in holidays.UK(subdiv=SUBDIVISIONS[nation], years=years) if first <= day <= last}


def working_days_between(nation: Nation, first: date, last: date) -> int:
    """Working days in (first, last], counted one day at a time: an oracle independent of the engine's table."""
    off = bank_holidays(nation, first, last)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += day.weekday() < 5 and day not in off
    return count


@pytest.mark.parametrize("rule_id", RULES)
@unhurried
@given(nation=NATIONS, a=instants(), b=instants())
def test_a_later_start_is_never_due_earlier(rule_id, nation, a, b):
    early, late = sorted([a, b], key=utc)
    assert utc(due(rule_id, early, nation=nation)) <= utc(due(rule_id, late, nation=nation))


@pytest.mark.parametrize("rule_id", RULES)
@unhurried
@given(nation=NATIONS, start=instants())
def test_due_is_after_the_start_and_in_london(rule_id, nation, start):
    got = due(rule_id, start, nation=nation)
    assert utc(got) > utc(start)
    assert got.tzinfo is LONDON


@pytest.mark.parametrize("rule_id", [r for r in RULES if load_rules()[r].unit is Unit.WORKING_DAYS])
@unhurried
@given(nation=NATIONS, start=instants())
def test_working_day_rules_end_a_working_day(rule_id, nation, start):
    rule = load_rules(nation)[rule_id]
    if rule.unit is not Unit.WORKING_DAYS:  # Scotland counts some clocks differently
        return
    got = due(rule_id, start, nation=nation)
    day = got.date()
    assert (got.hour, got.minute, got.second, got.microsecond) == (23, 59, 59, 0)
    assert day.weekday() < 5
    assert day not in bank_holidays(nation, day, day)
    assert working_days_between(nation, local_date(start), day) == rule.amount


@pytest.mark.parametrize("rule_id", [r for r in RULES if load_rules()[r].unit in {Unit.DAYS, Unit.MONTHS}])
@unhurried
@given(nation=NATIONS, start=instants())
def test_calendar_rules_end_a_day(rule_id, nation, start):
    rule = load_rules(nation)[rule_id]
    got = due(rule_id, start, nation=nation)
    assert (got.hour, got.minute, got.second, got.microsecond) == (23, 59, 59, 0)
    day, origin = got.date(), local_date(start)
    if rule.unit is Unit.DAYS:
        assert day - origin == timedelta(days=rule.amount)
    else:
        assert (day.year - origin.year) * 12 + day.month - origin.month == rule.amount
        # The same day-of-month, or the last day of a month too short for it.
        assert day.day == origin.day or (day.day < origin.day and (day + timedelta(days=1)).day == 1)


@pytest.mark.parametrize("rule_id", RULES)
@unhurried
@given(start=instants())
def test_england_and_wales_agree(rule_id, start):
    assert utc(due(rule_id, start, nation=Nation.ENGLAND)) == utc(due(rule_id, start, nation=Nation.WALES))


def figure(nation: str, rule_id: str) -> tuple[Unit, int]:
    rule = load_rules(nation)[rule_id]
    return rule.unit, rule.amount


# Scotland counts some clocks differently (a CPPM in 28 calendar days, for one); compare the others.
@pytest.mark.parametrize("rule_id", [r for r in RULES if figure("scotland", r) == figure("england", r)])
@unhurried
@given(start=instants())
def test_england_and_scotland_agree_where_no_holiday_intervenes(rule_id, start):
    england = due(rule_id, start, nation=Nation.ENGLAND)
    scotland = due(rule_id, start, nation=Nation.SCOTLAND)
    window = (local_date(start), max(england.date(), scotland.date()))
    if not (bank_holidays(Nation.ENGLAND, *window) | bank_holidays(Nation.SCOTLAND, *window)):
        assert utc(england) == utc(scotland)


TRANSITIONS = [
    datetime(year, month, day, 1, tzinfo=UTC)
    for year in range(2000, 2101)
    for month in (3, 10)
    # The last Sunday of March and of October, when London's clocks change at 01:00 UTC.
    for day in [max(d for d in range(25, 32) if date(year, month, d).weekday() == 6)]
]


@pytest.mark.parametrize("rule_id", [r for r in RULES if load_rules()[r].unit is Unit.HOURS])
@unhurried
@given(
    nation=NATIONS,
    transition=st.sampled_from(TRANSITIONS),
    offset=st.integers(min_value=-80 * 3600, max_value=80 * 3600),
    zone=ZONES,
)
def test_hour_rules_count_real_hours_across_clock_changes(rule_id, nation, transition, offset, zone):
    start = (transition + timedelta(seconds=offset)).astimezone(zone)
    got = due(rule_id, start, nation=nation)
    assert utc(got) == utc(start) + timedelta(hours=load_rules(nation)[rule_id].amount)
    # The right offset for that instant, fold included (inside the repeated autumn hour it decides which).
    assert got.utcoffset() == utc(got).astimezone(LONDON).utcoffset()


@st.composite
def batches(draw):
    """Starts that crowd into a few days and hours (as real data does), mixed with scattered ones."""
    days = draw(st.lists(st.dates(date(2000, 1, 1), date(2100, 11, 30)), min_size=1, max_size=4))
    starts = []
    for _ in range(draw(st.integers(1, 40))):
        if draw(st.booleans()):
            # Neighbouring days and the hours around midnight, the clock changes and the school-day start:
            # one cached hour must never hold starts whose answers differ other than by that start.
            day = draw(st.sampled_from(days)) + timedelta(days=draw(st.integers(0, 1)))
            hour = draw(st.sampled_from([0, 1, 2, 7, 8, 9, 22, 23]) | st.integers(0, 23))
            moment = time(
                hour, draw(st.sampled_from([0, 15, 29, 30, 31, 44, 45, 59])), draw(st.sampled_from([0, 59]))
            )
            naive = datetime.combine(day, moment)
            starts.append(naive.replace(tzinfo=LONDON, fold=draw(st.integers(0, 1))).astimezone(draw(ZONES)))
        else:
            starts.append(draw(instants()))
    return starts


@pytest.mark.parametrize("rule_id", RULES)
@settings(max_examples=50, deadline=None)
@given(
    nation=NATIONS,
    starts=batches(),
    breaks=st.lists(
        st.tuples(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 20)), max_size=3
    ),
    school_day_start=st.none() | st.sampled_from([time(8, 30), time(8, 45), time(9, 0)]),
)
def test_due_many_equals_due(rule_id, nation, starts, breaks, school_day_start):
    term_breaks = [(first, first + timedelta(days=length)) for first, length in breaks]
    options = {"nation": nation, "term_breaks": term_breaks, "school_day_start": school_day_start}
    many = due_many(rule_id, starts, **options)
    assert [utc(x) for x in many] == [utc(due(rule_id, start, **options)) for start in starts]
    assert all(x.tzinfo is LONDON for x in many)
