"""Meeting pages against the cast of personas, and what each form does with good and bad input."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.clocks import services as clocks
from openmash.meetings.models import AgencyReport, Meeting, MeetingKind, Participation
from tests.meetings.conftest import everyone_attended

pytestmark = pytest.mark.django_db

PERSONAS = [
    "social.worker",
    "police.officer",
    "school.dsl",
    "bury.social.worker",
    "inspector",
    "council.admin",
    "anonymous",
]


def _client(signed_in, username: str) -> Client:
    return Client() if username == "anonymous" else signed_in(username)


def _status(response) -> int | str:
    if response.status_code == 302:
        assert "/sign-in/" in response["Location"]
        return "sign-in"
    return response.status_code


# page -> persona -> expected status
MATRIX = {
    "detail": {
        "social.worker": 200,
        "police.officer": 200,
        "school.dsl": 200,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
    "outcome": {
        "social.worker": 200,
        "police.officer": 404,
        "school.dsl": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
    "list": {
        "social.worker": 200,
        "police.officer": 200,
        "school.dsl": 200,
        "bury.social.worker": 200,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
    "child": {
        "social.worker": 200,
        "police.officer": 200,
        "school.dsl": 200,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
    "schedule": {
        "social.worker": 200,
        "police.officer": 404,
        "school.dsl": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
    "attendance": {
        "social.worker": 404,
        "police.officer": 404,
        "school.dsl": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": "sign-in",
    },
}


def _url(page: str, meeting: Meeting) -> str:
    if page in ("detail", "outcome"):
        return reverse(f"meetings:{page}", args=[meeting.pk])
    if page == "child":
        return reverse("meetings:child", args=[meeting.child_id])
    if page == "schedule":
        return reverse("meetings:schedule", args=[meeting.child_id, "strategy-discussion"])
    return reverse(f"meetings:{page}")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(MATRIX))
def test_it_answers_each_persona(signed_in, strategy_discussion, page, persona):
    response = _client(signed_in, persona).get(_url(page, strategy_discussion))
    assert _status(response) == MATRIX[page][persona]


def test_the_invited_police_force_lists_the_meeting_and_bury_does_not(signed_in, strategy_discussion):
    assert strategy_discussion.reference in signed_in("police.ppu").get(reverse("meetings:list")).text
    assert (
        strategy_discussion.reference
        not in signed_in("bury.social.worker").get(reverse("meetings:list")).text
    )


@pytest.mark.parametrize(("persona", "status"), [("team.manager", 200), ("partnership.lead", 200)])
def test_managers_see_the_attendance_count(signed_in, persona, status, strategy_discussion):
    response = signed_in(persona).get(reverse("meetings:attendance"))
    assert response.status_code == status


def test_meetings_is_in_the_navigation_for_case_roles_only(signed_in):
    assert ">Meetings<" in signed_in("police.ppu").get("/").text
    assert ">Meetings<" not in signed_in("council.admin").get("/").text


def test_a_council_practitioner_convenes_a_strategy_discussion_from_the_childs_record(cast, signed_in):
    client = signed_in("social.worker")
    child = cast.people["Amelia Hart"]
    record = client.get(reverse("people:record", args=[child.pk])).text
    assert reverse("meetings:child", args=[child.pk]) in record
    when = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("meetings:schedule", args=[child.pk, "strategy-discussion"]),
        {
            "scheduled_date_0": when.day,
            "scheduled_date_1": when.month,
            "scheduled_date_2": when.year,
            "scheduled_time": "10:00",
            "location": "Video call",
            "invited": [str(cast.organisations["health"].pk)],
        },
    )
    meeting = Meeting.objects.get(child=child)
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    invited = set(meeting.invitations.values_list("organisation__code", flat=True))
    assert invited == {cast.organisations["police"].code, cast.organisations["health"].code}


def test_scheduling_without_a_date_writes_nothing(cast, signed_in):
    child = cast.people["Amelia Hart"]
    response = signed_in("social.worker").post(
        reverse("meetings:schedule", args=[child.pk, "strategy-discussion"]), {"scheduled_time": "10:00"}
    )
    assert response.status_code == 200
    assert "Enter the date of the meeting" in response.text and "Error:" in response.text
    assert not Meeting.objects.exists()


def test_the_invited_police_officer_sends_a_report_and_bury_cannot(signed_in, strategy_discussion):
    url = reverse("meetings:detail", args=[strategy_discussion.pk])
    assert signed_in("bury.social.worker").post(url, {"text": "x"}).status_code == 404
    response = signed_in("police.ppu").post(url, {"text": "Officers attended twice in May"})
    assert response.status_code == 302
    report = AgencyReport.objects.get()
    assert report.invitation.organisation.kind == "police" and not report.late
    # The council reads it; another invited agency sees only that it was sent.
    assert "Officers attended twice in May" in signed_in("social.worker").get(url).text
    assert "Officers attended twice in May" not in signed_in("school.dsl").get(url).text


def _outcome_post(meeting: Meeting, **overrides) -> dict:
    now = timezone.localtime()
    data = {
        "held_date_0": now.day,
        "held_date_1": now.month,
        "held_date_2": now.year,
        "held_time": (now - dt.timedelta(minutes=1)).strftime("%H:%M"),
        "s47_decision": "no",
        "decision_reasons": "Single agency response is enough",
        "evidential_interview": "no",
    }
    for invitation in meeting.invitations.all():
        data[f"participation_{invitation.organisation_id}"] = Participation.ATTENDED
        data[f"reason_{invitation.organisation_id}"] = ""
    data.update(overrides)
    return data


def test_non_attendance_without_a_reason_shows_an_error_and_saves_nothing(
    cast, signed_in, strategy_discussion
):
    police = cast.organisations["police"]
    response = signed_in("social.worker").post(
        reverse("meetings:outcome", args=[strategy_discussion.pk]),
        _outcome_post(strategy_discussion, **{f"participation_{police.pk}": Participation.DID_NOT_TAKE_PART}),
    )
    assert response.status_code == 200
    assert f"Give the reason {police.name} did not attend" in response.text
    assert f'href="#id_reason_{police.pk}"' in response.text
    strategy_discussion.refresh_from_db()
    assert strategy_discussion.held_at is None


def test_a_late_meeting_asks_for_the_reason_for_the_delay(cast, signed_in, strategy_discussion):
    clocks.clock_start(
        rule="strategy-discussion",
        started_at=timezone.now() - dt.timedelta(days=7),
        organisation=cast.organisations["council"],
        subject_type="share",
        subject_id="page-test",
        person=cast.people["Amelia Hart"],
    )
    client = signed_in("social.worker")
    url = reverse("meetings:outcome", args=[strategy_discussion.pk])
    response = client.post(url, _outcome_post(strategy_discussion))
    assert response.status_code == 200
    assert "Reason for the delay" in response.text and "Give the reason for the delay" in response.text
    strategy_discussion.refresh_from_db()
    assert strategy_discussion.held_at is None
    response = client.post(url, _outcome_post(strategy_discussion, delay_reason="No police officer free"))
    assert response.status_code == 302
    strategy_discussion.refresh_from_db()
    assert strategy_discussion.held_at is not None


def test_a_conference_outcome_is_recorded_from_its_page(cast, signed_in, initial_conference):
    police = cast.organisations["police"]
    data = _outcome_post(initial_conference, plan="yes", categories=["neglect"])
    data[f"participation_{police.pk}"] = Participation.WRITTEN_ONLY
    data[f"reason_{police.pk}"] = "Officer at court; report sent"
    response = signed_in("social.worker").post(
        reverse("meetings:outcome", args=[initial_conference.pk]), data
    )
    assert response.status_code == 302
    initial_conference.refresh_from_db()
    assert initial_conference.plan is True and initial_conference.categories == ["neglect"]
    page = signed_in("social.worker").get(reverse("meetings:detail", args=[initial_conference.pk])).text
    assert "Sent written information only: Officer at court; report sent" in page
    assert reverse("meetings:core-group", args=[initial_conference.pk]) in page


def test_a_core_group_is_recorded_against_the_conference(cast, actor, signed_in, initial_conference):
    from openmash.meetings import services

    services.conference_record_outcome(
        actor=actor("social.worker"),
        meeting=initial_conference,
        held_at=timezone.now() - dt.timedelta(minutes=5),
        attendance=everyone_attended(initial_conference),
        plan=True,
        categories=["multiple"],
    )
    data = _outcome_post(initial_conference)
    response = signed_in("social.worker").post(
        reverse("meetings:core-group", args=[initial_conference.pk]), data
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(kind=MeetingKind.CORE_GROUP, previous=initial_conference).exists()
