"""/metrics: Prometheus's scrape, answered only to the addresses and the token configured, and its figures
moving while incidents are recorded and delivered."""

import datetime as dt
import ipaddress
import threading

import httpx
import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.clocks.services import clock_start
from openmash.sharing.models import Delivery, DeliveryStatus, Share, WebhookEndpoint
from openmash.sharing.services import escalate_overdue
from openmash.worker.loop import run_worker
from openmash.worker.metrics import worker_metrics_serve
from tests.reliability.conftest import committed_cast  # noqa: F401 (fixture)
from tests.sharing.conftest import incident_input, officer, record_incident  # noqa: F401 (fixtures)
from tests.sharing.test_api import INCIDENT

TOKEN = "a-metrics-token-long-enough-to-be-allowed-0123"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client: Client | None = None, **extra) -> dict:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(response.content.decode())


# Access


def test_answered_on_loopback_by_default(db):
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200


def test_not_there_for_any_other_address(db):
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 404
    assert b"openmash_" not in response.content


@override_settings(METRICS_ALLOW=(ipaddress.ip_network("10.20.0.0/16"),))
def test_answered_to_the_networks_configured_only(db):
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.21.3.4").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404


@override_settings(METRICS_ALLOW=(), METRICS_TOKEN=TOKEN)
def test_answered_anywhere_with_the_token(db):
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    assert client.get("/metrics").status_code == 404


@override_settings(METRICS_TOKEN="")
def test_a_token_is_refused_where_none_is_configured(db):
    # Even from an allowed address: whoever sends a credential is checked on it.
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 403


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_decides(db):
    # A proxy on this machine forwards an outside client: the client is not on loopback.
    outside = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert outside.get("/metrics").status_code == 404
    inside = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert inside.get("/metrics").status_code == 200


def test_needs_no_sign_in(db):
    response = Client().get("/metrics")
    assert response.status_code == 200 and "openmash_audit_chain_length" in response.content.decode()


# Figures


def test_requests_are_counted_and_timed_by_route_not_path(cast, signed_in):
    client = signed_in("police.officer")
    person = cast.people["Amelia Hart"]
    before = scrape()
    client.get(f"/people/{person.pk}/")
    client.get("/no-such-page/")
    after = scrape()
    route = "people/<str:person_id>/"
    counted = [
        key for key in after if key[0] == "openmash_http_requests_total" and ("route", route) in key[1]
    ]
    assert counted, [key for key in after if key[0] == "openmash_http_requests_total"]
    assert sum(after[key] - before.get(key, 0) for key in counted) == 1
    assert not any(str(person.pk) in str(key) for key in after)  # no record's id in a label
    assert value(after, "openmash_http_requests_total", route="(unmatched)", method="GET", status="404") >= 1
    assert value(after, "openmash_http_request_duration_seconds_count", route=route, method="GET") >= 1


def test_state_figures_follow_recording_and_delivery(cast, record_incident):
    before = scrape()
    record_incident()
    recorded = scrape()
    waiting = value(recorded, "openmash_delivery_backlog", channel="inbox")
    assert waiting == value(before, "openmash_delivery_backlog", channel="inbox") + 2  # council and school
    assert value(recorded, "openmash_delivery_backlog", channel="alert") >= 2
    assert value(recorded, "openmash_delivery_backlog_oldest_age_seconds") >= 0
    assert value(recorded, "openmash_audit_chain_length") > value(before, "openmash_audit_chain_length")
    run_worker(batch=True)
    delivered = scrape()
    assert value(delivered, "openmash_delivery_backlog", channel="inbox") == 0
    assert value(delivered, "openmash_delivery_backlog_oldest_age_seconds") == 0
    assert value(delivered, "openmash_worker_heartbeat_age_seconds") < 60


