"""The one check of recorded instants used by events, meetings and casework."""

import datetime as dt

import pytest

from openmash.lib.instants import (
    CLOCK_SKEW,
    NO_TIME_ZONE,
    NonexistentLocalTime,
    instant_problem,
    is_future,
    london_to_utc,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_it_names_each_problem():
    assert instant_problem(None, now=NOW, missing="Enter it") == "Enter it"
    assert instant_problem(dt.datetime(2026, 11, 23, 12, 0), now=NOW, missing="x") == NO_TIME_ZONE
    later = NOW + CLOCK_SKEW + dt.timedelta(seconds=1)
    assert instant_problem(later, now=NOW, missing="x", future="Must be past") == "Must be past"
    assert instant_problem(later, now=NOW, missing="x") is None  # a planned time may be ahead


def test_a_device_a_little_fast_is_not_the_future():
    assert not is_future(NOW + CLOCK_SKEW, NOW)
    assert is_future(NOW + CLOCK_SKEW + dt.timedelta(microseconds=1), NOW)
    assert instant_problem(NOW, now=NOW, missing="x", future="y") is None


def test_london_wall_time_in_the_spring_gap_is_refused():

    with pytest.raises(NonexistentLocalTime):
        london_to_utc(dt.datetime(2026, 3, 29, 1, 30))


def test_london_wall_time_repeated_in_autumn_is_its_first_occurrence():

    assert london_to_utc(dt.datetime(2026, 10, 25, 1, 30)) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert london_to_utc(dt.datetime(2026, 7, 1, 12, 0)) == dt.datetime(2026, 7, 1, 11, 0, tzinfo=dt.UTC)
    assert london_to_utc(dt.datetime(2026, 1, 1, 12, 0)) == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
