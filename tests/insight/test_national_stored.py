"""The national comparison of the dashboard's standard periods, worked out by the worker and stored: the job
stores it, the dashboard reads the stored one without working it out, and works it out itself only where none
is stored; the page says when it was worked out."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openmash.insight import comparison
from openmash.insight.comparison import (
    Comparison,
    financial_year_of,
    national_comparison,
    national_comparison_stored,
    standard_periods,
)
from openmash.insight.forms import period_query
from openmash.insight.headlines import HEADLINES
from openmash.insight.measures import Period
from openmash.insight.models import NationalComparison
from openmash.insight.services import national_comparisons_refresh
from openmash.insight.trends import default_period
from openmash.worker import jobs
from openmash.worker.loop import run_worker
from tests.insight.conftest import LONDON

# 9:05am on 5 December 2026, London time (GMT).
NOW = dt.datetime(2026, 12, 5, 9, 5, tzinfo=LONDON)
TODAY = NOW.date()
EVERY = dt.timedelta(minutes=15)


@pytest.fixture(autouse=True)
def _no_kept_comparison():
    cache.clear()  # the fallback's kept comparisons are per process: none from another test
    yield
    cache.clear()


def test_the_standard_periods_are_the_last_12_months_and_the_financial_years():
    assert standard_periods(TODAY) == [
        Period(dt.date(2026, 1, 1), TODAY),  # the dashboard's own: the last 12 months
        Period(dt.date(2026, 4, 1), TODAY),  # this financial year so far
        Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)),  # the last whole one
    ]
    assert default_period(TODAY) == standard_periods(TODAY)[0]
    assert financial_year_of(dt.date(2026, 3, 31)) == Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert financial_year_of(dt.date(2026, 4, 1)) == Period(dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def test_the_workers_job_stores_each_standard_periods_comparison(cast, forces, notify):
    council = cast.organisations["council"]
    notify(forces[0], NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=30, hours=-2), recipient=council)
    done = national_comparisons_refresh(now=NOW, every=EVERY)
    assert done == standard_periods(TODAY)
    for period in done:
        stored = national_comparison_stored(period)
        assert stored is not None
        comparisons, computed_at = stored
        assert computed_at == NOW
        # The same function the dashboard's fallback calls: one definition of the comparison.
        assert comparisons == national_comparison(period, now=NOW)
    last_12_months = national_comparison_stored(standard_periods(TODAY)[0])
    assert last_12_months is not None and last_12_months[0]["da_in_time"].areas >= 1


def test_the_job_works_a_period_out_again_only_when_it_has_fallen_due(db):
    assert len(national_comparisons_refresh(now=NOW, every=EVERY)) == 3
    assert national_comparisons_refresh(now=NOW + dt.timedelta(minutes=14), every=EVERY) == []
    later = NOW + dt.timedelta(minutes=15)
    assert len(national_comparisons_refresh(now=later, every=EVERY)) == 3
    assert set(NationalComparison.objects.values_list("computed_at", flat=True)) == {later}


def test_a_period_another_worker_is_working_out_is_left_to_it(db):
    period = standard_periods(TODAY)[0]
    NationalComparison.objects.create(
        period_start=period.first_day, period_end=period.last_day, claimed_until=NOW + dt.timedelta(minutes=5)
    )
    done = national_comparisons_refresh(now=NOW, every=EVERY)
    assert period not in done and len(done) == 2
    assert national_comparison_stored(period) is None
    # A claim that has run out (its worker stopped) is taken over.
    assert national_comparisons_refresh(now=NOW + dt.timedelta(minutes=6), every=EVERY) == [period]


def test_periods_no_longer_standard_are_forgotten(db):
    national_comparisons_refresh(now=NOW, every=EVERY)
    tomorrow = NOW + dt.timedelta(days=1)
    national_comparisons_refresh(now=tomorrow, every=EVERY)
    kept = {(row.period_start, row.period_end) for row in NationalComparison.objects.all()}
    assert kept == {(p.first_day, p.last_day) for p in standard_periods(tomorrow.date())}


def test_a_comparison_stored_before_a_figure_was_added_is_not_used(db):
    period = standard_periods(TODAY)[0]
    NationalComparison.objects.create(
        period_start=period.first_day, period_end=period.last_day, computed_at=NOW, figures={"da_in_time": {}}
    )
    assert national_comparison_stored(period) is None


def test_the_worker_runs_the_job_on_a_thread_of_its_own():
    assert jobs.registered()["national-comparison"].run is national_comparisons_refresh
    ran: list[str] = []
    runner = jobs.JobRunner(lambda: {"j": jobs.Job("j", 60, lambda: ran.append("ran"))})
    [thread] = runner.start_due(now=1000.0)
    thread.join(5)
    assert ran == ["ran"]
    assert runner.start_due(now=1030.0) == []  # not again within its minute
    [thread] = runner.start_due(now=1060.0)
    thread.join(5)
    assert ran == ["ran", "ran"]


def test_a_failing_job_does_not_stop_the_worker(caplog):
    def fails() -> None:
        raise RuntimeError("boom")

    runner = jobs.JobRunner(lambda: {"f": jobs.Job("f", 60, fails)})
    [thread] = runner.start_due(now=0.0)
    thread.join(5)
    assert "Worker job f failed" in caplog.text


def _not_worked_out(*args, **kwargs):
    raise AssertionError("the national comparison was worked out during the request")


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_reads_the_stored_comparison_without_working_it_out(signed_in, cast, monkeypatch):
    national_comparisons_refresh(now=NOW - dt.timedelta(minutes=3), every=EVERY)
    code = cast.organisations["council"].code
    monkeypatch.setattr(comparison, "national_comparison", _not_worked_out)
    monkeypatch.setattr(comparison, "area_values", _not_worked_out)
    client = signed_in("partnership.lead")
    response = client.get(reverse("insight:area", args=[code]))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.compared_at == NOW - dt.timedelta(minutes=3)
    assert "National figures worked out at 9:02am on 5 December 2026." in response.text
    # The findings report reads it too.
    assert client.get(reverse("insight:findings", args=[code])).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_reading_the_stored_comparison_is_one_query(cast):
    national_comparisons_refresh(now=NOW, every=EVERY)
    with CaptureQueriesContext(connection) as queries:
        comparisons, _at = comparison.national_comparison_shown(standard_periods(TODAY)[0])
    assert len(queries) == 1
    assert set(comparisons) == {headline.key for headline in HEADLINES}


@time_machine.travel(NOW, tick=False)
def test_without_a_stored_comparison_the_dashboard_works_it_out(signed_in, cast, monkeypatch):
    calls: list[Period] = []
    real = comparison.national_comparison

    def counted(period: Period, **kwargs) -> dict[str, Comparison]:
        calls.append(period)
        return real(period, **kwargs)

    monkeypatch.setattr(comparison, "national_comparison", counted)
    code = cast.organisations["council"].code
    client = signed_in("partnership.lead")
    # Before the worker's first run: the default period, worked out in the request.
    response = client.get(reverse("insight:area", args=[code]))
    assert response.status_code == 200 and calls == [default_period(TODAY)]
    assert "National figures worked out at 9:05am on 5 December 2026." in response.text
    # A period of the reader's own choosing is never stored: worked out too.
    custom = Period(dt.date(2026, 2, 3), dt.date(2026, 5, 6))
    query = period_query(custom)
    assert client.get(reverse("insight:area", args=[code]) + "?" + query).status_code == 200
    assert calls[-1] == custom
    assert NationalComparison.objects.count() == 0


def test_a_running_worker_starts_the_jobs_and_lets_them_finish_as_it_stops(db, monkeypatch):
    ran = threading.Event()
    monkeypatch.setattr(jobs, "_JOBS", {"t": jobs.Job("t", 60, ran.set)})
    turns = iter(range(3))
    run_worker(poll_seconds=0.01, stop=lambda: next(turns, None) is None)
    assert ran.is_set()
