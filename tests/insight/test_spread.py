"""A spread's median, p90 and maximum are worked out from the one or two sorted values each reads, and give the
very floats ``statistics`` gives on the whole list of hours (docs/metrics.md: the median, and the 90th
percentile by linear interpolation between closest ranks, numpy's default)."""

import datetime as dt
import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.insight.measures import Spread, spread, spread_of_hours, spread_us
from openmash.lib.epoch import hours


def spread_by_statistics(values: list[float]) -> Spread:
    """The definition, on every value: statistics.median and statistics.quantiles(inclusive)."""
    if not values:
        return Spread(None, None, None)
    ninetieth = values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]
    return Spread(round(statistics.median(values), 2), round(ninetieth, 2), round(max(values), 2))


# Delays of up to a few weeks in whole microseconds, with ties and odd and even counts.
DELAYS = st.lists(st.integers(min_value=0, max_value=40 * 24 * 3600 * 10**6), max_size=60)


@settings(max_examples=500, deadline=None)
@given(DELAYS)
def test_a_spread_of_microseconds_is_the_spread_of_their_hours(delays):
    assert spread_us(delays) == spread_by_statistics([hours(delay) for delay in delays])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=10_000, allow_nan=False), max_size=40))
def test_a_spread_of_hours_is_the_statistics_modules(values):
    assert spread_of_hours(values) == spread_by_statistics(values)


def test_known_spreads_one_two_odd_and_even():
    assert spread_us([]) == Spread(None, None, None)
    assert spread_us([90 * 60 * 10**6]) == Spread(1.5, 1.5, 1.5)
    # Two: the median halfway, p90 nine tenths of the way from the first to the second.
    assert spread_us([0, 3600 * 10**6]) == Spread(0.5, 0.9, 1.0)
    # Five (30, 90, 60, 600, 120 minutes): rank 3.6 of 0-4 for p90, between 120 and 600 minutes.
    assert spread([dt.timedelta(minutes=m) for m in (30, 90, 60, 600, 120)]) == Spread(1.5, 6.8, 10.0)
    assert spread_us([m * 60 * 10**6 for m in (600, 30, 120, 90, 60)]) == Spread(1.5, 6.8, 10.0)
