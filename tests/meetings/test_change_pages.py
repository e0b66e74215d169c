"""Pages that move, cancel and add agencies to a meeting, and record a birth: who may open them (the convening
council only; anyone else 404), and what each does with good and bad input."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.meetings.models import ChangeKind, Meeting, MeetingChange
from openmash.people.models import Person, PersonKind

pytestmark = pytest.mark.django_db

PAGES = ["reschedule", "cancel", "invite"]
# Persona -> expected status for every change page of a strategy discussion Stockton convened, inviting
# Cleveland Police, the health trust and the school.
EXPECTED = {
    "social.worker": 200,
    "team.manager": 200,
    "police.officer": 404,  # an invited agency: it sees the meeting, may not change it
    "school.dsl": 404,  # an invited school
    "health.practitioner": 404,
    "bury.social.worker": 404,  # another council
    "inspector": 404,
    "council.admin": 404,
    "anonymous": "sign-in",
}


def _status(response) -> int | str:
    if response.status_code == 302:
        assert "/sign-in/" in response["Location"]
        return "sign-in"
    return response.status_code


def _client(signed_in, persona: str) -> Client:
    return Client() if persona == "anonymous" else signed_in(persona)


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_only_the_convening_council_opens_a_change_page(signed_in, strategy_discussion, page, persona):
    client = _client(signed_in, persona)
    url = reverse(f"meetings:{page}", args=[strategy_discussion.pk])
    assert _status(client.get(url)) == EXPECTED[persona]
    # A POST from anyone else changes nothing either.
    client.post(url, {"reason": "x", "invited": []})
    assert (MeetingChange.objects.exists()) == (EXPECTED[persona] == 200 and page == "cancel")


def test_the_meeting_page_offers_changes_to_the_council_only(signed_in, strategy_discussion):
    url = reverse("meetings:detail", args=[strategy_discussion.pk])
    assert (
        reverse("meetings:cancel", args=[strategy_discussion.pk]) in signed_in("social.worker").get(url).text
    )
    assert (
        reverse("meetings:cancel", args=[strategy_discussion.pk])
        not in signed_in("police.officer").get(url).text
    )


def test_moving_from_the_page(signed_in, strategy_discussion):
    when = timezone.localdate() + dt.timedelta(days=5)
    response = signed_in("social.worker").post(
        reverse("meetings:reschedule", args=[strategy_discussion.pk]),
        {
            "scheduled_date_0": when.day,
            "scheduled_date_1": when.month,
            "scheduled_date_2": when.year,
            "scheduled_time": "14:30",
            "location": "Room 2, Municipal Buildings",
            "reason": "Health visitor on leave",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=strategy_discussion.pk)
    assert timezone.localtime(meeting.scheduled_for).date() == when
    assert meeting.location == "Room 2, Municipal Buildings"
    page = signed_in("social.worker").get(reverse("meetings:detail", args=[meeting.pk])).text
    assert "moved from" in page and "Health visitor on leave" in page


def test_moving_without_a_time_shows_the_error_summary_and_writes_nothing(signed_in, strategy_discussion):
    response = signed_in("social.worker").post(
        reverse("meetings:reschedule", args=[strategy_discussion.pk]), {"scheduled_time": ""}
    )
    assert response.status_code == 200
    assert "<title>Error: " in response.text and "govuk-error-summary" in response.text
    assert "Enter the new date of the meeting" in response.text
    assert "Enter the new time of the meeting" in response.text
    assert not MeetingChange.objects.exists()


def test_cancelling_asks_why_and_says_the_clock_stays_open(signed_in, strategy_discussion):
    client = signed_in("social.worker")
    url = reverse("meetings:cancel", args=[strategy_discussion.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and "Enter why the meeting is cancelled" in empty.text
    assert not MeetingChange.objects.exists()
    assert client.post(url, {"reason": "Family moved out of the area"}).status_code == 302
    page = client.get(reverse("meetings:detail", args=[strategy_discussion.pk])).text
    assert "Cancelled" in page and "Family moved out of the area" in page
    assert reverse("meetings:cancel", args=[strategy_discussion.pk]) not in page
    # Cancelled: the change pages are gone.
    assert client.get(url).status_code == 404


def test_inviting_from_the_page_with_checkboxes(cast, signed_in, actor):
    from openmash.meetings import services

    meeting = services.strategy_discussion_convene(
        actor=actor("social.worker"),
        child=cast.people["Amelia Hart"],
        scheduled_for=timezone.now() + dt.timedelta(days=2),
        invited=[cast.organisations["health"]],
    )
    client = signed_in("social.worker")
    url = reverse("meetings:invite", args=[meeting.pk])
    form = client.get(url).text
    school = cast.organisations["school"]
    assert 'type="checkbox"' in form and school.name in form
    assert cast.organisations["health"].name not in form  # already invited
    none = client.post(url, {})
    assert none.status_code == 200 and "Select at least one agency to invite" in none.text
    assert client.post(url, {"invited": [str(school.pk)]}).status_code == 302
    assert MeetingChange.objects.get(meeting=meeting).kind == ChangeKind.INVITED
    assert meeting.invitations.filter(organisation=school).exists()
    page = signed_in("school.dsl").get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 200 and "Send the report" in page.text


BIRTH_EXPECTED = {
    "social.worker": 200,
    "police.officer": 404,
    "school.dsl": 404,
    "bury.social.worker": 404,
    "inspector": 404,
    "council.admin": 404,
    "anonymous": "sign-in",
}


@pytest.mark.parametrize("persona", list(BIRTH_EXPECTED))
def test_only_the_council_records_a_birth(cast, signed_in, persona):
    unborn = cast.people["unborn"]
    client = _client(signed_in, persona)
    url = reverse("meetings:birth", args=[unborn.pk])
    assert _status(client.get(url)) == BIRTH_EXPECTED[persona]
    born = timezone.localdate() - dt.timedelta(days=1)
    client.post(
        url, {"date_of_birth_0": born.day, "date_of_birth_1": born.month, "date_of_birth_2": born.year}
    )
    recorded = Person.objects.get(pk=unborn.pk).kind == PersonKind.CHILD
    assert recorded == (BIRTH_EXPECTED[persona] == 200)


def test_recording_a_birth_from_the_childs_meetings(cast, signed_in):
    unborn = cast.people["unborn"]
    client = signed_in("social.worker")
    birth_url = reverse("meetings:birth", args=[unborn.pk])
    assert birth_url in client.get(reverse("meetings:child", args=[unborn.pk])).text
    assert birth_url in client.get(reverse("people:record", args=[unborn.pk])).text
    # Not offered to any other agency (the police force here answers 404 for the record itself).
    assert birth_url not in signed_in("police.officer").get(reverse("people:record", args=[unborn.pk])).text
    url = reverse("meetings:birth", args=[unborn.pk])
    future = timezone.localdate() + dt.timedelta(days=3)
    bad = client.post(
        url, {"date_of_birth_0": future.day, "date_of_birth_1": future.month, "date_of_birth_2": future.year}
    )
    assert bad.status_code == 200 and "Date of birth must be today or in the past" in bad.text
    born = timezone.localdate()
    ok = client.post(
        url,
        {
            "date_of_birth_0": born.day,
            "date_of_birth_1": born.month,
            "date_of_birth_2": born.year,
            "given_name": "Ava",
        },
    )
    assert ok.status_code == 302
    child = Person.objects.get(pk=unborn.pk)
    assert child.kind == PersonKind.CHILD and child.given_name == "Ava" and child.date_of_birth == born
    # Born: the page is gone.
    assert client.get(url).status_code == 404


def test_the_pages_say_the_clock_stays_open_and_a_late_move_shows(cast, signed_in, strategy_discussion):
    from openmash.clocks import services as clocks
    from openmash.lib.govuk import govuk_datetime

    clock = clocks.clock_start(
        rule="strategy-discussion",
        started_at=timezone.now(),
        organisation=strategy_discussion.council,
        subject_type="test",
        subject_id="sd",
        person=strategy_discussion.child,
    )
    client = signed_in("social.worker")
    due = govuk_datetime(clock.due_at)
    move = client.get(reverse("meetings:reschedule", args=[strategy_discussion.pk])).text
    assert f"Moving the meeting does not move its deadline: it is due by {due}" in move
    # Set for after the deadline: the meeting page says it is late.
    Meeting.objects.filter(pk=strategy_discussion.pk).update(
        scheduled_for=clock.due_at + dt.timedelta(days=1)
    )
    detail = client.get(reverse("meetings:detail", args=[strategy_discussion.pk])).text
    assert f"Due by {due}" in detail and ">Late<" in detail
    cancel = client.get(reverse("meetings:cancel", args=[strategy_discussion.pk])).text
    assert f"Cancelling does not stop the clock: the strategy discussion is still due by {due}" in cancel
    client.post(reverse("meetings:cancel", args=[strategy_discussion.pk]), {"reason": "Moved away"})
    after = client.get(reverse("meetings:detail", args=[strategy_discussion.pk])).text
    assert f"strategy discussion is still due by {due}" in after
