"""Each headline figure of one area per calendar month (London time) over a period, for the dashboard's charts."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from openmash.insight.headlines import (
    HeadlineRows,
    headline_bases,
    headline_measures_of,
    headline_rows,
    headline_values,
)
from openmash.insight.measures import Period
from openmash.organisations.models import Organisation

# The dashboard's period when none is chosen: the last 12 calendar months, this one included (so each month
# on the charts is a whole month but the last, which runs to today).
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Month:
    period: Period  # the calendar month, cut to the period chosen at either end
    values: dict[str, float | None]
    bases: dict[str, int]


def default_period(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(DEFAULT_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return Period(first, today)


def months_of(period: Period) -> list[Period]:
    """The calendar months the period touches, each cut to the period: whole days in London time."""
    months = []
    first = period.first_day
    while first <= period.last_day:
        following = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        months.append(Period(first, min(following - dt.timedelta(days=1), period.last_day)))
        first = following
    return months


def monthly_trends(
    *,
    council: Organisation,
    period: Period,
    now: dt.datetime | None = None,
    rows: HeadlineRows | None = None,
) -> list[Month]:
    """The headline figures of each month: the period's rows read once, then each month's measures worked out
    from the rows of that month (London time) by the definitions one area's period uses, so each month is what
    ``headline_measures`` of that month alone gives (tests/insight/test_single_pass.py).

    ``rows``: the council's rows of the period, already read (``headline_rows``) for its measures of the whole
    period: the dashboard reads them once for both."""
    now = now or timezone.now()
    if rows is None:
        rows = headline_rows(councils=[council], period=period, now=now)
    assert rows.period == period
    trends = []
    for month in months_of(period):
        measures = headline_measures_of(rows, council=council, period=month, now=now)
        trends.append(Month(month, headline_values(measures), headline_bases(measures)))
    return trends
