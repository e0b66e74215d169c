"""/healthz and /readyz, the load balancer's checks: each failing readiness check answers 503 naming it."""

import datetime as dt

from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

from openmash.sharing.models import Delivery, DeliveryStatus
from openmash.worker.heartbeat import heartbeat_beat
from openmash.worker.loop import run_worker
from openmash.worker.models import Heartbeat
from tests.sharing.conftest import incident_input, officer, record_incident  # noqa: F401 (fixtures)


def ready():
    response = Client().get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_answers_without_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_needs_no_sign_in_and_is_not_cached(db):
    response = Client().get("/healthz")
    assert response.status_code == 200  # not a redirect to sign-in
    assert "no-store" in response["Cache-Control"]


def test_ready_when_every_check_passes(cast, worker_beat):
    worker_beat()
    status, body = ready()
    assert status == 200, body
    assert body == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "OK", "migrations": "OK", "worker": "OK", "backlog": "OK"},
    }


def test_not_ready_when_the_database_does_not_answer(cast, worker_beat, monkeypatch):
    worker_beat()

    def refuse(self):
        raise OperationalError("connection refused: is the server running")

    monkeypatch.setattr(BaseDatabaseWrapper, "temporary_connection", refuse)
    status, body = ready()
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("connection refused")


def test_not_ready_when_a_migration_is_not_applied(cast, worker_beat):
    worker_beat()
    MigrationRecorder(connection).record_unapplied("worker", "0001_heartbeat")
    status, body = ready()
    assert status == 503
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"] == "1 migration(s) not applied: run `openmash migrate`"


def test_not_ready_when_no_worker_has_run(cast):
    Heartbeat.objects.all().delete()
    status, body = ready()
    assert status == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "no worker has ever run: start `openmash worker`"


def test_not_ready_when_the_worker_has_been_silent_over_a_minute(cast, worker_beat):
    worker_beat(dt.timedelta(seconds=61))
    status, body = ready()
    assert status == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "no worker heartbeat for 61 seconds (at most 60 allowed)"


@override_settings(READY_WORKER_SECONDS=300)
def test_the_worker_silence_allowed_is_a_setting(cast, worker_beat):
    worker_beat(dt.timedelta(seconds=120))
    assert ready()[0] == 200


def test_the_worker_loop_beats(cast):
    Heartbeat.objects.all().delete()
    run_worker(batch=True)
    _status, body = ready()
    assert body["checks"]["worker"] == "OK", body
    # A worker stamps its own row again rather than adding rows.
    (beat,) = Heartbeat.objects.all()
    heartbeat_beat(beat.worker)
    assert Heartbeat.objects.get().beat_at > beat.beat_at


def test_not_ready_when_the_backlog_reaches_its_limit(cast, worker_beat, record_incident):
    worker_beat()
    record_incident()  # one delivery to each recipient's inbox, one alert each
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    assert waiting >= 4
    with override_settings(READY_BACKLOG_MOST=waiting + 1):
        assert ready()[0] == 200
    with override_settings(READY_BACKLOG_MOST=waiting):
        status, body = ready()
    assert status == 503 and body["failing"] == ["backlog"]
    assert body["checks"]["backlog"] == f"{waiting} or more deliveries waiting (fewer than {waiting} allowed)"
    # Delivered, the backlog is gone and the service is ready again.
    run_worker(batch=True)
    with override_settings(READY_BACKLOG_MOST=waiting):
        assert ready()[0] == 200


def test_several_failing_checks_are_all_named(cast, record_incident):
    Heartbeat.objects.all().delete()
    record_incident()
    with override_settings(READY_BACKLOG_MOST=1):
        status, body = ready()
    assert status == 503 and body["failing"] == ["worker", "backlog"]
    assert body["checks"]["database"] == body["checks"]["migrations"] == "OK"


def test_a_failing_check_is_one_warning_line_naming_it(cast, caplog):
    Heartbeat.objects.all().delete()
    with caplog.at_level("INFO"):
        assert ready()[0] == 503
    lines = [(record.name, record.levelname, record.getMessage()) for record in caplog.records]
    assert lines == [
        (
            "openmash.operations.views",
            "WARNING",
            "Not ready: worker: no worker has ever run: start `openmash worker`",
        )
    ]
