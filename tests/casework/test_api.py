"""The casework API: joint visits, police protection's follow-through, investigation closures and
disagreements, through the same services as the web. An organisation not involved gets 404; bad input a 422
naming its field; a step the organisation may not take a 403; every POST takes an Idempotency-Key."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.audit.models import AuditAction, AuditEntry
from openmash.casework import services
from openmash.casework.models import Disagreement, InvestigationClosure, JointVisit
from openmash.events.models import Event

ZERO = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def tokens(cast):
    def token(key):
        organisation = cast.organisations[key]
        client = api_client_create(actor=system_actor(organisation), organisation=organisation, name=key)
        return {"Authorization": f"Bearer {client.token}"}

    return {key: token(key) for key in ("police", "council", "unrelated-council")}


def get(path, headers):
    return Client().get(f"/api/v1{path}", headers=headers)


def post(path, body, headers, **extra):
    return Client().post(
        f"/api/v1{path}", body, content_type="application/json", headers={**headers, **extra}
    )


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"]: error["detail"] for error in response.json()["errors"]}


def _visit_body(amelia, **changes):
    return {
        "person_id": str(amelia.pk),
        "planned_for": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "police_needed_because": ["risk", "removal"],
        "purpose": "Check on Amelia after threats made to staff",
        **changes,
    }


# Joint visits ----------------------------------------------------------------------------------------------


def test_a_council_asks_for_a_joint_visit_and_the_force_names_the_officer(tokens, amelia, cast):
    created = post("/joint-visits", _visit_body(amelia), tokens["council"])
    assert created.status_code == 201, created.content
    visit = created.json()
    assert visit["status"] == "requested" and visit["police_force"] == cast.organisations["police"].code
    answer = visit["police_answer"]
    assert answer["due_at"] and answer["answered_at"] is None and answer["overdue"] is False
    assert [v["id"] for v in get("/joint-visits", tokens["police"]).json()] == [visit["id"]]
    named = post(
        f"/joint-visits/{visit['id']}/officer",
        {"officer_name": "PC 1234 Dale", "officer_attends_at": visit["planned_for"]},
        tokens["police"],
    )
    assert named.status_code == 200, named.content
    assert named.json()["status"] == "confirmed" and named.json()["police_answer"]["answered_at"]
    # Opening one is audited, as on the web.
    get(f"/joint-visits/{visit['id']}", tokens["council"])
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="joint-visit", object_id=visit["id"]
    ).exists()


def test_the_force_declines_and_the_council_records_a_lone_visit(tokens, request_visit):
    visit = request_visit()
    assert _fields(post(f"/joint-visits/{visit.pk}/decline", {"reason": ""}, tokens["police"])) == {
        "reason": "String should have at least 1 character"
    }
    declined = post(f"/joint-visits/{visit.pk}/decline", {"reason": "No officer free"}, tokens["police"])
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = post(f"/joint-visits/{visit.pk}/decline", {"reason": "Still none"}, tokens["police"])
    assert _fields(again) == {"": "This request has already been answered"}
    done = post(
        f"/joint-visits/{visit.pk}/visit-done",
        {
            "visited_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "officer_present": False,
            "outcome": "Went alone",
        },
        tokens["council"],
    )
    assert done.status_code == 200, done.content
    assert done.json()["lone_visit"] is True


def test_bad_joint_visit_requests_are_refused_naming_the_field_and_write_nothing(tokens, amelia):
    before = (JointVisit.objects.count(), Event.objects.count())
    assert "police_needed_because" in _fields(
        post("/joint-visits", _visit_body(amelia, police_needed_because=[]), tokens["council"])
    )
    assert "police_needed_because.0" in _fields(
        post("/joint-visits", _visit_body(amelia, police_needed_because=["bored"]), tokens["council"])
    )
    assert _fields(post("/joint-visits", _visit_body(amelia, person_id=ZERO), tokens["council"])) == {
        "person_id": "No such person, or your organisation may not see them"
    }
    assert "planned_for" in _fields(
        post("/joint-visits", _visit_body(amelia, planned_for=5), tokens["council"])
    )
    assert (JointVisit.objects.count(), Event.objects.count()) == before


def test_a_force_cannot_ask_itself_for_a_joint_visit(tokens, amelia):
    refused = post("/joint-visits", _visit_body(amelia), tokens["police"])
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"


def test_another_council_finds_no_joint_visit_to_read_or_answer(tokens, request_visit):
    visit = request_visit()
    attacker = tokens["unrelated-council"]
    assert get("/joint-visits", attacker).json() == []
    for response in (
        get(f"/joint-visits/{visit.pk}", attacker),
        post(f"/joint-visits/{visit.pk}/decline", {"reason": "x"}, attacker),
        post(
            f"/joint-visits/{visit.pk}/officer",
            {"officer_name": "PC X", "officer_attends_at": "2026-12-10T10:00:00"},
            attacker,
        ),
        get(f"/joint-visits/{ZERO}", attacker),
    ):
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    # Asking for a visit to a child it may not see is refused with the same words as a child who does not exist.
    assert _fields(post("/joint-visits", _visit_body(visit.person), attacker)) == {
        "person_id": "No such person, or your organisation may not see them"
    }
    visit.refresh_from_db()
    assert visit.status == "requested"


def test_a_retried_request_with_the_same_key_asks_once(tokens, amelia):
    body = _visit_body(amelia)
    first = post("/joint-visits", body, tokens["council"], **{"Idempotency-Key": "visit-1"})
    again = post("/joint-visits", body, tokens["council"], **{"Idempotency-Key": "visit-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert JointVisit.objects.count() == 1
    other = post(
        "/joint-visits", {**body, "purpose": "Else"}, tokens["council"], **{"Idempotency-Key": "visit-1"}
    )
    assert other.status_code == 422


# Police protection -----------------------------------------------------------------------------------------


def test_the_end_of_police_protection_is_recorded_and_read_back(tokens, record_protection):
    event = record_protection(taken_at=timezone.now() - dt.timedelta(hours=80))
    listed = get("/police-protection", tokens["council"]).json()
    assert [item["event_id"] for item in listed] == [str(event.pk)]
    late = {"ended_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(), "how": "returned-home"}
    assert "delay_reason" in _fields(post(f"/police-protection/{event.pk}/end", late, tokens["police"]))
    assert "how" in _fields(
        post(f"/police-protection/{event.pk}/end", {**late, "how": "x"}, tokens["police"])
    )
    ended = post(
        f"/police-protection/{event.pk}/end", {**late, "delay_reason": "No placement"}, tokens["police"]
    )
    assert ended.status_code == 200, ended.content
    body = ended.json()
    assert body["how"] == "returned-home" and body["over_72_hours"] is True
    assert get(f"/police-protection/{event.pk}", tokens["council"]).json()["ended_at"] == body["ended_at"]


def test_another_council_finds_no_police_protection(tokens, record_protection):
    event = record_protection()
    attacker = tokens["unrelated-council"]
    assert get("/police-protection", attacker).json() == []
    assert get(f"/police-protection/{event.pk}", attacker).status_code == 404
    ended = {"ended_at": timezone.now().isoformat(), "how": "released"}
    assert post(f"/police-protection/{event.pk}/end", ended, attacker).status_code == 404


# Investigation closures and disagreements ------------------------------------------------------------------


def _closure_body(amelia, **changes):
    return {
        "person_id": str(amelia.pk),
        "police_reference": "CLE-26-7001",
        "reasons": "No further evidence",
        "under_s47_enquiry": False,
        "injuries_recorded": True,
        **changes,
    }


def test_a_force_proposes_a_closure_and_the_council_disputes_it(tokens, amelia, on_plan, cast):
    created = post("/investigation-closures", _closure_body(amelia), tokens["police"])
    assert created.status_code == 201, created.content
    closure = created.json()
    assert closure["status"] == "proposed" and closure["needs_agreement"] is True
    assert closure["council_answer"]["due_at"] and closure["council"] == cast.organisations["council"].code
    assert (
        post(
            f"/investigation-closures/{closure['id']}/answer",
            {"response": "agree", "reasons": "x"},
            tokens["police"],
        ).status_code
        == 403
    )
    assert "response" in _fields(
        post(
            f"/investigation-closures/{closure['id']}/answer",
            {"response": "maybe", "reasons": "x"},
            tokens["council"],
        )
    )
    disputed = post(
        f"/investigation-closures/{closure['id']}/answer",
        {"response": "dispute", "reasons": "Injuries unexplained"},
        tokens["council"],
    )
    assert disputed.status_code == 200, disputed.content
    assert disputed.json()["status"] == "disputed" and disputed.json()["council_answer"]["answered_at"]
    disagreement_id = disputed.json()["disagreement_id"]
    listed = get("/disagreements", tokens["police"]).json()
    assert [item["id"] for item in listed] == [disagreement_id]
    stage = listed[0]["stages"][0]
    assert stage["level"] == 1 and stage["answer"]["due_at"] and stage["answer"]["answered_at"] is None


def test_bad_closures_are_refused_naming_the_field(tokens, amelia, on_plan):
    before = InvestigationClosure.objects.count()
    assert "reasons" in _fields(
        post("/investigation-closures", _closure_body(amelia, reasons=""), tokens["police"])
    )
    assert _fields(
        post("/investigation-closures", _closure_body(amelia, person_id=ZERO), tokens["police"])
    ) == {"person_id": "No such person, or your organisation may not see them"}
    assert post("/investigation-closures", _closure_body(amelia), tokens["council"]).status_code == 403
    assert InvestigationClosure.objects.count() == before


def test_another_council_finds_no_closure_or_disagreement(tokens, propose_closure, on_plan, actors):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = Disagreement.objects.get(closure=closure)
    attacker = tokens["unrelated-council"]
    assert get("/investigation-closures", attacker).json() == []
    assert get("/disagreements", attacker).json() == []
    for response in (
        get(f"/investigation-closures/{closure.pk}", attacker),
        post(f"/investigation-closures/{closure.pk}/answer", {"response": "agree", "reasons": "x"}, attacker),
        get(f"/disagreements/{disagreement.pk}", attacker),
        post(f"/disagreements/{disagreement.pk}/stages", {"outcome": "resolved", "notes": "x"}, attacker),
        get(f"/disagreements/{ZERO}", attacker),
    ):
        assert response.status_code == 404


def test_stage_1_is_recorded_by_an_api_client_but_stage_2_is_for_managers(
    tokens, propose_closure, on_plan, actors
):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = Disagreement.objects.get(closure=closure)
    url = f"/disagreements/{disagreement.pk}/stages"
    assert set(_fields(post(url, {"outcome": "sideways", "notes": ""}, tokens["police"]))) == {
        "outcome",
        "notes",
    }
    assert _fields(post(url, {"outcome": "resolved", "notes": "Agreed"}, tokens["police"])) == {
        "resolution": "Choose whether the investigation continues or the closure goes ahead"
    }
    escalated = post(url, {"outcome": "escalated", "notes": "No agreement"}, tokens["police"])
    assert escalated.status_code == 200, escalated.content
    body = escalated.json()
    assert body["stage"] == 2 and body["stages"][0]["answer"]["answered_at"]
    refused = post(url, {"outcome": "escalated", "notes": "Still none"}, tokens["police"])
    assert refused.status_code == 403 and "managers" in refused.json()["detail"]
    assert Disagreement.objects.get(pk=disagreement.pk).stage == 2
