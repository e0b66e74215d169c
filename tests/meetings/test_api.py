"""POST /api/v1/meetings/{id}/reports: an invited agency's system sends its report."""

import uuid

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.meetings.models import AgencyReport

pytestmark = pytest.mark.django_db


def _client(cast, key: str) -> Client:
    organisation = cast.organisations[key]
    created = api_client_create(
        actor=system_actor(organisation),
        organisation=organisation,
        name=f"{key} records system {uuid.uuid4().hex[:8]}",
    )
    return Client(headers={"Authorization": f"Bearer {created.token}"})


def test_an_invited_police_system_sends_its_report(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}/reports"
    police = _client(cast, "police")
    response = police.post(url, {"text": "PNC checks: nothing recorded"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == strategy_discussion.reference and response.json()["late"] is False
    again = police.post(url, {"text": "Again"}, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "text"
    assert AgencyReport.objects.count() == 1


def test_an_agency_not_invited_gets_404_and_nothing_is_saved(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}/reports"
    response = _client(cast, "unrelated-council").post(url, {"text": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert not AgencyReport.objects.exists()


# --- The meetings API: convene, read, list, move, cancel, invite, record the outcome -----------------------

import datetime as dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from openmash.meetings.models import Meeting, MeetingChange  # noqa: E402
from openmash.sharing.models import IdempotentRequest, Share  # noqa: E402


def _post(client: Client, url: str, body: dict, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def _later(days: int = 3) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def _errors(response) -> dict[str, str]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {item["field"]: item["detail"] for item in response.json().get("errors", [])}


def test_a_council_system_convenes_once_per_idempotency_key(cast):
    council = _client(cast, "council")
    body = {
        "kind": "strategy-discussion",
        "child_id": str(cast.people["Amelia Hart"].pk),
        "scheduled_for": _later(),
        "invited": [cast.organisations["health"].code],
        "location": "Video call",
    }
    first = _post(council, "/api/v1/meetings", body, **{"Idempotency-Key": "convene-1"})
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["status"] == "scheduled" and answer["kind"] == "strategy-discussion"
    assert {item["organisation"] for item in answer["invitations"]} == {
        cast.organisations["police"].code,
        cast.organisations["health"].code,
    }
    again = _post(council, "/api/v1/meetings", body, **{"Idempotency-Key": "convene-1"})
    assert again.status_code == 201 and again.json() == answer
    assert Meeting.objects.count() == 1
    other = _post(
        council, "/api/v1/meetings", body | {"location": "Elsewhere"}, **{"Idempotency-Key": "convene-1"}
    )
    assert other.status_code == 422 and Meeting.objects.count() == 1


def test_convening_for_a_child_the_council_may_not_see_is_a_422_on_child_id(cast):
    body = {
        "kind": "strategy-discussion",
        "child_id": str(cast.people["Amelia Hart"].pk),
        "scheduled_for": _later(),
    }
    response = _post(_client(cast, "unrelated-council"), "/api/v1/meetings", body)
    assert response.status_code == 422
    assert _errors(response) == {"child_id": "No such child, or your organisation may not see them"}
    unknown = _post(_client(cast, "council"), "/api/v1/meetings", body | {"child_id": str(uuid.uuid4())})
    assert _errors(unknown) == {"child_id": "No such child, or your organisation may not see them"}
    assert not Meeting.objects.exists()


def test_convening_refuses_specific_mistakes(cast):
    council = _client(cast, "council")
    body = {
        "kind": "initial-conference",
        "child_id": str(cast.people["Amelia Hart"].pk),
        "scheduled_for": _later(),
    }
    no_sd = _post(council, "/api/v1/meetings", body)
    assert "strategy_discussion_id" in _errors(no_sd)
    bad_code = _post(
        council, "/api/v1/meetings", body | {"kind": "strategy-discussion", "invited": ["NOPE-1"]}
    )
    assert _errors(bad_code) == {"invited.0": "No organisation has the code or name 'NOPE-1'"}
    assert not Meeting.objects.exists()


def test_only_a_council_convenes(cast):
    body = {
        "kind": "strategy-discussion",
        "child_id": str(cast.people["Amelia Hart"].pk),
        "scheduled_for": _later(),
    }
    assert _post(_client(cast, "police"), "/api/v1/meetings", body).status_code == 403
    assert not Meeting.objects.exists()


def test_reading_and_listing_for_the_council_and_invitees_only(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}"
    council = _client(cast, "council").get(url)
    assert council.status_code == 200 and council.json()["reference"] == strategy_discussion.reference
    police = _client(cast, "police").get(url)
    assert police.status_code == 200 and police.json()["deadline"] is None
    assert _client(cast, "unrelated-council").get(url).status_code == 404
    assert _client(cast, "council").get("/api/v1/meetings/not-a-uuid").status_code == 404
    listed = {item["id"] for item in _client(cast, "police").get("/api/v1/meetings").json()}
    assert str(strategy_discussion.pk) in listed
    assert _client(cast, "unrelated-council").get("/api/v1/meetings").json() == []


def test_moving_through_the_api_tells_everyone_and_keeps_the_deadline(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}/reschedule"
    response = _post(_client(cast, "council"), url, {"scheduled_for": _later(4), "reason": "Court"})
    assert response.status_code == 200, response.content
    change = response.json()["changes"][0]
    assert change["kind"] == "rescheduled" and change["reason"] == "Court"
    told = set(Share.objects.filter(event_id=change["event_id"]).values_list("recipient__code", flat=True))
    assert told == {item["organisation"] for item in response.json()["invitations"]}
    past = _post(_client(cast, "council"), url, {"scheduled_for": "2026-01-01T10:00:00"})
    assert _errors(past) == {"scheduled_for": "The new date and time must be in the future"}


@pytest.mark.parametrize(("key", "status"), [("police", 403), ("school", 403), ("unrelated-council", 404)])
@pytest.mark.parametrize("action", ["reschedule", "cancel", "invitations", "outcome"])
def test_only_the_convening_council_changes_a_meeting(cast, strategy_discussion, key, status, action):
    bodies = {
        "reschedule": {"scheduled_for": _later(5)},
        "cancel": {"reason": "No longer needed"},
        "invitations": {"invited": [cast.organisations["health"].code]},
        "outcome": {"held_at": timezone.now().isoformat(), "attendance": []},
    }
    response = _post(
        _client(cast, key), f"/api/v1/meetings/{strategy_discussion.pk}/{action}", bodies[action]
    )
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert not MeetingChange.objects.exists()
    assert Meeting.objects.get(pk=strategy_discussion.pk).is_open


def test_cancelling_through_the_api_needs_a_reason(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}/cancel"
    council = _client(cast, "council")
    assert _errors(_post(council, url, {"reason": " "})) == {"reason": "Enter why the meeting is cancelled"}
    done = _post(council, url, {"reason": "Family moved away"}, **{"Idempotency-Key": "cancel-1"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert (
        _post(council, url, {"reason": "Family moved away"}, **{"Idempotency-Key": "cancel-1"}).json()
        == done.json()
    )
    again = _post(council, url, {"reason": "Again"})
    assert _errors(again) == {"reason": "This meeting has been cancelled: convene a new one instead"}
    assert MeetingChange.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_inviting_through_the_api(cast, actor):
    from openmash.meetings import services

    meeting = services.strategy_discussion_convene(
        actor=actor("social.worker"),
        child=cast.people["Amelia Hart"],
        scheduled_for=timezone.now() + dt.timedelta(days=2),
    )
    url = f"/api/v1/meetings/{meeting.pk}/invitations"
    council = _client(cast, "council")
    school = cast.organisations["school"]
    done = _post(council, url, {"invited": [school.code]})
    assert done.status_code == 200, done.content
    assert school.code in {item["organisation"] for item in done.json()["invitations"]}
    again = _post(council, url, {"invited": [school.code]})
    assert _errors(again) == {"invited": f"{school.name} is already invited"}
    # The school's system now reads the meeting and sends its report.
    assert _client(cast, "school").get(f"/api/v1/meetings/{meeting.pk}").status_code == 200
    report = _post(
        _client(cast, "school"), f"/api/v1/meetings/{meeting.pk}/reports", {"text": "Attendance 82%"}
    )
    assert report.status_code == 201


def test_recording_the_outcome_through_the_api(cast, strategy_discussion):
    url = f"/api/v1/meetings/{strategy_discussion.pk}/outcome"
    council = _client(cast, "council")
    codes = [invitation.organisation.code for invitation in strategy_discussion.invitations.all()]
    held = (timezone.now() - dt.timedelta(minutes=10)).isoformat()
    missing_reason = _post(
        council,
        url,
        {
            "held_at": held,
            "attendance": [
                {"organisation": code, "participation": "did-not-take-part" if i == 0 else "attended"}
                for i, code in enumerate(codes)
            ],
            "s47_decision": False,
            "decision_reasons": "Explained",
        },
    )
    assert _errors(missing_reason) == {
        f"attendance.{codes[0]}.reason": f"Give the reason {strategy_discussion.invitations.get(organisation__code=codes[0]).organisation.name} did not attend"
    }
    done = _post(
        council,
        url,
        {
            "held_at": held,
            "attendance": [{"organisation": code, "participation": "attended"} for code in codes],
            "s47_decision": False,
            "decision_reasons": "Explained",
        },
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "held" and done.json()["s47_decision"] is False
    assert {item["participation"] for item in done.json()["invitations"]} == {"attended"}


def test_recording_a_core_group_through_the_api(cast, actor, initial_conference):
    from openmash.meetings import services

    worker = actor("social.worker")
    services.conference_record_outcome(
        actor=worker,
        meeting=initial_conference,
        held_at=timezone.now() - dt.timedelta(minutes=30),
        attendance=[
            services.AttendanceInput(organisation_id=i.organisation_id, participation="attended")
            for i in initial_conference.invitations.all()
        ],
        plan=True,
        categories=["neglect"],
    )
    url = f"/api/v1/meetings/{initial_conference.pk}/core-groups"
    codes = [invitation.organisation.code for invitation in initial_conference.invitations.all()]
    held = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    wrong = _post(
        _client(cast, "council"),
        url,
        {"held_at": held, "attendance": [{"organisation": "NOPE", "participation": "attended"}]},
    )
    assert _errors(wrong) == {"attendance": "NOPE not invited to this meeting"}
    police = _post(_client(cast, "police"), url, {"held_at": held, "attendance": []})
    assert police.status_code == 403
    done = _post(
        _client(cast, "council"),
        url,
        {
            "held_at": held,
            "attendance": [{"organisation": code, "participation": "attended"} for code in codes],
        },
    )
    assert done.status_code == 201, done.content
    assert done.json()["kind"] == "core-group" and done.json()["status"] == "held"


def test_the_police_record_the_evidential_interview_through_the_api(cast, actor, strategy_discussion):
    from openmash.meetings import services

    url = f"/api/v1/meetings/{strategy_discussion.pk}/evidential-interview"
    assert _post(_client(cast, "police"), url, {"not_held_reason": "x"}).status_code == 404  # none asked for
    services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=timezone.now() - dt.timedelta(hours=1),
        attendance=[
            services.AttendanceInput(organisation_id=i.organisation_id, participation="attended")
            for i in strategy_discussion.invitations.all()
        ],
        s47_decision=True,
        decision_reasons="Disclosure at school",
        s47_started_on=timezone.localdate(),
        evidential_interview_requested=True,
        evidential_interview_target=timezone.localdate() + dt.timedelta(days=7),
    )
    police = _client(cast, "police")
    assert _errors(_post(police, url, {})) == {
        "held_at": "Enter when the interview happened, or why it did not"
    }
    assert _post(_client(cast, "unrelated-council"), url, {"not_held_reason": "x"}).status_code == 404
    done = _post(police, url, {"held_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat()})
    assert done.status_code == 200, done.content
    assert done.json()["held_at"] is not None
