"""The OpenAPI document is true: schemathesis sends generated requests, valid and invalid, to every operation
through the WSGI app, as a demo organisation's API client, and checks each answer against the document (no
5xx; every status, content type, header and body declared)."""

import json

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.api.api import api
from openmash.wsgi import application

# Loaded from the API object, not over HTTP: collection must not touch the database.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"))))
schema.app = application
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# A server-sent event stream never ends; tests/sharing and the browser tests exercise it.
schema = schema.exclude(path="/api/v1/inbox/stream")

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(cast):
    """A Stockton-on-Tees API client's token; the app keeps the test's database connection between requests
    (as Django's test client does), since closing it would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    organisation = cast.organisations["council"]
    token = api_client_create(actor=system_actor(organisation), organisation=organisation, name="Fuzz").token
    yield {"Authorization": f"Bearer {token}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _outside_the_document(case) -> bool:
    """schemathesis does not hold an exploded query object (GET /people's criteria) to its schema: a request
    it sends as valid that the document says is not is not held to being accepted."""
    return any(
        not jsonschema_rs.validator_for(parameter["schema"]).is_valid(dict(case.query or {}))
        for parameter in case.operation.definition.raw.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("explode") and "schema" in parameter
    )


@schema.parametrize()
@settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
def test_every_answer_is_in_the_document(case, bearer):
    # A write's schema-valid input can still be refused for what it means (a person who does not exist, a
    # council of another name): writes are held to the document, reads also to accepting all valid input.
    # Invalid input is not held to being refused: unknown query parameters are ignored, as HTTP APIs do, and
    # every case carries the token.
    checks = list(CONFORMANCE)
    if case.method == "GET" and not _outside_the_document(case):
        checks.append(positive_data_acceptance)
    case.call_and_validate(headers=bearer, checks=checks)


def test_every_operation_declares_its_problems():
    document = api.get_openapi_schema(path_prefix="/api/v1")
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "503" in responses, (method, path)
            assert ("401" in responses) == bool(operation.get("security")), (method, path)
            assert "404" in responses or "{" not in path, (method, path)
            assert "422" in responses or not (operation.get("parameters") or "requestBody" in operation)
            for code, response in responses.items():
                if int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
    assert "WWW-Authenticate" in document["paths"]["/api/v1/people"]["get"]["responses"]["401"]["headers"]
    # A search's criteria are one query object needing at least one, not three optional parameters.
    (criteria,) = document["paths"]["/api/v1/people"]["get"]["parameters"]
    assert criteria["explode"] and len(criteria["schema"]["anyOf"]) == 3


def test_recording_endpoints_document_the_idempotency_key_and_each_status_once(client):
    document = client.get("/api/v1/openapi.json").json()
    recording = {
        path
        for path, item in document["paths"].items()
        for operation in item.values()
        if any(parameter["name"] == "Idempotency-Key" for parameter in operation.get("parameters", []))
    }
    assert recording == {
        "/api/v1/incidents/domestic-abuse",
        "/api/v1/missing-reports",
        "/api/v1/missing-reports/{event_id}/found",
        "/api/v1/police-protection",
        "/api/v1/referrals",
        # Every POST about a meeting (api.meetings._idempotent).
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}/reschedule",
        "/api/v1/meetings/{meeting_id}/cancel",
        "/api/v1/meetings/{meeting_id}/invitations",
        "/api/v1/meetings/{meeting_id}/outcome",
        "/api/v1/meetings/{meeting_id}/core-groups",
        "/api/v1/meetings/{meeting_id}/evidential-interview",
        "/api/v1/meetings/{meeting_id}/reports",
        # Joint casework's writes (api/casework.py): every POST there takes it too.
        "/api/v1/joint-visits",
        "/api/v1/joint-visits/{visit_id}/officer",
        "/api/v1/joint-visits/{visit_id}/decline",
        "/api/v1/joint-visits/{visit_id}/visit-done",
        "/api/v1/police-protection/{event_id}/end",
        "/api/v1/investigation-closures",
        "/api/v1/investigation-closures/{closure_id}/answer",
        "/api/v1/disagreements/{disagreement_id}/stages",
        # Writes that are not events take the same key (api.idempotency).
        "/api/v1/vetting-requests",
        "/api/v1/vetting-requests/{request_id}/stages",
        # Correcting a person's details records a "details corrected" event (api/corrections.py).
        "/api/v1/people/{person_id}/corrections",
    }

    def no_duplicates(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), f"declared twice: {keys}"
        return dict(pairs)

    # A status declared twice (as a number and as text) is a duplicate key in the JSON itself.
    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
