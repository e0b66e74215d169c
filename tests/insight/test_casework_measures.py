"""Initial conferences within 15 working days, joint visits and lone visits, investigation closures without
consultation or disputed: each on hand-made rows whose answers are worked out by hand (docs/metrics.md)."""

import datetime as dt

from openmash.casework.models import (
    ClosureStatus,
    Disagreement,
    InvestigationClosure,
    JointVisit,
    VisitStatus,
)
from openmash.events.models import EventKind
from openmash.insight import measures
from openmash.insight.measures import Period
from openmash.meetings.models import Meeting, MeetingKind
from tests.insight.conftest import UTC, event

MAY_2026 = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 31))
NOW = dt.datetime(2026, 12, 1, tzinfo=UTC)
_serial = iter(range(1, 1000))


def _meeting(area, person, kind, held_at, **values) -> Meeting:
    n = next(_serial)
    return Meeting.objects.create(
        kind=kind,
        reference=f"M-TEST-{n}",
        child=person,
        council=area,
        convened_by_label="Test",
        convened_at=held_at - dt.timedelta(days=1),
        scheduled_for=held_at,
        held_at=held_at,
        event=event(EventKind.CONFERENCE, area, held_at - dt.timedelta(days=1)),
        **values,
    )


def test_initial_conferences_within_15_working_days_of_the_s47_start_skip_bank_holidays(area, child):
    # s47 enquiries start on Friday 24 April 2026. Fifteen working days on, skipping the early May bank holiday
    # (Monday 4 May) and the spring bank holiday (Monday 25 May): 27, 28, 29, 30 April, 1, 5, 6, 7, 8, 11, 12,
    # 13, 14, 15, 18 May. Due by the end of Monday 18 May, London time (23:59 BST = 22:59 UTC).
    person = child()
    discussion = _meeting(
        area,
        person,
        MeetingKind.STRATEGY_DISCUSSION,
        dt.datetime(2026, 4, 24, 10, tzinfo=UTC),
        s47_decision=True,
        s47_started_on=dt.date(2026, 4, 24),
    )
    held = [
        dt.datetime(2026, 5, 18, 22, 30, tzinfo=UTC),  # 23:30 on the last day: in time
        dt.datetime(2026, 5, 18, 23, 30, tzinfo=UTC),  # 00:30 on Tuesday 19 May: late
        dt.datetime(2026, 5, 12, 9, tzinfo=UTC),  # in time
        dt.datetime(2026, 6, 1, 9, tzinfo=UTC),  # after the period: not counted
    ]
    for when in held:
        _meeting(area, child(), MeetingKind.INITIAL_CONFERENCE, when, strategy_discussion=discussion)
    assert measures.initial_conferences(council=area, period=MAY_2026) == {
        "held": 3,
        "within_15_working_days": 2,
        "later": 1,
        "within_15_working_days_pct": 66.7,
    }


def test_an_initial_conference_without_a_recorded_s47_start_is_timed_from_its_discussions_london_day(
    area, child
):
    # The discussion was held at 23:30 UTC on Thursday 23 April 2026: 00:30 on Friday 24 April in London, so
    # the conference is due by the end of Monday 18 May as above (the UTC day would make it Friday 15 May).
    discussion = _meeting(
        area,
        child(),
        MeetingKind.STRATEGY_DISCUSSION,
        dt.datetime(2026, 4, 23, 23, 30, tzinfo=UTC),
        s47_decision=True,
    )
    for when in (dt.datetime(2026, 5, 18, 22, 30, tzinfo=UTC), dt.datetime(2026, 5, 18, 23, 30, tzinfo=UTC)):
        _meeting(area, child(), MeetingKind.INITIAL_CONFERENCE, when, strategy_discussion=discussion)
    assert measures.initial_conferences(council=area, period=MAY_2026) == {
        "held": 2,
        "within_15_working_days": 1,
        "later": 1,
        "within_15_working_days_pct": 50.0,
    }


