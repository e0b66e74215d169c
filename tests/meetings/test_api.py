"""POST /api/v1/meetings/{id}/reports: an invited agency's system sends its report."""

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.meetings.models import AgencyReport

pytestmark = pytest.mark.django_db


def _client(cast, key: str) -> Client:
    organisation = cast.organisations[key]
    created = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name=f"{key} records system"
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
