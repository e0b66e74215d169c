"""Every area's full measures at once (``areas_measures``, what ``openmash inspect --area all`` writes) give,
area by area and key by key, what ``area_measures`` gives for each area alone: on the varied hand-made rows of
the single-pass tests (both clock changes of 2020, batches across a month's edge and the period's, a run of
exactly 4, repeat missing, vetting open and decided), plus joint visits, investigation closures, initial
conferences, joint interviews and clocks of every outcome, and a council with nothing at all (its figures null,
its counts 0)."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openmash.casework.models import ClosureStatus, VisitStatus
from openmash.clocks.models import Clock
from openmash.insight.measures import area_measures, areas_measures
from openmash.meetings.models import EvidentialInterview, MeetingKind
from openmash.organisations.models import Organisation, OrganisationKind
from tests.insight.test_casework_measures import _closure, _meeting, _visit
from tests.insight.test_single_pass import (  # noqa: F401 (the fixtures, by name)
    NOW,
    PERIOD,
    areas,
    instant,
    varied,
)

H = dt.timedelta(hours=1)


def _clock(council, rng, n):
    started = instant(rng)
    due = started + rng.choice([4 * H, 72 * H])
    outcome = rng.choice(["met", "late", "open"])
    return Clock.objects.create(
        rule=rng.choice(["strategy-discussion", "referral-decision", "initial-conference"]),
        nation="england",
        figure="test",
        organisation=council,
        subject_type="test",
        subject_id=f"{council.code}-{n}",
        started_at=started,
        due_at=due,
        stopped_at={"met": due - H, "late": due + H, "open": None}[outcome],
        breached_at=due if outcome == "late" else None,
    )


@pytest.fixture
def every_kind(request, forces, child):
    """The single-pass rows of three councils, with casework and clocks of each, and a fourth council with
    nothing in the period."""
    councils = request.getfixturevalue("varied")
    rng = random.Random(2016)
    for council in councils:
        for n in range(10):
            _clock(council, rng, n)
        for _ in range(6):
            outcome = rng.choice(["declined", "done-with", "done-lone", "asked"])
            requested = instant(rng)
            _visit(
                council,
                forces[0],
                child(),
                requested,
                declined_at=requested + H if outcome == "declined" else None,
                status=VisitStatus.DONE if outcome.startswith("done") else VisitStatus.REQUESTED,
                officer_present=outcome == "done-with",
                lone_visit=outcome == "done-lone",
            )
        for _ in range(5):
            proposed = instant(rng)
            outcome = rng.choice(["proposed", "closed-unanswered", "disputed"])
            _closure(
                council,
                forces[1],
                child(),
                proposed,
                needs_agreement=outcome != "closed-unanswered" and rng.random() < 0.5,
                status={
                    "proposed": ClosureStatus.PROPOSED,
                    "closed-unanswered": ClosureStatus.CLOSED,
                    "disputed": ClosureStatus.DISPUTED,
                }[outcome],
                closed_at=proposed + 72 * H if outcome == "closed-unanswered" else None,
            )
        for _ in range(5):
            asked = instant(rng)
            outcome = rng.choice(["in-time", "late", "not-held", "waiting"])
            EvidentialInterview.objects.create(
                strategy_discussion=_meeting(council, child(), MeetingKind.STRATEGY_DISCUSSION, asked),
                requested_at=asked,
                target_date=(asked + 3 * 24 * H).date(),
                held_at={"in-time": asked + 24 * H, "late": asked + 9 * 24 * H}.get(outcome),
                not_held_reason="The child declined" if outcome == "not-held" else "",
            )
    empty = Organisation.objects.create(code="TEST-EMPTY", name="Emptyshire", kind=OrganisationKind.COUNCIL)
    return [*councils, empty]


def test_every_area_at_once_is_each_area_alone_key_by_key(every_kind):
    every = areas_measures(councils=every_kind, period=PERIOD, now=NOW)
    assert list(every) == [council.code for council in every_kind]
    for council in every_kind:
        alone = area_measures(council=council, period=PERIOD, now=NOW)
        assert set(every[council.code]) == set(alone)
        for key in alone:
            assert every[council.code][key] == alone[key], (council.code, key)


def test_the_data_is_varied_enough_to_mean_something(every_kind):
    first = areas_measures(councils=every_kind, period=PERIOD, now=NOW)["TEST-COUNCIL"]
    assert first["domestic_abuse_notifications"]["batched_pct"] > 0
    assert first["missing_children"]["return_interviews"]["found_episodes"] > 0
    assert first["initial_conferences"]["held"] > 0
    assert first["police_participation"]["strategy_discussions"]["meetings"] > 0
    assert first["joint_visits"]["needed"] > 0 and first["joint_visits"]["done"] > 0
    assert first["investigation_closures"]["closures"] > 0
    assert first["vetting_backlog"]["open"] > 0
    assert first["evidential_interviews"]["held"] > 0 and first["evidential_interviews"]["due"] > 0
    assert {row["rule"] for row in first["clocks"]} >= {"strategy-discussion", "referral-decision"}


def test_an_area_with_nothing_has_nulls_and_zero_counts(every_kind):
    empty = areas_measures(councils=every_kind, period=PERIOD, now=NOW)["TEST-EMPTY"]
    assert empty["domestic_abuse_notifications"] == {
        "count": 0,
        "delay_hours": {"median": None, "p90": None, "max": None},
        "within_target_pct": None,
        "batched_pct": None,
    }
    assert empty["missing_children"]["episodes"] == 0
    assert empty["missing_children"]["repeat_children"] is None
    assert empty["missing_children"]["notified_within_target_pct"] is None
    assert empty["joint_visits"] == {
        "needed": 0,
        "declined_by_police": 0,
        "done": 0,
        "with_officer": 0,
        "lone_visits": 0,
        "lone_pct": None,
    }
    assert empty["investigation_closures"]["without_consultation_pct"] is None
    assert empty["initial_conferences"]["within_15_working_days_pct"] is None
    assert empty["vetting_backlog"]["median_age_days"] is None
    assert empty["evidential_interviews"]["held_by_target_pct"] is None
    assert empty["clocks"] == []


def test_more_areas_cost_no_more_queries_per_measure(every_kind):
    """The rows of every area come in the same queries as one area's, not a dozen queries an area (the batch
    rule's reads beyond the period widen a day at a time as far as the rows need, so the count moves a little
    with the data, not with the number of areas)."""
    with CaptureQueriesContext(connection) as one:
        areas_measures(councils=every_kind[:1], period=PERIOD, now=NOW)
    with CaptureQueriesContext(connection) as four:
        areas_measures(councils=every_kind, period=PERIOD, now=NOW)
    assert len(four) <= len(one) + 3 < 25
