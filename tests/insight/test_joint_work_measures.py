"""Joint (evidential) interviews held by their target date (``evidential_interviews``), and the findings drawn
from joint work: lone visits (Southend 2016), closures without the council's answer (Stockton-on-Tees 2016) and
late joint interviews (Doncaster 2016). Each on hand-made rows whose answers are worked out by hand
(docs/metrics.md), and the headline figures' row-by-row reading of visits and closures giving what the
measures' counts give."""

import datetime as dt

from openmash.casework.models import ClosureStatus, VisitStatus
from openmash.insight import measures
from openmash.insight.comparison import national_comparison
from openmash.insight.drilldown import list_lines
from openmash.insight.findings import area_findings
from openmash.insight.headlines import headline_measures, headline_measures_of, headline_rows, headline_values
from openmash.insight.measures import Period
from openmash.insight.report import html_report
from openmash.insight.trends import months_of
from openmash.meetings.models import EvidentialInterview, MeetingKind
from openmash.organisations.models import Organisation, OrganisationKind
from tests.insight.conftest import LONDON, UTC
from tests.insight.test_all_areas import every_kind  # noqa: F401 (the fixture, by name)
from tests.insight.test_casework_measures import _closure, _meeting, _visit
from tests.insight.test_single_pass import NOW as VARIED_NOW
from tests.insight.test_single_pass import PERIOD as VARIED_PERIOD
from tests.insight.test_single_pass import areas, varied  # noqa: F401 (the fixtures, by name)

MAY_2026 = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 31))
# Within May: an interview whose target date is after the 20th is not yet due.
MAY_20 = dt.datetime(2026, 5, 20, 12, tzinfo=UTC)
AFTER = dt.datetime(2026, 12, 1, tzinfo=UTC)


def london(day: int, hour: int = 10, minute: int = 0, month: int = 5) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def council(code: str) -> Organisation:
    return Organisation.objects.create(code=code, name=code.title(), kind=OrganisationKind.COUNCIL)


def _interview(area, person, requested_at, target: dt.date, **values) -> EvidentialInterview:
    discussion = _meeting(area, person, MeetingKind.STRATEGY_DISCUSSION, requested_at)
    return EvidentialInterview.objects.create(
        strategy_discussion=discussion, requested_at=requested_at, target_date=target, **values
    )


def _may_interviews(area, child) -> None:
    # Held at 11:30pm on its target date (London, summer time: 10:30pm UTC): by the target.
    _interview(area, child(), london(4), dt.date(2026, 5, 7), held_at=london(7, 23, 30))
    # Held 3 and 10 days after the target.
    _interview(area, child(), london(4), dt.date(2026, 5, 7), held_at=london(10, 9))
    _interview(area, child(), london(5), dt.date(2026, 5, 8), held_at=london(18, 15))
    # Recorded as not held: due, not by the target.
    _interview(area, child(), london(6), dt.date(2026, 5, 11), not_held_reason="The child declined")
    # Not held, target date the 12th: past it by the 20th.
    _interview(area, child(), london(7), dt.date(2026, 5, 12))
    # Not held, target date the 25th: not yet due on the 20th, overdue by December.
    _interview(area, child(), london(19), dt.date(2026, 5, 25))
    # Asked for in June: outside the period.
    _interview(area, child(), london(2, month=6), dt.date(2026, 6, 5), held_at=london(20, month=6))


def test_evidential_interviews_held_by_target_days_late_and_not_held(area, child):
    _may_interviews(area, child)
    assert measures.evidential_interviews(council=area, period=MAY_2026, now=MAY_20) == {
        "asked": 6,
        "held": 3,
        "due": 5,
        "held_by_target": 1,
        "held_by_target_pct": 20.0,
        # Days late 0, 3, 10: median 3; p90 at rank 1.8, 3 + 0.8 x 7 = 8.6; max 10.
        "days_late": {"median": 3.0, "p90": 8.6, "max": 10.0},
        "not_held": 1,
    }
    # By December the last one is overdue too.
    later = measures.evidential_interviews(council=area, period=MAY_2026, now=AFTER)
    assert (later["due"], later["held_by_target_pct"]) == (6, 16.7)


def test_evidential_interviews_none_asked_gives_nulls(area):
    assert measures.evidential_interviews(council=area, period=MAY_2026, now=AFTER) == {
        "asked": 0,
        "held": 0,
        "due": 0,
        "held_by_target": 0,
        "held_by_target_pct": None,
        "days_late": {"median": None, "p90": None, "max": None},
        "not_held": 0,
    }


def _keys(area: Organisation, now: dt.datetime = AFTER) -> dict:
    found = area_findings(headline_measures(council=area, period=MAY_2026, now=now), {})
    return {finding.headline.key: finding for finding in found}


