"""Reading the inbox is audited, and a live stream ends soon after access is taken away (security issue, items
6 and 12)."""

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.models import ApiClient
from openmash.accounts.services import api_client_create, api_client_revoke, user_set_active
from openmash.audit.models import AuditEntry
from openmash.sharing import views
from tests.recorded import amelias_incident_delivered


def _incident(cast):
    return amelias_incident_delivered(cast, "CLE-26-7001")


def _token(organisation, name="mis"):
    return api_client_create(actor=system_actor(organisation), organisation=organisation, name=name).token


def test_the_api_inbox_read_is_audited_with_the_children_it_listed(cast):
    _incident(cast)
    council = cast.organisations["council"]
    headers = {"Authorization": f"Bearer {_token(council)}"}
    before = AuditEntry.objects.count()
    body = Client().get("/api/v1/inbox", headers=headers).json()
    assert body["shares"]
    [entry] = AuditEntry.objects.filter(sequence__gt=before, object_type="inbox")
    assert entry.organisation_code == council.code and entry.action == "view"
    assert str(cast.people["Amelia Hart"].pk) in entry.detail["people"]
    assert {share["share_id"] for share in body["shares"]} == set(entry.detail["shares"])


def test_the_web_inbox_read_is_audited(cast, signed_in):
    _incident(cast)
    before = AuditEntry.objects.count()
    assert signed_in("mash.practitioner").get(reverse("sharing:inbox")).status_code == 200
    assert AuditEntry.objects.filter(sequence__gt=before, object_type="inbox").count() == 1


def _stream_ends(response, limit=200) -> bool:
    """Reads the stream; True if it ended by itself within ``limit`` chunks (about 20 seconds of polling)."""
    return all(count < limit for count, _chunk in enumerate(response.streaming_content))


@pytest.fixture
def checks_at_once(monkeypatch):
    monkeypatch.setattr(views, "STILL_ALLOWED_EVERY", 0)


def test_a_web_stream_ends_when_the_account_is_deactivated(cast, signed_in, checks_at_once):
    response = signed_in("mash.practitioner").get(reverse("sharing:inbox-stream"))
    chunks = iter(response.streaming_content)
    assert next(chunks) == b": connected\n\n"
    user_set_active(
        actor=actor_for_user(cast.users["council.admin"]), user=cast.users["mash.practitioner"], active=False
    )
    assert _stream_ends(response)


def test_a_web_stream_ends_when_its_session_ends(cast, signed_in, checks_at_once):
    client = signed_in("mash.practitioner")
    response = client.get(reverse("sharing:inbox-stream"))
    chunks = iter(response.streaming_content)
    assert next(chunks) == b": connected\n\n"
    client.session.delete(client.session.session_key)  # signed out elsewhere, or expired
    assert _stream_ends(response)


def test_an_api_stream_ends_when_its_client_is_revoked(cast, checks_at_once):
    council = cast.organisations["council"]
    headers = {"Authorization": f"Bearer {_token(council)}"}
    response = Client().get("/api/v1/inbox/stream", headers=headers)
    chunks = iter(response.streaming_content)
    assert next(chunks) == b": connected\n\n"
    api_client_revoke(
        actor=system_actor(council), client=ApiClient.objects.get(organisation=council, name="mis")
    )
    assert _stream_ends(response)


def test_a_stream_that_may_go_on_goes_on(cast, signed_in, checks_at_once):
    response = signed_in("mash.practitioner").get(reverse("sharing:inbox-stream"))
    assert not _stream_ends(response, limit=20)
    response.close()  # ends the stream now, not when it is collected during another test
