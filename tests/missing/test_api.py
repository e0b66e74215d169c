"""The missing episodes API: list with filters, read, risk, return interview; problems and 404 for not-yours."""

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create

from .conftest import ago


@pytest.fixture
def tokens(cast):
    def token(key):
        organisation = cast.organisations[key]
        made = api_client_create(actor=system_actor(organisation), organisation=organisation, name=key)
        return {"Authorization": f"Bearer {made.token}"}

    keys = ("police", "council", "school", "unrelated-council", "unrelated-force", "return-service")
    return {key: token(key) for key in keys}


def get(path, headers):
    return Client().get(f"/api/v1{path}", headers=headers)


def post(path, body, headers, **extra):
    return Client().post(
        f"/api/v1{path}", body, content_type="application/json", headers={**headers, **extra}
    )


@pytest.fixture
def episode(report_missing, report_found):
    return report_found(report_missing())


def test_the_council_lists_its_episodes_with_filters(episode, tokens, report_missing):
    still_missing = report_missing(hours_ago=1)
    listed = get("/missing-episodes?council=E06000004", tokens["council"])
    assert listed.status_code == 200
    assert {item["id"] for item in listed.json()} == {str(episode.pk), str(still_missing.pk)}
    open_only = get("/missing-episodes?open=true", tokens["council"]).json()
    assert [item["id"] for item in open_only] == [str(still_missing.pk)]
    assert open_only[0]["category"] == "M" and open_only[0]["looked_after"] is True
    assert (
        get(f"/missing-episodes?child={episode.child_id}&from=2000-01-01", tokens["council"]).status_code
        == 200
    )
    assert get("/missing-episodes?council=Nowhere", tokens["council"]).json() == []


@pytest.mark.parametrize("key", ["school", "unrelated-council", "unrelated-force"])
def test_others_see_none_of_it(episode, tokens, key):
    assert get("/missing-episodes", tokens[key]).json() == []
    assert get(f"/missing-episodes/{episode.pk}", tokens[key]).status_code == 404
    body = {"risk": "high", "reason": "x"}
    assert post(f"/missing-episodes/{episode.pk}/risk", body, tokens[key]).status_code == 404


def test_the_police_regrade_once_per_idempotency_key(episode, tokens):
    body = {"risk": "high", "reason": "Seen with an adult of concern"}
    first = post(f"/missing-episodes/{episode.pk}/risk", body, tokens["police"], **{"Idempotency-Key": "r1"})
    again = post(f"/missing-episodes/{episode.pk}/risk", body, tokens["police"], **{"Idempotency-Key": "r1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert [g["risk"] for g in first.json()["gradings"]] == ["medium", "high"]
    assert post(f"/missing-episodes/{episode.pk}/risk", body, tokens["council"]).status_code == 403
    bad = post(f"/missing-episodes/{episode.pk}/risk", {"risk": "severe"}, tokens["police"])
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_the_return_interview_service_offers_and_records(episode, tokens):
    path = f"/missing-episodes/{episode.pk}/return-interview"
    offered = post(
        path,
        {
            "offer": {
                "offered_at": ago(hours=1, minutes=30).isoformat(),
                "offered_to": "Leo",
                "response": "accepted",
            }
        },
        tokens["return-service"],
    )
    assert offered.status_code == 200, offered.content
    recorded = post(
        path,
        {
            "outcome": {
                "held_at": ago(hours=1).isoformat(),
                "held_where": "Library",
                "interviewer": "return.interviewer",
                "why_went": "Argument with staff",
                "exploitation": ["criminal"],
                "actions": {"Cleveland Police": "Visit the address given"},
            }
        },
        tokens["return-service"],
    )
    assert recorded.status_code == 200, recorded.content
    interview = recorded.json()["return_interview"]
    assert interview["independent"] is True and interview["exploitation"] == ["criminal"]
    again = post(
        path,
        {"offer": {"offered_at": ago(hours=1).isoformat(), "offered_to": "Leo"}},
        tokens["return-service"],
    )
    assert again.status_code == 422
    assert post(path, {"answer": "accepted"}, tokens["police"]).status_code == 403
