"""POST /api/v1/people/{id}/corrections: the same correction as the web page, problem+json on bad input, 404
for a person the caller may not correct, once per Idempotency-Key."""

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.people.models import PersonCorrection
from openmash.sharing.models import Share


@pytest.fixture
def tokens(cast):
    def token(key):
        organisation = cast.organisations[key]
        client = api_client_create(
            actor=system_actor(organisation), organisation=organisation, name=f"{key}-sys"
        )
        return {"Authorization": f"Bearer {client.token}"}

    return {key: token(key) for key in ("police", "council", "unrelated-council")}


def post(path, body, headers, **extra):
    return Client().post(
        f"/api/v1{path}", body, content_type="application/json", headers={**headers, **extra}
    )


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"]: error["detail"] for error in response.json()["errors"]}


def test_the_force_corrects_a_date_of_birth_and_the_agencies_that_had_it_are_told(cast, story, tokens):
    response = post(
        f"/people/{story.child.pk}/corrections",
        {"date_of_birth": "2023-03-03", "why": "Custody record checked against the birth certificate"},
        tokens["police"],
        **{"Idempotency-Key": "fix-dob-1"},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["corrected"] == [
        {"detail": "date_of_birth", "label": "Date of birth", "was": "1 March 2023", "now": "3 March 2023"}
    ]
    # Stockton received the incident and the trust received Stockton's share; the police corrected it.
    assert body["told"] == ["Stockton-on-Tees", "Tees Community Health NHS Trust (demo)"]
    # A retry with the same key answers the same and corrects nothing twice.
    again = post(
        f"/people/{story.child.pk}/corrections",
        {"date_of_birth": "2023-03-03", "why": "Custody record checked against the birth certificate"},
        tokens["police"],
        **{"Idempotency-Key": "fix-dob-1"},
    )
    assert again.status_code == 201, again.content.decode()
    assert again.json() == body
    assert PersonCorrection.objects.filter(person=story.child).count() == 1
    assert Share.objects.filter(event_id=body["event_id"]).count() == 2


def test_bad_input_is_a_problem_naming_every_field(cast, story, tokens):
    fields = _fields(
        post(
            f"/people/{story.child.pk}/corrections",
            {
                "given_name": "",
                "nhs_number": "1234567890",
                "address": {"line_1": "1 Road", "postcode": "ZZ1 1ZZ"},
                "why": "",
            },
            tokens["council"],
            **{"Idempotency-Key": "bad-1"},
        )
    )
    assert set(fields) == {"given_name", "nhs_number", "address.postcode", "why"}
    assert not PersonCorrection.objects.exists()


def test_a_date_that_is_not_a_date_is_a_problem(cast, story, tokens):
    fields = _fields(
        post(
            f"/people/{story.child.pk}/corrections",
            {"date_of_birth": "31/02/2023", "why": "x"},
            tokens["council"],
            **{"Idempotency-Key": "bad-2"},
        )
    )
    assert "date_of_birth" in fields


def test_an_organisation_that_may_not_see_the_person_gets_404(cast, story, tokens):
    response = post(
        f"/people/{story.child.pk}/corrections",
        {"given_name": "Noa", "why": "Told by a neighbour"},
        tokens["unrelated-council"],
        **{"Idempotency-Key": "nosy-1"},
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert not PersonCorrection.objects.exists()