def test_dead_letters_overdue_clocks_escalations_and_sign_in_failures(cast, record_incident, demo_password):
    before = scrape()
    record_incident()
    Delivery.objects.filter(channel="alert").update(status=DeliveryStatus.DEAD)
    # An assessment started a year ago is long past its due time; one started now is not.
    for started, subject in ((timezone.now() - dt.timedelta(days=365), "old"), (timezone.now(), "new")):
        clock_start(
            rule="assessment",
            started_at=started,
            organisation=cast.organisations["council"],
            subject_type="share",
            subject_id=f"metrics-{subject}",
            person=cast.people["Amelia Hart"],
        )
    # The shares were due a week ago and nobody has acknowledged them: escalated to the team managers.
    Share.objects.filter(acknowledged_at__isnull=True).update(due_at=timezone.now() - dt.timedelta(days=7))
    escalate_overdue()
    for _ in range(2):
        Client().post("/sign-in/", {"username": "police.officer", "password": "wrong-" + demo_password})
    found = scrape()
    assert value(found, "openmash_delivery_dead_letters", channel="alert") == 2
    assert value(found, "openmash_delivery_dead_letters", channel="inbox") == 0
    assert (
        value(found, "openmash_clocks_overdue", rule="assessment")
        == value(before, "openmash_clocks_overdue", rule="assessment") + 1
    )
    assert value(found, "openmash_shares_overdue") >= 2
    assert value(found, "openmash_escalations_total", level="1") >= 2
    assert value(found, "openmash_sign_in_failures") == 2


@pytest.mark.django_db(transaction=True)
def test_scraped_while_incidents_are_recorded(committed_cast):
    """Incidents recorded through the API by one thread while Prometheus scrapes: the request counter,
    the deliveries planned and the audit chain rise from scrape to scrape, and the backlog empties once the
    worker has run."""
    police = committed_cast.organisations["police"]
    token = api_client_create(actor=system_actor(police), organisation=police, name="metrics").token
    count = 12
    answers: list[int] = []

    def record() -> None:
        from django.db import connection

        api = Client(headers={"Authorization": f"Bearer {token}"})
        try:
            for number in range(count):
                body = {**INCIDENT, "police_reference": f"CLE-26-9{number:03d}"}
                answers.append(
                    api.post("/api/v1/incidents/domestic-abuse", body, "application/json").status_code
                )
        finally:
            connection.close()

    first = scrape()
    recording = threading.Thread(target=record)
    recording.start()
    seen = [first]
    while recording.is_alive():
        seen.append(scrape())
    recording.join()
    seen.append(scrape())
    assert answers == [201] * count

    def incidents(found: dict) -> float:
        return sum(
            amount
            for (name, labels), amount in found.items()
            if name == "openmash_http_requests_total" and ("status", "201") in labels
        )

    def planned(found: dict) -> float:  # nothing is delivered meanwhile: the backlog only grows
        return sum(amount for (name, _labels), amount in found.items() if name == "openmash_delivery_backlog")

    for figure in (incidents, planned, lambda found: value(found, "openmash_audit_chain_length")):
        values = [figure(found) for found in seen]
        assert values == sorted(values), values  # never goes back
    assert incidents(seen[-1]) - incidents(first) == count
    assert len({incidents(found) for found in seen}) > 2, "no scrape saw the recording under way"
    assert planned(seen[-1]) - planned(first) == count * 4  # council and school: inbox and alert each
    run_worker(batch=True)
    done = scrape()
    assert all(
        value(done, "openmash_delivery_backlog", channel=channel) == 0 for channel in ("inbox", "alert")
    )


# The worker's own metrics


@pytest.fixture
def worker_metrics():
    server = worker_metrics_serve("127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.server_port}/metrics"
    server.shutdown()
    server.server_close()


def test_the_worker_counts_deliveries_by_channel_and_outcome(cast, record_incident, worker_metrics):
    before = samples(httpx.get(worker_metrics).text)
    record_incident()
    WebhookEndpoint.objects.create(
        organisation=cast.organisations["council"], url="http://127.0.0.1:9/hook", secret="whsec_" + "A" * 32
    )
    record_incident(reference="CLE-26-1002")
    run_worker(batch=True)
    after = samples(httpx.get(worker_metrics).text)

    def moved(channel: str, outcome: str) -> float:
        labels = {"channel": channel, "outcome": outcome}
        return value(after, "openmash_deliveries_total", **labels) - value(
            before, "openmash_deliveries_total", **labels
        )

    assert moved("inbox", "delivered") == 4 and moved("alert", "delivered") == 4
    assert moved("webhook", "failed") == 1  # nobody listens
    assert "process_cpu_seconds_total" in {name for name, _labels in after}


def test_the_worker_metrics_port_answers_whom_metrics_answers(db, worker_metrics):
    assert httpx.get(worker_metrics).status_code == 200
    with override_settings(METRICS_ALLOW=(ipaddress.ip_network("10.20.0.0/16"),), METRICS_TOKEN=TOKEN):
        assert httpx.get(worker_metrics).status_code == 404
        assert httpx.get(worker_metrics, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert httpx.get(worker_metrics, headers={"Authorization": "Bearer nope"}).status_code == 403
