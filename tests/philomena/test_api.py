"""GET and PUT /api/v1/people/{id}/philomena: the same keepers, release and audit as the pages."""

import base64

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.audit.models import AuditEntry
from openmash.philomena.models import PhilomenaProfile

from .conftest import jpeg_bytes


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
    "description": "Slim, long red hair",
    "associates": ["Kyle, friend from school"],
    "places": ["Thornaby skate park"],
    "phone_numbers": ["07700 900123"],
    "health_needs": "Asthma",
    "medication": "Inhaler",
}


def put(person_id, body, headers):
    return Client().put(
        f"/api/v1/people/{person_id}/philomena", body, content_type="application/json", headers=headers
    )


def get(person_id, headers, tail=""):
    return Client().get(f"/api/v1/people/{person_id}/philomena{tail}", headers=headers)


def test_the_council_keeps_it_and_the_force_reads_it_once_released(tokens, leo, report_missing):
    photo = base64.b64encode(jpeg_bytes()).decode()
    response = put(leo.pk, BODY | {"photo_base64": photo, "photo_taken_on": "2026-10-01"}, tokens["council"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exists"] and body["has_photo"] and body["places"] == ["Thornaby skate park"]
    assert body["released_to"] == [] and body["previous_episodes"] == []
    assert get(leo.pk, tokens["police"]).status_code == 404
    report_missing()
    response = get(leo.pk, tokens["police"])
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Slim, long red hair"
    assert [release["organisation"] for release in body["released_to"]] == ["E23000013"]
    assert [episode["location"] for episode in body["previous_episodes"]] == ["Oak House, 4 Mill Lane"]
    image = get(leo.pk, tokens["police"], "/photo")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert (
        AuditEntry.objects.filter(
            object_type="philomena-profile", organisation_code="E23000013", action="view"
        ).count()
        == 2
    )
    # The force reads; it does not change.
    assert put(leo.pk, BODY, tokens["police"]).status_code == 404


def test_a_file_that_is_not_an_image_is_a_problem(tokens, leo):
    fake = base64.b64encode(b"<html>not a photo</html>").decode()
    response = put(leo.pk, BODY | {"photo_base64": fake}, tokens["council"])
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "photo_base64", "detail": "The photo must be a JPG or PNG"}
    ]
    assert not PhilomenaProfile.objects.exists()
    response = put(leo.pk, BODY | {"photo_base64": "***"}, tokens["council"])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "photo_base64"


@pytest.mark.parametrize("key", ["school", "unrelated-council", "police"])
def test_not_yours_is_404(tokens, leo, key, cast):
    put(leo.pk, BODY, tokens["council"])
    assert get(leo.pk, tokens[key]).status_code == 404
    assert put(leo.pk, BODY, tokens[key]).status_code == 404
    assert get(leo.pk, tokens[key], "/photo").status_code == 404


def test_a_child_who_is_not_looked_after_has_no_profile(tokens, cast):
    amelia = cast.people["Amelia Hart"]
    assert get(amelia.pk, tokens["council"]).status_code == 404
    assert put(amelia.pk, BODY, tokens["council"]).status_code == 404