def test_late_joint_interviews_are_a_finding_with_their_list(db, child):
    late, prompt, few = council("TEST-LATE"), council("TEST-PROMPT"), council("TEST-FEW")
    _may_interviews(late, child)
    for day in range(4, 10):  # 6 held on the day asked for, target 3 days on
        _interview(prompt, child(), london(day), dt.date(2026, 5, day + 3), held_at=london(day, 15))
    for day in range(4, 8):  # 4, every one late: too few to say
        _interview(few, child(), london(day), dt.date(2026, 5, day + 1), held_at=london(day + 9))
    found = _keys(late)
    assert set(found) == {"interviews_in_time"}
    finding = found["interviews_in_time"]
    assert finding.figure == (
        "16.7% of 6 interviews due were held by the target date the strategy discussion set."
    )
    assert finding.drill == "interviews-late"
    lines = list_lines(key="interviews-late", council=late, period=MAY_2026, now=AFTER)
    assert [line.cells[-1] for line in lines] == [
        "3 days after the target date",
        "10 days after the target date",
        "Not held: The child declined",
        "Still waiting",
        "Still waiting",
    ]
    assert _keys(prompt) == {} and _keys(few) == {}


def test_lone_visits_are_a_finding_past_one_in_ten(db, forces, child):
    alone, accompanied = council("TEST-ALONE"), council("TEST-WITH")
    for day in range(1, 6):  # 5 visits made, 4 without an officer: 80%
        _visit(
            alone,
            forces[0],
            child(),
            london(day),
            status=VisitStatus.DONE,
            officer_present=day == 1,
            lone_visit=day != 1,
            declined_at=london(day, 11) if day != 1 else None,
            decline_reason="No specialist officer" if day != 1 else "",
        )
    for day in range(1, 11):  # 10 made, 1 alone: 10%, on the line, not past it
        _visit(
            accompanied,
            forces[0],
            child(),
            london(day),
            status=VisitStatus.DONE,
            officer_present=day != 1,
            lone_visit=day == 1,
        )
    found = _keys(alone)
    assert set(found) == {"visits_lone"}
    assert found["visits_lone"].figure == "80.0% of 5 visits made went ahead without an officer."
    lines = list_lines(key="visits-lone", council=alone, period=MAY_2026, now=AFTER)
    assert len(lines) == 4 and {line.cells[-1] for line in lines} == {"No specialist officer"}
    assert _keys(accompanied) == {}


def test_a_single_closure_without_the_councils_answer_is_a_finding(db, forces, child):
    unheard, heard = council("TEST-UNHEARD"), council("TEST-HEARD")
    may = london(12)
    _closure(
        unheard, forces[0], child(), may, needs_agreement=False, status=ClosureStatus.CLOSED, closed_at=may
    )
    _closure(
        unheard,
        forces[0],
        child(),
        may,
        needs_agreement=True,
        status=ClosureStatus.CLOSED,
        responded_at=may,
        closed_at=may,
    )
    # Agreed, disputed or waiting: none closed unheard.
    _closure(
        heard,
        forces[0],
        child(),
        may,
        needs_agreement=True,
        status=ClosureStatus.CLOSED,
        responded_at=may,
        closed_at=may,
    )
    _closure(
        heard, forces[0], child(), may, needs_agreement=True, status=ClosureStatus.DISPUTED, responded_at=may
    )
    _closure(heard, forces[0], child(), may, needs_agreement=True, status=ClosureStatus.PROPOSED)
    found = _keys(unheard)
    assert set(found) == {"closures_unconsulted"}
    assert found["closures_unconsulted"].figure == (
        "50.0% of 2 closures took effect without the council being consulted."
    )
    lines = list_lines(key="closures-unconsulted", council=unheard, period=MAY_2026, now=AFTER)
    assert len(lines) == 1 and lines[0].cells[-1] == forces[0].name
    assert _keys(heard) == {}
    # Compared with the other area: 0% is the best quarter.
    comparison = national_comparison(MAY_2026, now=AFTER)
    assert (
        headline_values(headline_measures(council=heard, period=MAY_2026, now=AFTER))["closures_unconsulted"]
        == 0.0
    )
    assert area_findings(headline_measures(council=unheard, period=MAY_2026, now=AFTER), comparison)


def test_headline_rows_of_visits_closures_and_interviews_give_the_measures_answer(every_kind):
    """The headline figures read visits and closures row by row (so each month is counted from the period's
    rows): the period's, and each month's, equal the counted measures of that period or month alone."""
    rows = headline_rows(councils=every_kind, period=VARIED_PERIOD, now=VARIED_NOW)
    for area in every_kind:
        for period in [VARIED_PERIOD, *months_of(VARIED_PERIOD)]:
            got = headline_measures_of(rows, council=area, period=period, now=VARIED_NOW)
            assert got["joint_visits"] == measures.joint_visits(council=area, period=period)
            assert got["investigation_closures"] == measures.investigation_closures(
                council=area, period=period
            )
            assert got["evidential_interviews"] == measures.evidential_interviews(
                council=area, period=period, now=VARIED_NOW
            )
    first = measures.area_measures(council=every_kind[0], period=VARIED_PERIOD, now=VARIED_NOW)
    assert first["evidential_interviews"]["asked"] > first["evidential_interviews"]["held"] > 0


def test_the_report_shows_joint_work(area, child):
    _may_interviews(area, child)
    report = html_report(measures.area_measures(council=area, period=MAY_2026, now=AFTER))
    assert "Joint work between the police and social workers" in report
    assert "Joint interviews held by their target date (of those due)" in report
    assert "16.7%" in report and "#evidential_interviews" in report
