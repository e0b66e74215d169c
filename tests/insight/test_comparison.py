"""The national median and best quartile of each headline figure, and the monthly trends, on hand-made data
with known answers (in 2020, before any of the demo cast's rows)."""

import datetime as dt

import pytest

from openmash.insight.comparison import active_councils, compare, national_comparison, quantile
from openmash.insight.headlines import Better
from openmash.insight.measures import Period
from openmash.insight.trends import default_period, monthly_trends, months_of
from openmash.organisations.models import Organisation, OrganisationKind
from tests.insight.conftest import LONDON

MARCH = Period(dt.date(2020, 3, 1), dt.date(2020, 3, 31))
NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2020, 3, day, hour, tzinfo=LONDON)


@pytest.fixture
def councils(db):
    return [
        Organisation.objects.create(code=f"TEST-C{n}", name=f"Council {n}", kind=OrganisationKind.COUNCIL)
        for n in range(1, 4)
    ]


def test_quantiles_interpolate_between_closest_ranks():
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert quantile(values, 0.25) == 2.0
    assert quantile(values, 0.75) == 4.0
    assert quantile([1.0, 2.0], 0.75) == 1.75
    assert quantile([7.0], 0.25) == 7.0
    assert quantile([], 0.5) is None


def test_the_best_quartile_is_on_the_better_side():
    assert compare([100.0, 50.0, 0.0, None], Better.HIGHER).best_quartile == 75.0
    assert compare([100.0, 50.0, 0.0, None], Better.LOWER).best_quartile == 25.0
    nothing = compare([None, None], Better.HIGHER)
    assert (nothing.median, nothing.best_quartile, nothing.areas) == (None, None, 0)


def test_each_area_counts_once_towards_the_median_and_best_quartile(councils, forces, notify):
    first, second, third = councils
    # First: 4 of 4 in time (100%), 1 hour each. Second: 1 of 2 (50%), 2 and 30 hours. Third: 0 of 1, 48 hours.
    for day in (2, 3, 4, 5):
        notify(forces[0], at(day), at(day, 10), recipient=first)
    notify(forces[0], at(10), at(10, 11), recipient=second)
    notify(forces[0], at(11), at(12, 15), recipient=second)
    notify(forces[0], at(20), at(22), recipient=third)
    comparison = national_comparison(MARCH, now=NOW)
    in_time = comparison["da_in_time"]
    assert (in_time.median, in_time.best_quartile, in_time.areas) == (50.0, 75.0, 3)
    delay = comparison["da_median_delay"]  # medians 1, 16 and 48 hours: lower is better
    assert (delay.median, delay.best_quartile, delay.areas) == (16.0, 8.5, 3)
    # No missing episodes anywhere in the period: no median, no best quartile, never 0.
    told = comparison["missing_told_in_time"]
    assert (told.median, told.best_quartile, told.areas) == (None, None, 0)


def test_leaving_out_areas_with_nothing_in_the_period_changes_nothing(
    councils, forces, notify, episode, child
):
    notify(forces[0], at(2), at(3), recipient=councils[0])
    episode(child(), at(4), told=at(4, 10), council=councils[1])
    active = {council.code for council in active_councils(MARCH, NOW)}
    assert {"TEST-C1", "TEST-C2"} <= active and "TEST-C3" not in active
    every = Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
    assert national_comparison(MARCH, now=NOW) == national_comparison(MARCH, now=NOW, councils=every)


def test_monthly_trends_are_calendar_months_cut_to_the_period(area, forces, notify):
    period = Period(dt.date(2020, 2, 15), dt.date(2020, 4, 10))
    assert [(m.first_day, m.last_day) for m in months_of(period)] == [
        (dt.date(2020, 2, 15), dt.date(2020, 2, 29)),
        (dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        (dt.date(2020, 4, 1), dt.date(2020, 4, 10)),
    ]
    # 31 March 2020 23:30 in London is in March (summer time began on 29 March: 22:30 UTC).
    notify(
        forces[0], dt.datetime(2020, 3, 31, 23, 30, tzinfo=LONDON), dt.datetime(2020, 4, 2, 9, tzinfo=LONDON)
    )
    notify(
        forces[0], dt.datetime(2020, 4, 1, 0, 30, tzinfo=LONDON), dt.datetime(2020, 4, 1, 1, tzinfo=LONDON)
    )
    months = monthly_trends(council=area, period=period, now=NOW)
    assert [m.values["da_in_time"] for m in months] == [None, 0.0, 100.0]
    assert [m.bases["da_in_time"] for m in months] == [0, 1, 1]


def test_the_default_period_is_twelve_calendar_months_to_today():
    period = default_period(dt.date(2026, 12, 5))
    assert (period.first_day, period.last_day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 5))
    assert len(months_of(period)) == 12
