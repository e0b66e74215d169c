"""Findings only where the data supports them: an area doing badly gets its finding, one doing well none, an
area with nothing recorded none (and nulls, never 0)."""

import datetime as dt

from openmash.events.models import EventKind
from openmash.insight.comparison import national_comparison
from openmash.insight.findings import THRESHOLDS, area_findings
from openmash.insight.headlines import BY_KEY, headline_measures, headline_values
from openmash.insight.measures import Period
from openmash.meetings.models import Meeting, MeetingInvitation, MeetingKind, Participation
from openmash.organisations.models import Organisation, OrganisationKind
from tests.insight.conftest import LONDON, event

MARCH = Period(dt.date(2020, 3, 1), dt.date(2020, 3, 31))
NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2020, 3, day, hour, tzinfo=LONDON)


def council(code: str) -> Organisation:
    return Organisation.objects.create(code=code, name=code.title(), kind=OrganisationKind.COUNCIL)


def findings_of(area: Organisation) -> list:
    measures = headline_measures(council=area, period=MARCH, now=NOW)
    return area_findings(measures, national_comparison(MARCH, now=NOW))


def test_every_threshold_is_about_a_headline_figure():
    assert all(threshold.headline in BY_KEY for threshold in THRESHOLDS)


def test_an_area_sharing_late_gets_its_finding_and_one_in_time_none(db, forces, notify):
    late, prompt = council("TEST-LATE"), council("TEST-PROMPT")
    # Late: 10 notifications, 3 shared within 24 hours, 7 after 3 days (median 72 hours).
    for day in range(1, 11):
        notify(forces[0], at(day), at(day, 12) if day <= 3 else at(day + 3), recipient=late)
    # Prompt: 10 notifications, each within an hour.
    for day in range(1, 11):
        notify(forces[0], at(day), at(day, 10), recipient=prompt)
    found = {finding.headline.key: finding for finding in findings_of(late)}
    assert set(found) == {"da_in_time", "da_median_delay"}
    in_time = found["da_in_time"]
    assert in_time.figure == "Only 30.0% of 10 notifications were shared within the area's target."
    # Two areas: median 65%, best quartile (higher is better) 82.5%.
    assert in_time.comparison == (
        "Across 2 areas with this figure the median is 65.0%; the best quarter of areas reach 82.5% or more."
    )
    assert in_time.drill == "da-late"
    assert found["da_median_delay"].figure.startswith(
        "The median time from the report to police to the council was"
    )
    assert findings_of(prompt) == []


def test_a_few_cases_are_shown_but_support_no_finding(db, forces, notify):
    small = council("TEST-SMALL")
    for day in (1, 2, 3, 4):  # 4 notifications, every one late: fewer than 5 cases
        notify(forces[0], at(day), at(day + 3), recipient=small)
    measures = headline_measures(council=small, period=MARCH, now=NOW)
    assert headline_values(measures)["da_in_time"] == 0.0
    assert area_findings(measures, national_comparison(MARCH, now=NOW)) == []


def test_an_empty_area_has_nulls_and_no_finding(db):
    empty = council("TEST-EMPTY")
    measures = headline_measures(council=empty, period=MARCH, now=NOW)
    assert set(headline_values(measures).values()) == {None}
    assert area_findings(measures, national_comparison(MARCH, now=NOW)) == []


def test_police_absent_from_strategy_discussions_is_a_finding(db, forces, child):
    """6 strategy discussions, the police at 2."""
    absent = council("TEST-ABSENT")
    for n in range(6):
        meeting = Meeting.objects.create(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            reference=f"SD-TEST-{n}",
            child=child(),
            council=absent,
            convened_by_label="Test",
            convened_at=at(n + 1) - dt.timedelta(days=1),
            scheduled_for=at(n + 1),
            held_at=at(n + 1),
            event=event(EventKind.STRATEGY_DISCUSSION, absent, at(n + 1)),
        )
        MeetingInvitation.objects.create(
            meeting=meeting,
            organisation=forces[0],
            role_expected="Police",
            participation=Participation.ATTENDED if n < 2 else Participation.DID_NOT_TAKE_PART,
            non_attendance_reason="" if n < 2 else "No officer free",
        )
    found = {finding.headline.key: finding for finding in findings_of(absent)}
    assert set(found) == {"police_at_strategy"}
    assert found["police_at_strategy"].figure == "They attended 33.3% of 6 invitations."
