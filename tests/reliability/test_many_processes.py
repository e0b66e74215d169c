"""Two app processes and two workers on one PostgreSQL: no share delivered twice to an inbox, none lost.
And a database that is locked answers 503 with Retry-After, never a half-written event."""

import concurrent.futures
import threading

import httpx
import pytest
from django.db import connection
from django.db.models import Count, Q

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event
from openmash.sharing.models import Channel, Delivery, DeliveryStatus, Share

from .conftest import free_port, wait_until

INCIDENT = {
    "occurred_at": "2026-11-20T21:30:00",
    "reported_at": "2026-11-20T21:40:00",
    "risk_level": "medium",
    "postcode": "TS18 1AA",
    "summary": "Shouting",
    "children": [
        {"given_name": "Zara", "family_name": "Quinn", "date_of_birth": "2015-04-02", "school_urn": "900001"}
    ],
    "late_reason": "Recorded from the night shift's notes the next day",
}


def _token(cast, key="police") -> dict[str, str]:
    organisation = cast.organisations[key]
    created = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name=f"{key}-load"
    )
    return {"Authorization": f"Bearer {created.token}"}


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="several hosts share one PostgreSQL; SQLite is one machine"
)
def test_two_app_processes_and_two_workers_share_everything_once(committed_cast, processes):
    headers = _token(committed_cast)
    ports = [free_port(), free_port()]
    for port in ports:
        processes.start("serve", "--port", str(port))
    for _ in range(2):
        processes.start("worker")
    for port in ports:
        wait_until(lambda port=port: _up(port), 30, f"the app on port {port}")
    total = 60

    def post(n: int) -> int:
        body = {**INCIDENT, "police_reference": f"CLE-26-7{n:03d}"}
        return httpx.post(
            f"http://127.0.0.1:{ports[n % 2]}/api/v1/incidents/domestic-abuse",
            json=body,
            headers=headers,
            timeout=30,
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(total)))
    assert statuses == [201] * total
    wait_until(
        lambda: not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists(), 60, "every delivery"
    )
    assert Event.objects.filter(reference__startswith="CLE-26-7").count() == total
    assert (
        Share.objects.filter(event__reference__startswith="CLE-26-7", delivered_at__isnull=False).count()
        == 2 * total
    )
    inbox = Delivery.objects.filter(channel=Channel.INBOX).annotate(
        ok=Count("attempt_log", filter=Q(attempt_log__succeeded=True))
    )
    assert {row.ok for row in inbox} == {1}
    workers = set(Delivery.objects.values_list("leased_by", flat=True))
    assert len(workers) == 2, "both workers took part"


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _hold_lock(ready: threading.Event, release: threading.Event) -> None:
    """Another client holds the write lock (SQLite) or a table lock (PostgreSQL) for a while."""
    if connection.vendor == "sqlite":
        import sqlite3

        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
    else:
        import psycopg

        settings = connection.settings_dict
        other = psycopg.connect(
            host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
        )
        other.execute("LOCK TABLE events_event IN ACCESS EXCLUSIVE MODE")
    ready.set()
    release.wait(30)
    other.rollback()
    other.close()


def test_locked_database_answers_503_with_retry_after_and_writes_nothing(committed_cast):
    from django.test import Client

    headers = _token(committed_cast)
    before = Event.objects.count(), Share.objects.count()
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(ready, release))
    holder.start()
    ready.wait(10)
    try:
        response = Client().post(
            "/api/v1/incidents/domestic-abuse",
            {**INCIDENT, "police_reference": "CLE-26-LOCK"},
            content_type="application/json",
            headers=headers,
        )
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/problem+json"
    connection.close()
    assert (Event.objects.count(), Share.objects.count()) == before
    retried = Client().post(
        "/api/v1/incidents/domestic-abuse",
        {**INCIDENT, "police_reference": "CLE-26-LOCK"},
        content_type="application/json",
        headers=headers,
    )
    assert retried.status_code == 201
