"""The Annex A lists (5, 7, 8) on hand-made data with known rows, built through the real services, read back
from the XLSX the team downloads: each row, each column's note on where it comes from, and the columns
OpenMASH does not record left empty with a note saying so."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from openmash.accounts.actors import actor_for_user
from openmash.casework.services.visits import joint_visit_record, joint_visit_request
from openmash.events.models import EventKind, SubjectRole
from openmash.inspections import lists
from openmash.meetings import services as meetings
from openmash.meetings.models import Participation
from openmash.missing import services as missing
from openmash.missing.models import Category, InterviewResponse
from openmash.people.models import ChildStatusKind
from openmash.people.services import child_status_record
from openmash.recording.checks import EventInput, PersonInput
from openmash.recording.services import event_record


def _attended(meeting):
    return [
        meetings.AttendanceInput(organisation_id=i.organisation_id, participation=Participation.ATTENDED)
        for i in meeting.invitations.all()
    ]


def _ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def _download(client, grant, number):
    response = client.get(reverse("inspections:list", args=[grant.pk, number]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"annex-a-list-{number}-" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[f"List {number}"]
    header = [cell.value for cell in sheet[1]]
    notes = {cell.value: cell.comment.text for cell in sheet[1]}
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    about = [row for row in book["About these columns"].iter_rows(values_only=True)]
    return header, notes, rows, about


@pytest.fixture
def worker(cast):
    return actor_for_user(cast.users["social.worker"])


@pytest.fixture
def s47_story(cast, worker):
    """Amelia: a strategy discussion that started s47 enquiries, and the initial conference that made a plan
    (neglect, emotional abuse). Noah: a strategy discussion that decided no s47 enquiries (not on list 5)."""
    amelia, noah = cast.people["Amelia Hart"], cast.people["Noah Hart"]
    discussion = meetings.strategy_discussion_convene(
        actor=worker, child=amelia, scheduled_for=_ago(days=3), invited=[]
    )
    discussion = meetings.strategy_discussion_record_outcome(
        actor=worker,
        meeting=discussion,
        held_at=_ago(days=3),
        attendance=_attended(discussion),
        s47_decision=True,
        decision_reasons="Bruising explained inconsistently",
        s47_started_on=timezone.localdate() - dt.timedelta(days=2),
    )
    conference = meetings.conference_schedule(
        actor=worker,
        kind="initial-conference",
        child=amelia,
        scheduled_for=_ago(hours=3),
        invited=[],
        strategy_discussion=discussion,
    )
    conference = meetings.conference_record_outcome(
        actor=worker,
        meeting=conference,
        held_at=_ago(hours=2),
        attendance=_attended(conference),
        plan=True,
        categories=["neglect", "emotional"],
    )
    no_s47 = meetings.strategy_discussion_convene(
        actor=worker, child=noah, scheduled_for=_ago(days=1), invited=[]
    )
    meetings.strategy_discussion_record_outcome(
        actor=worker,
        meeting=no_s47,
        held_at=_ago(days=1),
        attendance=_attended(no_s47),
        s47_decision=False,
        decision_reasons="Threshold not met",
    )
    return discussion, conference


def test_list_5_has_each_s47_enquiry_with_its_conference(cast, grant, signed_in, s47_story):
    discussion, conference = s47_story
    header, notes, rows, about = _download(signed_in("inspector"), grant, 5)
    assert header == [
        "OpenMASH id",
        "Name",
        "Date of birth",
        "Strategy discussion reference",
        "Strategy discussion date",
        "Section 47 enquiry start date",
        "Initial conference date",
        "Initial conference planned for",
        "Plan outcome",
    ]
    amelia = cast.people["Amelia Hart"]
    assert rows == [
        [
            str(amelia.pk),
            "Amelia Hart",
            dt.datetime.combine(amelia.date_of_birth, dt.time()),
            discussion.reference,
            dt.datetime.combine(timezone.localdate(discussion.held_at), dt.time()),
            dt.datetime.combine(timezone.localdate() - dt.timedelta(days=2), dt.time()),
            dt.datetime.combine(timezone.localdate(conference.held_at), dt.time()),
            None,
            "Child protection plan",
        ]
    ]
    assert "strategy discussion's decision" in notes["Section 47 enquiry start date"]
    assert ("Plan outcome", notes["Plan outcome"]) in about


def test_list_7_has_each_child_on_a_plan_and_leaves_what_is_not_recorded_empty(
    cast, grant, signed_in, worker, s47_story
):
    amelia, noah = cast.people["Amelia Hart"], cast.people["Noah Hart"]
    council = cast.organisations["council"]
    for child, start in ((amelia, dt.date(2026, 1, 5)), (noah, dt.date(2026, 2, 1))):
        child_status_record(
            actor=worker,
            person=child,
            council=council,
            status=ChildStatusKind.PROTECTION_PLAN,
            start_date=start,
        )
    # A visit without the police (a lone visit) yesterday, and police protection 10 days ago: Amelia's.
    visit = joint_visit_request(
        actor=worker,
        person=amelia,
        planned_for=_ago(days=1, hours=1),
        police_needed_because=["risk"],
        purpose="Check on Amelia",
    )
    joint_visit_record(
        actor=worker, visit=visit, visited_at=_ago(days=1), officer_present=False, outcome="Seen"
    )
    taken = _ago(days=10)
    event_record(
        actor=actor_for_user(cast.users["police.designated"]),
        data=EventInput(
            kind=EventKind.POLICE_PROTECTION,
            occurred_at=taken,
            postcode="TS18 1AA",
            summary="Found alone at home at night",
            details={
                "designated_officer": "Insp Grace Oduya",
                "reasons": "Child alone",
                "alternatives_discussed": True,
                "alternatives_discussed_with": "Ruth Okafor",
            },
            people=[PersonInput(role=SubjectRole.CHILD, person_id=amelia.pk)],
        ),
    )
    header, notes, rows, _about = _download(signed_in("inspector"), grant, 7)
    assert header[3:] == [
        "Plan start date",
        "Categories of abuse",
        "Last visit",
        "Seen alone",
        "Latest review conference",
        "Police protection in the last six months",
        "Emergency protection order in the last six months",
    ]
    by_name = {row[1]: row[3:] for row in rows}
    assert set(by_name) == {"Amelia Hart", "Noah Hart"}
    assert by_name["Amelia Hart"] == [
        dt.datetime(2026, 1, 5),
        "Neglect, Emotional abuse",
        dt.datetime.combine(timezone.localdate(_ago(days=1)), dt.time()),
        None,
        None,
        f"Yes, latest {timezone.localdate(taken):%-d %B %Y}",
        None,
    ]
    assert by_name["Noah Hart"] == [dt.datetime(2026, 2, 1), None, None, None, None, "No", None]
    assert "Not recorded by OpenMASH" in notes["Seen alone"]
    assert "Not recorded by OpenMASH" in notes["Emergency protection order in the last six months"]
    assert "lone visit" in notes["Last visit"]


def test_list_8_counts_missing_and_absent_episodes_and_return_interviews(cast, grant, signed_in):
    carer = actor_for_user(cast.users["home.carer"])
    leo = cast.people["Leo Marsh"]

    def report(category, hours_ago):
        return missing.missing_report_record(
            actor=carer,
            data=missing.MissingReportInput(
                last_seen_at=_ago(hours=hours_ago),
                reported_at=_ago(hours=hours_ago - 0.5),
                child=PersonInput(person_id=leo.pk),
                last_seen_where="Oak House, Thornaby",
                category=category,
            ),
        ).episode

    first = report(Category.MISSING, 30)
    first = missing.found_report_record(
        actor=carer,
        episode=first,
        data=missing.FoundInput(found_at=_ago(hours=26), found_where="Bus station"),
    ).episode
    interviewer = actor_for_user(cast.users["return.interviewer"])
    missing.return_interview_offer(
        actor=interviewer,
        episode=first,
        offered_at=_ago(hours=20),
        offered_to="Leo",
        response=InterviewResponse.ACCEPTED,
    )
    report(Category.AWAY, 5)
    header, notes, rows, _about = _download(signed_in("inspector"), grant, 8)
    assert "away without authorisation" in notes["Absent episodes in the last 12 months"]
    assert header[3:] == [
        "Looked after since",
        "Missing episodes in the last 12 months",
        "Absent episodes in the last 12 months",
        "Return interviews offered",
        "Return interviews accepted",
    ]
    [row] = [row for row in rows if row[1] == "Leo Marsh"]
    assert row[4:] == [1, 1, 1, 1]
    assert len(rows) == 1  # Leo is the only child the demo council looks after


def test_a_name_is_never_a_formula(cast, grant):
    listed = lists.InspectionList(7, "t", "c", lists.CHILD_COLUMNS, rows=[["x", "=HYPERLINK(1)", None]])
    body = lists.list_xlsx(listed, council=cast.organisations["council"], made_at=timezone.now())
    sheet = load_workbook(io.BytesIO(body))["List 7"]
    assert sheet["B2"].value == "'=HYPERLINK(1)" and sheet["B2"].data_type == "s"


def test_six_months_before_clamps_to_the_months_end():
    assert lists._months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert lists._months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)
