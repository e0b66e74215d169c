"""The sharing API: record, retry safely, read the inbox, acknowledge; problems for bad input."""

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event
from openmash.sharing import delivery
from openmash.sharing.models import Share

# Recorded weeks after the event: later than the sender had to tell the recipients, so each request says why.
LATE = {"late_reason": "Recorded from the night shift's notes the next day"}

INCIDENT = {
    "police_reference": "CLE-26-3001",
    "occurred_at": "2026-11-20T21:30:00",
    "reported_at": "2026-11-20T21:40:00+00:00",
    "risk_level": "high",
    "postcode": "TS18 1AA",
    "summary": "Neighbours heard shouting",
    "children": [
        {
            "given_name": "Zara",
            "family_name": "Quinn",
            "date_of_birth": "2015-04-02",
            "present": True,
            "school_urn": "900001",
            "child_words": "Mum was crying",
        },
        {"given_name": "Max", "family_name": "Quinn", "date_of_birth": "2023-01-09", "present": False},
    ],
    "adults": [{"given_name": "Dean", "family_name": "Quinn"}],
    **LATE,
}


@pytest.fixture
def tokens(cast):
    def token(key):
        organisation = cast.organisations[key]
        return {
            "Authorization": f"Bearer {api_client_create(actor=system_actor(organisation), organisation=organisation, name=key).token}"
        }

    return {key: token(key) for key in ("police", "council", "school", "unrelated-council")}


def post(path, body, headers, **extra):
    return Client().post(
        f"/api/v1{path}", body, content_type="application/json", headers={**headers, **extra}
    )


def test_incident_is_created_and_shared(cast, tokens):
    response = post("/incidents/domestic-abuse", INCIDENT, tokens["police"])
    assert response.status_code == 201, response.content
    body = response.json()
    recipients = {share["recipient"]: share for share in body["shares"]}
    assert set(recipients) == {"E06000004", "URN-900001"}
    # Without an offset, occurred_at is London time; high risk: police tell the council within one hour of
    # the report. The council's own deadline runs from arrival.
    council = recipients["E06000004"]
    assert council["notification"]["due"].startswith("2026-11-20T22:40:00")
    assert council["notification"]["late"] is True  # recorded weeks later
    assert council["decision_due"] == council["deadline"] is not None
    event = Event.objects.get(pk=body["event_id"])
    assert event.source == "api" and event.occurred_at.isoformat() == "2026-11-20T21:30:00+00:00"


def test_idempotency_key_returns_the_first_result(cast, tokens):
    first = post("/incidents/domestic-abuse", INCIDENT, tokens["police"], **{"Idempotency-Key": "abc-1"})
    again = post("/incidents/domestic-abuse", INCIDENT, tokens["police"], **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Event.objects.filter(reference="CLE-26-3001").count() == 1
    different = post(
        "/incidents/domestic-abuse",
        {**INCIDENT, "summary": "other"},
        tokens["police"],
        **{"Idempotency-Key": "abc-1"},
    )
    assert different.status_code == 422


def test_bad_input_names_every_field_and_writes_nothing(cast, tokens):
    before = Event.objects.count(), Share.objects.count()
    bad = {
        **INCIDENT,
        "risk_level": "severe",
        "occurred_at": "yesterday",
        "children": [{"given_name": "A", "date_of_birth": "2015-02-30"}],
    }
    response = post("/incidents/domestic-abuse", bad, tokens["police"])
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"risk_level", "occurred_at", "children.0.date_of_birth"} <= fields
    semantic = post(
        "/incidents/domestic-abuse",
        {**INCIDENT, "postcode": "ZZ99 9ZZ", "children": [{"given_name": "", "family_name": ""}]},
        tokens["police"],
    )
    assert semantic.status_code == 422
    fields = {error["field"] for error in semantic.json()["errors"]}
    assert {"postcode", "children.0.family_name", "children.0.date_of_birth"} <= fields
    assert (Event.objects.count(), Share.objects.count()) == before


def test_council_cannot_post_a_police_incident(cast, tokens):
    assert post("/incidents/domestic-abuse", INCIDENT, tokens["council"]).status_code == 403


