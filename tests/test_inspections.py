"""Inspectors see aggregate figures for the council inspected, and open only the sampled cases."""

import pytest
from django.urls import reverse

from openmash.access.models import Inspection


@pytest.fixture
def inspection(cast):
    return Inspection.objects.get(inspectorate=cast.organisations["inspectorate"])


def test_inspector_sees_aggregates_without_names_except_the_sample(signed_in, inspection):
    response = signed_in("inspector").get(reverse("insight:inspection", args=[inspection.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    # Demo: Amelia, Noah, Leo and Ellis live in Stockton; Amelia is a child in need, Leo looked after.
    assert summary.children_living_in_area == 4
    assert summary.open_statuses["Child in need"] == 1
    assert summary.open_statuses["Looked after"] == 1
    assert summary.open_statuses["Child protection plan"] == 0
    # A child in need and a looked-after child are both known to children's social care: counted once each.
    assert summary.open_statuses["Known to children's social care"] == 2
    assert "Leo Marsh" in response.text
    for hidden in ["Amelia", "Noah", "Ellis"]:
        assert hidden not in response.text


@pytest.mark.parametrize(
    "persona", ["social.worker", "police.officer", "council.admin", "bury.social.worker"]
)
def test_only_the_inspectorate_sees_its_inspection(signed_in, inspection, persona):
    assert signed_in(persona).get(reverse("insight:inspection", args=[inspection.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, inspection):
    assert client.get(reverse("insight:inspection", args=[inspection.pk])).status_code == 302