def test_initial_conferences_none_held_gives_null_percentage(area):
    result = measures.area_measures(council=area, period=MAY_2026, now=NOW)
    assert result["initial_conferences"] == {
        "held": 0,
        "within_15_working_days": 0,
        "later": 0,
        "within_15_working_days_pct": None,
    }
    assert result["joint_visits"]["needed"] == 0 and result["joint_visits"]["lone_pct"] is None
    assert result["investigation_closures"]["closures"] == 0
    assert result["investigation_closures"]["without_consultation_pct"] is None


def _visit(area, force, person, requested_at, **values) -> JointVisit:
    return JointVisit.objects.create(
        person=person,
        council=area,
        police_force=force,
        police_needed_because=["removal"],
        planned_for=requested_at + dt.timedelta(days=1),
        purpose="Check on the child",
        requested_at=requested_at,
        requested_by_label="Social worker",
        request_event=event(EventKind.JOINT_VISIT, area, requested_at),
        **values,
    )


def test_joint_visits_needed_declined_done_and_lone(area, forces, child):
    may = dt.datetime(2026, 5, 10, 9, tzinfo=UTC)
    _visit(
        area,
        forces[0],
        child(),
        may,
        status=VisitStatus.DONE,
        visited_at=may,
        officer_present=True,
        officer_name="PC Test",
    )
    for _ in range(2):
        _visit(
            area,
            forces[0],
            child(),
            may,
            status=VisitStatus.DONE,
            visited_at=may,
            officer_present=False,
            lone_visit=True,
            declined_at=may,
        )
    _visit(area, forces[0], child(), may)  # still waiting for the police
    _visit(area, forces[0], child(), dt.datetime(2026, 4, 30, 22, 59, tzinfo=UTC))  # 23:59 on 30 April BST
    assert measures.joint_visits(council=area, period=MAY_2026) == {
        "needed": 4,
        "declined_by_police": 2,
        "done": 3,
        "with_officer": 1,
        "lone_visits": 2,
        "lone_pct": 66.7,
    }


def _closure(area, force, person, proposed_at, **values) -> InvestigationClosure:
    return InvestigationClosure.objects.create(
        person=person,
        police_force=force,
        council=area,
        police_reference=f"CL-{next(_serial)}",
        reasons="No further action",
        proposed_at=proposed_at,
        proposed_by_label="DS Test",
        **values,
    )


def test_investigation_closures_without_consultation_and_disputed(area, forces, child):
    may = dt.datetime(2026, 5, 12, 9, tzinfo=UTC)
    # Closed at once, the council never asked: without consultation.
    _closure(area, forces[0], child(), may, needs_agreement=False, status=ClosureStatus.CLOSED, closed_at=may)
    # Proposed, the council agreed: consulted.
    _closure(
        area,
        forces[0],
        child(),
        may,
        needs_agreement=True,
        injuries_recorded=True,
        status=ClosureStatus.CLOSED,
        responded_at=may,
        closed_at=may,
    )
    # Proposed and disputed.
    person = child()
    disputed = _closure(
        area,
        forces[0],
        person,
        may,
        needs_agreement=True,
        injuries_recorded=True,
        status=ClosureStatus.DISPUTED,
        responded_at=may,
    )
    Disagreement.objects.create(
        person=person,
        raised_by=area,
        raised_with=forces[0],
        closure=disputed,
        about="Injuries",
        raised_at=may,
        raised_by_label="Social worker",
    )
    # Still waiting for the council.
    _closure(area, forces[0], child(), may, needs_agreement=True, status=ClosureStatus.PROPOSED)
    # In June: outside the period.
    _closure(
        area,
        forces[0],
        child(),
        may + dt.timedelta(days=30),
        needs_agreement=False,
        status=ClosureStatus.CLOSED,
        closed_at=may,
    )
    assert measures.investigation_closures(council=area, period=MAY_2026) == {
        "closures": 4,
        "needing_agreement": 3,
        "without_consultation": 1,
        "without_consultation_pct": 25.0,
        "disputed": 1,
        "awaiting_council": 1,
    }