def test_inbox_and_acknowledgement_close_the_loop(cast, tokens):
    body = post("/incidents/domestic-abuse", INCIDENT, tokens["police"]).json()
    while delivery.run_once("api-test"):
        pass
    inbox = Client().get("/api/v1/inbox", headers=tokens["council"]).json()
    assert inbox["counts"]["overdue"] + inbox["counts"]["on-time"] + inbox["counts"]["due-soon"] == 1
    [share] = inbox["shares"]
    assert {child["given_name"] for child in share["children"]} == {"Zara", "Max"}
    school = Client().get("/api/v1/inbox", headers=tokens["school"]).json()["shares"]
    assert [child["given_name"] for child in school[0]["children"]] == ["Zara"]
    assert "adults" not in school[0] and "risk_level" not in school[0]
    assert Client().get("/api/v1/inbox", headers=tokens["unrelated-council"]).json()["shares"] == []
    bad = post(f"/shares/{share['share_id']}/acknowledge", {"decision": "assessment"}, tokens["council"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reasons"
    done = post(
        f"/shares/{share['share_id']}/acknowledge",
        {"decision": "assessment", "reasons": "Known family"},
        tokens["council"],
    )
    assert done.status_code == 200 and done.json()["decision"] == "assessment"
    sender = Client().get(f"/api/v1/shares/{share['share_id']}", headers=tokens["police"]).json()
    assert sender["decision"] == "assessment" and sender["acknowledged_at"]
    assert (
        Client().get(f"/api/v1/shares/{share['share_id']}", headers=tokens["unrelated-council"]).status_code
        == 404
    )
    assert body["event_id"]


def test_missing_and_found(cast, tokens):
    leo = cast.people["Leo Marsh"]
    # The police cannot see Leo's record yet: they name him, and his NHS number matches him.
    hidden = post(
        "/missing-reports",
        {"child": {"person_id": str(leo.pk)}, "last_seen_at": "2026-11-20T18:00:00"},
        tokens["police"],
    )
    assert hidden.status_code == 422
    child = {
        "given_name": "Leo",
        "family_name": "Marsh",
        "date_of_birth": leo.date_of_birth.isoformat(),
        "nhs_number": leo.identifiers.get().value,
    }
    missing = post(
        "/missing-reports",
        {"child": child, "last_seen_at": "2026-11-20T18:00:00", "risk": "high", **LATE},
        tokens["police"],
    )
    assert missing.status_code == 201, missing.content
    # Linked to Leo's record, which the police may not see: they are told only that, not who holds it.
    assert missing.json()["shares"] == []
    assert missing.json()["linked_to_records_you_may_not_see"] == [
        {"given_name": "Leo", "family_name": "Marsh", "date_of_birth": leo.date_of_birth.isoformat()}
    ]
    [share] = Share.objects.filter(event_id=missing.json()["event_id"])
    assert share.recipient.code == "E06000004" and list(share.people.all()) == [leo]
    assert Client().get(f"/api/v1/shares/{share.pk}", headers=tokens["police"]).status_code == 404
    assert Client().get(f"/api/v1/people/{leo.pk}", headers=tokens["police"]).status_code == 404
    found = post(
        f"/missing-reports/{missing.json()['event_id']}/found",
        {"found_at": "2026-11-21T09:00:00", **LATE},
        tokens["police"],
    )
    assert found.status_code == 201
    assert (
        post(
            "/missing-reports/00000000-0000-0000-0000-000000000000/found",
            {"found_at": "2026-11-21T09:00:00"},
            tokens["police"],
        ).status_code
        == 404
    )


def test_police_protection_and_referral(cast, tokens):
    amelia = cast.people["Amelia Hart"]
    pp = {
        "children": [{"person_id": str(amelia.pk)}],
        "taken_at": "2026-11-20T18:00:00",
        "postcode": "TS17 6AA",
        "reasons": "Alone overnight",
        "designated_officer": "Insp. Oduya",
        "alternatives_discussed": True,
        **LATE,
    }
    response = post("/police-protection", pp, tokens["police"])
    assert (
        response.status_code == 422 and response.json()["errors"][0]["field"] == "alternatives_discussed_with"
    )
    response = post(
        "/police-protection", {**pp, "alternatives_discussed_with": "EDT manager"}, tokens["police"]
    )
    assert response.status_code == 201
    referral = post(
        "/referrals",
        {
            "council": "Stockton-on-Tees",
            "children": [{"person_id": str(amelia.pk)}],
            "concern_at": "2026-11-20T10:00:00",
            "summary": "Bruising",
        },
        tokens["school"],
    )
    assert referral.status_code == 201 and referral.json()["shares"][0]["recipient"] == "E06000004"
    unknown = post(
        "/referrals",
        {
            "council": "Atlantis",
            "children": [{"person_id": str(amelia.pk)}],
            "concern_at": "2026-11-20T10:00:00",
            "summary": "x",
        },
        tokens["school"],
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "council"
