"""Webhook endpoints managed by the organisation: services, pages for its administrator, API for its clients."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from openmash.accounts.actors import actor_for_api_client, actor_for_user, system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import api_client_create, user_create
from openmash.audit.models import AuditAction, AuditEntry
from openmash.lib.errors import InvalidInput, NotFound
from openmash.sharing import channels, outbox, selectors
from openmash.sharing.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from openmash.sharing.services import (
    delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_remove,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_test,
    webhook_url_check,
)

from .receivers import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def admin(cast):
    return actor_for_user(cast.users["council.admin"])


@pytest.fixture
def bury_admin(cast):
    bury = cast.organisations["unrelated-council"]
    user = user_create(
        actor=system_actor(bury),
        organisation=bury,
        username="bury.admin",
        email="bury.admin@demo.openmash.invalid",
        first_name="Bea",
        last_name="Lord",
        roles=[Role.ADMINISTRATOR],
    )
    return user


def _audit(object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=object_type).order_by("sequence"))


# Services


def test_it_registers_an_endpoint_with_a_new_secret_and_audits_it(cast, admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=f"  {receiver.url}  ")
    assert created.endpoint.url == receiver.url and created.endpoint.active
    assert created.secret.startswith("whsec_") and created.endpoint.secret == created.secret
    (entry,) = _audit("webhook-endpoint")
    assert entry.action == AuditAction.CREATE and entry.object_id == str(created.endpoint.pk)
    assert created.secret not in json.dumps(entry.detail)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the URL of the endpoint"),
        ("not a url", "Enter a URL in the correct format"),
        ("ftp://example.org/hook", "Enter a URL in the correct format"),
        ("http://example.org/hook", "The URL must start with https://"),
        ("https://user:pass@example.org/hook", "must not contain a user name or password"),
        ("https://token@example.org/hook", "must not contain a user name or password"),
        ("https://example.org/" + "a" * 500, "500 characters or fewer"),
    ],
)
def test_it_refuses_urls_that_are_not_https_or_carry_credentials(url, message):
    with pytest.raises(InvalidInput) as error:
        webhook_url_check(url)
    assert message in error.value.errors["url"][0]


def test_plain_http_is_allowed_only_to_loopback_and_only_where_settings_allow(receiver):
    assert webhook_url_check(receiver.url) == receiver.url
    assert webhook_url_check("https://example.org/hook") == "https://example.org/hook"
    with override_settings(WEBHOOK_HTTP_LOOPBACK=False), pytest.raises(InvalidInput):
        webhook_url_check(receiver.url)


def test_the_same_url_twice_is_refused(cast, admin, receiver):
    webhook_endpoint_create(actor=admin, url=receiver.url)
    with pytest.raises(InvalidInput):
        webhook_endpoint_create(actor=admin, url=receiver.url)


def test_a_practitioner_may_not_register_one(cast, receiver):
    with pytest.raises(NotFound):
        webhook_endpoint_create(actor=actor_for_user(cast.users["social.worker"]), url=receiver.url)


def test_the_test_message_is_signed_with_the_secret_and_said_in_plain_words(cast, admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    result = webhook_endpoint_test(actor=admin, endpoint=created.endpoint)
    assert result.delivered and result.status_code == 204
    assert result.outcome == "The endpoint accepted the test message (it answered 204)."
    (message,) = receiver.received
    Webhook(created.secret).verify(message["body"], message["headers"])
    assert message["json"]["type"] == "webhook.test"
    (entry,) = _audit("webhook-test")
    assert entry.detail["result"] == "HTTP 204"


def test_a_failing_endpoint_is_said_plainly(cast, admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    receiver.up = False
    result = webhook_endpoint_test(actor=admin, endpoint=created.endpoint)
    assert not result.delivered and result.status_code == 503
    assert "did not accept the test message (it answered 503)" in result.outcome
    receiver.close()
    result = webhook_endpoint_test(actor=admin, endpoint=created.endpoint)
    assert result.status_code is None and "could not connect" in result.outcome


def test_rotating_gives_a_new_secret_that_signs_from_then_on(cast, admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    rotated = webhook_endpoint_rotate_secret(actor=admin, endpoint=created.endpoint)
    assert rotated.secret != created.secret
    webhook_endpoint_test(actor=admin, endpoint=rotated.endpoint)
    Webhook(rotated.secret).verify(receiver.received[0]["body"], receiver.received[0]["headers"])
    assert [entry.action for entry in _audit("webhook-endpoint")] == [AuditAction.CREATE, AuditAction.UPDATE]


def test_an_endpoint_never_used_is_deleted(cast, admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    webhook_endpoint_remove(actor=admin, endpoint=created.endpoint)
    assert not WebhookEndpoint.objects.filter(pk=created.endpoint.pk).exists()
    assert _audit("webhook-endpoint")[-1].action == AuditAction.DELETE


def test_removing_a_used_endpoint_stops_what_was_waiting_and_keeps_the_record(
    cast, admin, receiver, record_incident
):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    record_incident()
    waiting = Delivery.objects.get(endpoint=created.endpoint)
    webhook_endpoint_remove(actor=admin, endpoint=created.endpoint)
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.DEAD and "endpoint was removed" in waiting.last_error
    assert not WebhookEndpoint.objects.get(pk=created.endpoint.pk).active
    mash = actor_for_user(cast.users["mash.practitioner"])
    with pytest.raises(InvalidInput):
        delivery_replay(actor=mash, delivery=waiting)
    assert list(selectors.webhook_endpoints(actor=admin)) == []
    # Not stuck: there is nothing to fix and nowhere to send it again.
    assert waiting not in selectors.stuck_deliveries(actor=mash)
    client = Client()
    client.force_login(cast.users["mash.practitioner"])
    assert client.post(reverse("sharing:replay", args=[waiting.pk])).status_code == 404


def test_shares_go_to_an_endpoint_from_when_it_is_added_until_it_is_removed(
    cast, admin, receiver, record_incident
):
    # The organisation's endpoints are remembered per process: adding and removing forget them at once.
    council = cast.organisations["council"].pk
    assert outbox.active_endpoints([council]) == {council: ()}
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    assert outbox.active_endpoints([council]) == {council: (created.endpoint.pk,)}
    record_incident(reference="CLE-26-2001")
    webhook_endpoint_remove(actor=admin, endpoint=created.endpoint)
    assert outbox.active_endpoints([council]) == {council: ()}
    record_incident(reference="CLE-26-2002")
    assert Delivery.objects.filter(channel=Channel.WEBHOOK).count() == 1


def test_another_organisations_endpoint_is_not_found(cast, admin, bury_admin, receiver):
    created = webhook_endpoint_create(actor=admin, url=receiver.url)
    bury = actor_for_user(bury_admin)
    with pytest.raises(NotFound):
        selectors.webhook_endpoint_open(actor=bury, endpoint_id=created.endpoint.pk)
    for act in (webhook_endpoint_test, webhook_endpoint_rotate_secret, webhook_endpoint_remove):
        with pytest.raises(NotFound):
            act(actor=bury, endpoint=created.endpoint)
    assert receiver.received == []


# Pages, against the personas


def _add_through_pages(client: Client, url: str) -> str:
    checked = client.post(reverse("sharing:webhook-add"), {"url": url})
    assert checked.status_code == 200 and "Check the endpoint before adding it" in checked.text
    assert not WebhookEndpoint.objects.exists()
    added = client.post(reverse("sharing:webhook-add"), {"url": url, "confirmed": "yes"})
    assert added.status_code == 200 and "Webhook endpoint added" in added.text
    assert added["Cache-Control"].startswith("max-age=0")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in added.text
    return endpoint.secret


def test_it_lets_the_administrator_add_test_rotate_and_remove(cast, signed_in, receiver):
    client = signed_in("council.admin")
    assert client.get(reverse("sharing:webhooks")).status_code == 200
    secret = _add_through_pages(client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    listed = client.get(reverse("sharing:webhooks"))
    assert receiver.url in listed.text and secret not in listed.text
    tested = client.post(reverse("sharing:webhook-test", args=[endpoint.pk]))
    assert "Test message received" in tested.text and "accepted the test message" in tested.text
    assert client.get(reverse("sharing:webhook-rotate", args=[endpoint.pk])).status_code == 200
    rotated = client.post(reverse("sharing:webhook-rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != secret and endpoint.secret in rotated.text
    assert client.get(reverse("sharing:webhook-remove", args=[endpoint.pk])).status_code == 200
    removed = client.post(reverse("sharing:webhook-remove", args=[endpoint.pk]), follow=True)
    assert "Webhook endpoint removed" in removed.text
    assert not WebhookEndpoint.objects.exists()


def test_it_shows_errors_in_govuk_style(cast, signed_in):
    response = signed_in("council.admin").post(reverse("sharing:webhook-add"), {"url": "http://example.org"})
    assert response.status_code == 200
    assert "<title>Error: " in response.text and "The URL must start with https://" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("persona", ["social.worker", "police.officer", "inspector", "bury.admin"])
def test_it_requires_the_organisations_administrator(cast, signed_in, bury_admin, admin, persona, receiver):
    endpoint = webhook_endpoint_create(actor=admin, url=receiver.url).endpoint
    client = signed_in(persona) if persona != "bury.admin" else Client()
    if persona == "bury.admin":
        client.force_login(bury_admin)
        # Bury's administrator has its own (empty) list, and never sees Stockton's.
        listed = client.get(reverse("sharing:webhooks"))
        assert listed.status_code == 200 and receiver.url not in listed.text
    else:
        assert client.get(reverse("sharing:webhooks")).status_code == 404
        assert client.post(reverse("sharing:webhook-add"), {"url": receiver.url}).status_code == 404
    for name in ("sharing:webhook-test", "sharing:webhook-rotate", "sharing:webhook-remove"):
        assert client.post(reverse(name, args=[endpoint.pk])).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active and receiver.received == []


def test_anonymous_is_sent_to_sign_in(cast, admin, receiver):
    endpoint = webhook_endpoint_create(actor=admin, url=receiver.url).endpoint
    for url in (
        reverse("sharing:webhooks"),
        reverse("sharing:webhook-add"),
        reverse("sharing:webhook-remove", args=[endpoint.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]
    assert Client().post(reverse("sharing:webhook-test", args=[endpoint.pk])).status_code == 302
    assert receiver.received == []


# API, for the organisation's API clients


@pytest.fixture
def council_api(cast):
    token = api_client_create(
        actor=system_actor(cast.organisations["council"]),
        organisation=cast.organisations["council"],
        name="CMS",
    ).token
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def bury_api(cast):
    bury = cast.organisations["unrelated-council"]
    token = api_client_create(actor=system_actor(bury), organisation=bury, name="Bury CMS").token
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_api_registers_tests_rotates_and_removes(cast, council_api, receiver):
    created = council_api.post(
        "/api/v1/webhook-endpoints", {"url": receiver.url}, content_type="application/json"
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == receiver.url and body["secret"].startswith("whsec_")
    listed = council_api.get("/api/v1/webhook-endpoints").json()
    assert listed == [{"id": body["id"], "url": receiver.url, "created_at": body["created_at"]}]
    tested = council_api.post(f"/api/v1/webhook-endpoints/{body['id']}/test", content_type="application/json")
    assert tested.status_code == 200 and tested.json()["delivered"] is True
    Webhook(body["secret"]).verify(receiver.received[0]["body"], receiver.received[0]["headers"])
    rotated = council_api.post(
        f"/api/v1/webhook-endpoints/{body['id']}/rotate-secret", content_type="application/json"
    )
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (body["secret"], "")
    assert council_api.delete(f"/api/v1/webhook-endpoints/{body['id']}").status_code == 204
    assert council_api.get("/api/v1/webhook-endpoints").json() == []
    entry = AuditEntry.objects.filter(object_type="webhook-endpoint").order_by("sequence").first()
    assert entry is not None and entry.actor_label == "API client CMS"


def test_api_refuses_a_bad_url_as_a_problem(cast, council_api):
    response = council_api.post(
        "/api/v1/webhook-endpoints", {"url": "http://example.org/hook"}, content_type="application/json"
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "url", "detail": "The URL must start with https://"}]


def test_api_another_organisations_endpoint_is_404(cast, council_api, bury_api, admin, receiver):
    endpoint = webhook_endpoint_create(actor=admin, url=receiver.url).endpoint
    assert bury_api.get("/api/v1/webhook-endpoints").json() == []
    for response in (
        bury_api.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/test", content_type="application/json"),
        bury_api.post(
            f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret", content_type="application/json"
        ),
        bury_api.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}"),
        council_api.delete(f"/api/v1/webhook-endpoints/{endpoint.pk + 1000}"),
        council_api.delete("/api/v1/webhook-endpoints/99999999999999999999"),
    ):
        assert response.status_code in (404, 422) and response["Content-Type"] == "application/problem+json"
    endpoint.refresh_from_db()
    assert endpoint.active and receiver.received == []


def test_api_requires_a_token(cast):
    for response in (
        Client().get("/api/v1/webhook-endpoints"),
        Client().post(
            "/api/v1/webhook-endpoints", {"url": "https://example.org"}, content_type="application/json"
        ),
    ):
        assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_the_api_client_actor_may_manage_its_own(cast):
    client = api_client_create(
        actor=system_actor(cast.organisations["police"]),
        organisation=cast.organisations["police"],
        name="RMS",
    ).client
    actor = actor_for_api_client(client)
    assert list(selectors.webhook_endpoints(actor=actor)) == []


# Internal addresses: a webhook is never a way into the service's own network


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://10.20.30.40/hook", True),  # private
        ("https://192.168.1.5/hook", True),
        ("https://169.254.169.254/latest/meta-data", True),  # a cloud's metadata service (link-local)
        ("https://[fd00::1]/hook", True),  # IPv6 unique local
        ("https://127.0.0.1/hook", True),  # loopback, where plain http to this machine is not allowed
        ("https://8.8.8.8/hook", False),  # a public address
        ("https://no-such-host.openmash.invalid/hook", False),  # not resolvable: sending fails on its own
    ],
)
@override_settings(WEBHOOK_HTTP_LOOPBACK=False)
def test_a_webhook_never_goes_to_an_internal_address(url, refused):
    assert (channels.address_not_allowed(url) is not None) is refused


@override_settings(WEBHOOK_HTTP_LOOPBACK=False)
def test_an_agencys_own_network_is_reached_only_when_listed():
    import ipaddress

    assert channels.address_not_allowed("https://10.20.30.40/hook") is not None
    with override_settings(WEBHOOK_PRIVATE_NETWORKS=(ipaddress.ip_network("10.20.0.0/16"),)):
        assert channels.address_not_allowed("https://10.20.30.40/hook") is None
        assert channels.address_not_allowed("https://10.21.0.1/hook") is not None


def test_testing_an_endpoint_on_an_internal_address_sends_nothing_and_says_why(cast, admin, receiver):
    endpoint = webhook_endpoint_create(actor=admin, url=receiver.url).endpoint
    with override_settings(WEBHOOK_HTTP_LOOPBACK=False):
        result = webhook_endpoint_test(actor=admin, endpoint=endpoint)
    assert not result.delivered and receiver.received == []
    assert "private or internal network" in result.outcome
