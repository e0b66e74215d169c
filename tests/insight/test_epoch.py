"""Times read as whole microseconds by the database (lib.epoch, used by the busiest measures) are exactly the
stored datetimes, on SQLite (text) and PostgreSQL (timestamptz) alike, and their durations in hours are the
same floats as ``timedelta.total_seconds() / 3600``."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.lib.epoch import Micros, MicrosBetween, from_micros, hours, micros
from openmash.organisations.models import Organisation, OrganisationKind

LONDON = zoneinfo.ZoneInfo("Europe/London")

TIMES = [
    dt.datetime(2015, 4, 1, 0, 0, tzinfo=dt.UTC),  # no microseconds: stored without a fraction
    dt.datetime(2015, 10, 25, 1, 30, 0, 1, tzinfo=LONDON),  # the autumn clock change, one microsecond
    dt.datetime(2016, 3, 27, 0, 59, 59, 999999, tzinfo=dt.UTC),  # just before the spring one
    dt.datetime(2026, 12, 5, 9, 5, 7, 120000, tzinfo=LONDON),  # trailing zeros in the fraction
    dt.datetime(2015, 6, 1, 12, 0, 0, 500, tzinfo=dt.timezone(dt.timedelta(hours=5))),
]


@pytest.mark.parametrize("when", TIMES)
def test_the_database_reads_a_stored_time_as_its_exact_microseconds(db, when):
    council = Organisation.objects.create(code="TEST-EPOCH", name="Epochton", kind=OrganisationKind.COUNCIL)
    Organisation.objects.filter(pk=council.pk).update(created_at=when)
    (read,) = Organisation.objects.filter(pk=council.pk).values_list(Micros("created_at"), flat=True)
    assert read == micros(when)
    assert from_micros(read) == when.astimezone(dt.UTC)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)
def test_hours_of_microseconds_are_the_hours_of_the_timedelta(start, delay):
    began = start.replace(tzinfo=dt.UTC)
    assert hours(micros(began + delay) - micros(began)) == delay.total_seconds() / 3600


@pytest.mark.parametrize("later", TIMES)
@pytest.mark.parametrize("earlier", TIMES)
def test_the_database_reads_the_time_between_two_stored_times_as_its_exact_microseconds(db, later, earlier):
    # Either way round (a negative difference too), across both clock changes and over days and years.
    council = Organisation.objects.create(code="TEST-EPOCH", name="Epochton", kind=OrganisationKind.COUNCIL)
    Organisation.objects.filter(pk=council.pk).update(created_at=earlier, updated_at=later)
    (read,) = Organisation.objects.filter(pk=council.pk).values_list(
        MicrosBetween("updated_at", "created_at"), flat=True
    )
    assert read == micros(later) - micros(earlier)
    assert type(read) is int
