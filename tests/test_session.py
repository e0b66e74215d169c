"""The session's end: fixed at sign-in, told to the page for its timeout warning, extended by 'Stay signed in',
and requests from a page's script answer 401 once it has ended."""

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from openmash.accounts.models import User


def test_it_tells_the_page_how_long_the_session_has_left(signed_in, settings):
    client = signed_in("mash.practitioner")
    home = client.get("/")
    assert "data-expires-in=" in home.text
    assert f'data-warning="{settings.SESSION_WARNING_SECONDS}"' in home.text
    left = client.get(reverse("web:session"), headers={"Accept": "application/json"}).json()["expires_in"]
    assert 0 < left <= settings.SESSION_COOKIE_AGE


def test_asking_does_not_extend_the_session_and_stay_signed_in_does(signed_in, settings):
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client = signed_in("mash.practitioner")
        client.get("/")
        traveller.shift(dt.timedelta(hours=2))
        left = client.get(reverse("web:session")).json()["expires_in"]
        assert left == settings.SESSION_COOKIE_AGE - 2 * 3600
        extended = client.post(reverse("web:session-extend")).json()["expires_in"]
        assert extended == settings.SESSION_COOKIE_AGE
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(seconds=120))
        assert client.get("/").status_code == 302


def test_it_requires_a_signed_in_session(db):
    client = Client()
    assert client.get(reverse("web:session"), headers={"Accept": "application/json"}).status_code == 401
    assert (
        client.post(reverse("web:session-extend"), headers={"Accept": "application/json"}).status_code == 401
    )


def test_a_page_script_asking_after_sign_out_gets_401_not_the_sign_in_page(signed_in):
    client = signed_in("mash.practitioner")
    client.post(reverse("accounts:sign-out"))
    partial = client.get(reverse("sharing:inbox"), headers={"HX-Request": "true"})
    assert partial.status_code == 401 and "<h1" not in partial.text
    stream = client.get(reverse("sharing:inbox-stream"), headers={"Accept": "text/event-stream"})
    assert stream.status_code == 401
    page = client.get(reverse("sharing:inbox"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:sign-in"))


def test_stay_signed_in_is_a_post(signed_in):
    assert signed_in("mash.practitioner").get(reverse("web:session-extend")).status_code == 405


def test_a_closed_account_is_not_extended(cast, signed_in):
    client = signed_in("mash.practitioner")
    User.objects.filter(username="mash.practitioner").update(is_active=False)
    assert (
        client.post(reverse("web:session-extend"), headers={"Accept": "application/json"}).status_code == 401
    )
