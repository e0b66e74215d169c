"""What browsers and caches are told: nothing with a child's details is stored, static files stay cacheable,
and HSTS is sent on secure requests where it is configured."""

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create


def _not_stored(response) -> None:
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_a_person_page_is_not_stored(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    _not_stored(signed_in("social.worker").get(reverse("people:record", args=[amelia.pk])))


def test_a_chronology_csv_is_not_stored(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    response = signed_in("social.worker").get(reverse("chronology:csv", args=[amelia.pk]))
    _not_stored(response)
    assert response["Content-Type"].startswith("text/csv")


def test_the_people_api_is_not_stored(cast):
    council = cast.organisations["council"]
    created = api_client_create(actor=system_actor(council), organisation=council, name="Headers check")
    response = Client().get(
        "/api/v1/people", {"name": "Hart"}, headers={"Authorization": f"Bearer {created.token}"}
    )
    _not_stored(response)


def test_static_files_keep_their_caching(db):
    response = Client().get("/static/openmash/openmash.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(("behind_tls_proxy", "sent"), [(True, True), (False, False)])
def test_hsts_is_sent_on_requests_the_tls_proxy_says_are_secure(db, settings, behind_tls_proxy, sent):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_tls_proxy else None
    response = Client().get(reverse("accounts:sign-in"), headers={"X-Forwarded-Proto": "https"})
    assert response.get("Strict-Transport-Security") == ("max-age=31536000" if sent else None)
