"""POST /api/v1/vetting-requests and its stages, with Idempotency-Key; list and get; 404 for not-yours."""

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.vetting.models import VettingRequest


@pytest.fixture
def tokens(cast):
    def token(key):
        organisation = cast.organisations[key]
        client = api_client_create(
            actor=system_actor(organisation), organisation=organisation, name=f"{key} system"
        )
        return {"Authorization": f"Bearer {client.token}"}

    return {key: token(key) for key in ("council", "police", "school", "unrelated-council")}


BODY = {
    "given_name": "Jordan",
    "family_name": "Blake",
    "date_of_birth": "1984-06-01",
    "role": "adopter",
    "placements_blocked": "Baby R, placement order granted",
    "submitted_at": "2026-11-02T10:00:00",
}


def post(path, body, headers, **extra):
    return Client().post(
        f"/api/v1{path}", body, content_type="application/json", headers={**headers, **extra}
    )


def test_a_council_asks_and_a_retry_with_the_same_key_asks_once(tokens):
    first = post("/vetting-requests", BODY, tokens["council"], **{"Idempotency-Key": "req-1"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["force"] == "E23000013" and body["stage"] == "submitted"
    assert body["due_at"] == "2026-11-16T23:59:59Z"  # the end of the 14th day, in UTC (GMT in November)
    again = post("/vetting-requests", BODY, tokens["council"], **{"Idempotency-Key": "req-1"})
    assert again.status_code == 201 and again.json() == body
    assert VettingRequest.objects.count() == 1
    other = post(
        "/vetting-requests", BODY | {"given_name": "Sam"}, tokens["council"], **{"Idempotency-Key": "req-1"}
    )
    assert other.status_code == 422


def test_bad_input_is_a_problem_naming_each_field(tokens):
    response = post("/vetting-requests", BODY | {"role": "lodger", "force": "Bury"}, tokens["council"])
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "role" in {error["field"] for error in response.json()["errors"]}
    response = post("/vetting-requests", BODY | {"force": "Bury"}, tokens["council"])
    assert response.json()["errors"] == [{"field": "force", "detail": "Bury is not a police force"}]
    assert not VettingRequest.objects.exists()


def test_only_a_council_asks(tokens):
    assert post("/vetting-requests", BODY, tokens["police"]).status_code == 403
    assert post("/vetting-requests", BODY, tokens["school"]).status_code == 403


def test_the_force_moves_it_on_and_each_side_reads_it(tokens):
    created = post("/vetting-requests", BODY | {"submitted_at": None}, tokens["council"]).json()
    path = f"/vetting-requests/{created['id']}/stages"
    started = post(path, {"stage": "local-check-started"}, tokens["police"], **{"Idempotency-Key": "s-1"})
    assert started.status_code == 200, started.content
    assert started.json()["stage"] == "local-check-started"
    assert (
        post(path, {"stage": "local-check-started"}, tokens["police"], **{"Idempotency-Key": "s-1"}).json()
        == started.json()
    )
    assert post(path, {"stage": "local-check-completed"}, tokens["police"]).status_code == 200
    issued = post(path, {"stage": "certificate-issued", "outcome": "clear"}, tokens["police"])
    assert issued.json()["outcome"] == "clear" and issued.json()["stage"] == "certificate-issued"
    assert post(path, {"stage": "withdrawn"}, tokens["police"]).status_code == 403
    queue = Client().get("/api/v1/vetting-requests?open=false", headers=tokens["police"]).json()
    assert [item["id"] for item in queue] == [created["id"]]
    assert Client().get("/api/v1/vetting-requests", headers=tokens["police"]).json() == []  # closed
    assert (
        Client().get(f"/api/v1/vetting-requests/{created['id']}", headers=tokens["council"]).status_code
        == 200
    )


@pytest.mark.parametrize("key", ["school", "unrelated-council"])
def test_not_yours_is_404(tokens, key):
    created = post("/vetting-requests", BODY, tokens["council"]).json()
    assert Client().get(f"/api/v1/vetting-requests/{created['id']}", headers=tokens[key]).status_code == 404
    assert (
        post(f"/vetting-requests/{created['id']}/stages", {"stage": "withdrawn"}, tokens[key]).status_code
        == 404
    )
    assert Client().get("/api/v1/vetting-requests", headers=tokens[key]).json() == []
