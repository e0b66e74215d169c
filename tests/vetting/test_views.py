"""Vetting pages: the council asks for checks, the force's vetting officer moves them on from its queue, both
see the backlog; everyone else gets a 404."""

import pytest
from django.urls import reverse

from openmash.vetting.models import VettingRequest


def _request_form(**changes):
    return {
        "given_name": "Jordan",
        "family_name": "Blake",
        "date_of_birth_0": "1",
        "date_of_birth_1": "6",
        "date_of_birth_2": "1984",
        "role": "foster-carer",
        "reference": "FOST-2026-11",
        "household": "Blake household",
        "placements_blocked": "Two brothers matched with the Blake household",
    } | changes


def test_the_council_asks_and_the_force_moves_it_on(signed_in, cast):
    council = signed_in("social.worker")
    form = council.get(reverse("vetting:new"))
    assert form.status_code == 200
    police = cast.organisations["police"]
    response = council.post(reverse("vetting:new"), _request_form(force=str(police.pk)))
    assert response.status_code == 302, response.content.decode()[:3000]
    request = VettingRequest.objects.get()
    officer = signed_in("vetting.officer")
    queue = officer.get(reverse("vetting:list")).content.decode()
    assert "Jordan Blake" in queue and "Stockton-on-Tees" in queue
    detail = reverse("vetting:detail", args=[request.pk])
    response = officer.post(detail, {"action": "stage", "stage": "local-check-started"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.local_check_started_at is not None
    page = officer.get(detail).content.decode()
    assert "Police local checks started" in page
    backlog = officer.get(reverse("vetting:backlog")).content.decode()
    assert "Two brothers matched with the Blake household" in backlog


def test_errors_are_summarised(signed_in):
    response = signed_in("social.worker").post(reverse("vetting:new"), _request_form(given_name="", role=""))
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "Enter the person&#x27;s first name" in html or "Enter the person's first name" in html
    assert 'href="#id_role_1"' in html
    assert not VettingRequest.objects.exists()


def test_a_stage_out_of_order_is_refused_with_an_error_summary(signed_in, submit):
    request = submit()
    response = signed_in("vetting.officer").post(
        reverse("vetting:detail", args=[request.pk]),
        {"action": "stage", "stage": "certificate-issued", "outcome": "clear"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Record that the police local checks were completed first" in html


def test_the_council_withdraws(signed_in, submit):
    request = submit()
    response = signed_in("social.worker").post(
        reverse("vetting:detail", args=[request.pk]), {"action": "withdraw"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.outcome == "withdrawn"


@pytest.mark.parametrize(
    "username", ["police.officer", "school.dsl", "inspector", "council.admin", "partnership.lead"]
)
def test_nobody_else_sees_vetting(signed_in, submit, username):
    request = submit()
    client = signed_in(username)
    for address in (
        reverse("vetting:list"),
        reverse("vetting:backlog"),
        reverse("vetting:new"),
        reverse("vetting:detail", args=[request.pk]),
    ):
        assert client.get(address).status_code == 404, address


def test_another_council_and_another_force_do_not_see_the_request(
    signed_in, submit, other_force_vetting_officer
):
    from django.test import Client

    request = submit()
    bury = signed_in("bury.social.worker")
    assert bury.get(reverse("vetting:detail", args=[request.pk])).status_code == 404
    assert "Jordan" not in bury.get(reverse("vetting:list")).content.decode()
    durham = Client()
    durham.force_login(other_force_vetting_officer.user)
    assert durham.get(reverse("vetting:detail", args=[request.pk])).status_code == 404
    assert "Jordan" not in durham.get(reverse("vetting:list")).content.decode()
    assert "Jordan" not in durham.get(reverse("vetting:backlog")).content.decode()


def test_the_forces_deadlines_lead_to_the_request_and_not_to_a_done_form(signed_in, submit):
    from openmash.vetting.services import vetting_clock

    request = submit()
    page = signed_in("vetting.officer").get(reverse("clocks:clock", args=[vetting_clock(request).pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("vetting:detail", args=[request.pk]) in html
    assert "Record that this was done" not in html  # only the certificate or a withdrawal stops it
