"""`openmash backup` and `openmash restore` on the embedded database: a backup taken while incidents are being
recorded and delivered, restored into a fresh database, delivers every share it holds exactly once, and its
audit trail verifies. Restores run as real `openmash` processes against their own database file (a restore
writes over the configured database; here never the test database)."""

import collections
import json
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.audit.services import audit_checkpoint
from openmash.backup.services import backup_take, manifest_path
from openmash.recording.services import event_record
from openmash.sharing.models import Delivery, DeliveryAttempt, Share
from openmash.sharing.services import webhook_endpoint_create
from openmash.worker.loop import run_worker
from tests.reliability.conftest import OPENMASH, committed_cast, process_env  # noqa: F401
from tests.sharing.conftest import incident_at_amelias_home
from tests.sharing.receivers import Receiver

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="openmash backup is for the embedded database (SQLite)"
)


class SlowReceiver(Receiver):
    """Another agency's webhook endpoint that takes a moment over each message, so that a backlog of
    deliveries is still waiting when the backup is taken."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        handler = self.server.RequestHandlerClass
        original = handler.do_POST  # type: ignore[attr-defined]

        def slow(request_handler):
            time.sleep(delay)
            original(request_handler)

        handler.do_POST = slow  # type: ignore[attr-defined]

    def message_ids(self) -> list[str]:
        return [message["headers"]["webhook-id"] for message in self.received]


def openmash(database: Path, *args: str, checkpoints: Path) -> subprocess.CompletedProcess:
    env = process_env(
        DATABASE_URL=f"sqlite:///{database}",
        # The same key as this process's entries were hashed with.
        OPENMASH_AUDIT_KEY=settings.AUDIT_KEY.decode()
        if isinstance(settings.AUDIT_KEY, bytes)
        else settings.AUDIT_KEY,
        OPENMASH_AUDIT_CHECKPOINTS=str(checkpoints),
        # This checkout's openmash, whichever the installed command would import.
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return subprocess.run([OPENMASH, *args], env=env, capture_output=True, text=True, timeout=120)


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


def test_a_backup_taken_while_recording_delivers_every_share_once_after_restore(
    committed_cast, tmp_path, audit_checkpoints_of_this_test
):
    receiver = SlowReceiver(delay=0.02)
    officer = actor_for_user(committed_cast.users["police.officer"])
    webhook_endpoint_create(actor=actor_for_user(committed_cast.users["council.admin"]), url=receiver.url)
    stop_recording, stop_worker = threading.Event(), threading.Event()
    recorded: list[str] = []
    errors: list[BaseException] = []

    def record() -> None:
        try:
            n = 0
            while not stop_recording.is_set():
                n += 1
                event_record(
                    actor=officer, data=incident_at_amelias_home(committed_cast, reference=f"CLE-26-B{n:04d}")
                )
                recorded.append(f"CLE-26-B{n:04d}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def deliver() -> None:
        try:
            run_worker(poll_seconds=0.02, stop=stop_worker.is_set)
        finally:
            connection.close()

    recorder, worker = threading.Thread(target=record), threading.Thread(target=deliver)
    recorder.start()
    worker.start()
    try:
        while len(recorded) < 15 or len(receiver.received) < 5:
            assert recorder.is_alive() and worker.is_alive(), errors
            time.sleep(0.05)
        backup = tmp_path / "backups" / "openmash.sqlite3"
        manifest = backup_take(out=backup)  # while the recorder and the worker go on
        at_backup = len(recorded)
        while len(recorded) < at_backup + 10:
            time.sleep(0.05)
    finally:
        stop_recording.set()
        recorder.join(60)
        stop_worker.set()
        worker.join(60)
    assert not errors
    close_old_connections()
    audit_checkpoint()  # a checkpoint past the backup, as a running worker writes once a minute
    before_restore = collections.Counter(receiver.message_ids())
    assert max(before_restore.values()) == 1, "the service itself delivered nothing twice"

    # The backup: checked, described, and taken mid-flow (some webhooks sent, some still waiting).
    assert manifest.integrity_check == "ok"
    described = json.loads(manifest_path(backup).read_text())
    assert described["audit_chain_head"]["sequence"] == manifest.audit_chain_head.sequence > 0
    assert "retention.0001_retention_rules_holds_removals" in described["migrations"]
    deliveries = f"SELECT message_id, status, channel FROM {Delivery._meta.db_table}"
    in_backup = {message_id: (status, channel) for message_id, status, channel in _rows(backup, deliveries)}
    webhooks = {m: status for m, (status, channel) in in_backup.items() if channel == "webhook"}
    delivered_before = {m for m, status in webhooks.items() if status == "delivered"}
    waiting = {m for m, status in webhooks.items() if status == "pending"}
    assert delivered_before and waiting, "the backup was taken while webhooks were being delivered"
    assert manifest.deliveries_waiting == sum(status == "pending" for status, _ in in_backup.values())
    shares_in_backup = {row[0] for row in _rows(backup, f"SELECT id FROM {Share._meta.db_table}")}

    # Restore into a fresh database, and let its worker deliver what the backup held as waiting.
    restored = tmp_path / "restored" / "openmash.sqlite3"
    restored.parent.mkdir()
    checkpoints = tmp_path / "restored" / "audit-checkpoints.jsonl"
    shutil.copy(audit_checkpoints_of_this_test, checkpoints)
    receiver.received.clear()
    done = openmash(restored, "restore", str(backup), checkpoints=checkpoints)
    assert done.returncode == 0, done.stderr
    assert "Audit trail intact" in done.stdout
    assert "named entries recorded after the backup" in done.stdout  # the checkpoint past it, set aside
    delivered = openmash(restored, "worker", "--batch", checkpoints=checkpoints)
    assert delivered.returncode == 0, delivered.stderr

    after_restore = collections.Counter(receiver.message_ids())
    assert set(after_restore) == waiting, "every webhook the backup held as waiting, and nothing else"
    assert max(after_restore.values()) == 1, "none twice"
    assert not set(after_restore) & delivered_before, "none delivered before the backup sent again"
    # Any sent both by the old service after the backup and by the restored one were waiting in the backup,
    # and carry the same webhook-id both times, by which the receiver knows it has it (docs/deployment.md).
    assert set(after_restore) & set(before_restore) <= waiting

    # Every delivery of every share the backup holds (inboxes, webhooks, alerts) is now delivered, each
    # with exactly one successful attempt: in the old database or in the restored one, never both.
    successes = _rows(
        restored,
        f"SELECT d.message_id, d.status, d.delivered_at IS NOT NULL, "
        f"(SELECT count(*) FROM {DeliveryAttempt._meta.db_table} a WHERE a.delivery_id = d.id AND a.succeeded) "
        f"FROM {Delivery._meta.db_table} d",
    )
    assert {row[0] for row in successes} == set(in_backup), "no delivery lost or made up"
    assert all(row[1:] == ("delivered", 1, 1) for row in successes), [r for r in successes if r[3] != 1]
    shares_after = _rows(restored, f"SELECT id, delivered_at IS NOT NULL FROM {Share._meta.db_table}")
    assert {row[0] for row in shares_after} == shares_in_backup
    assert all(row[1] for row in shares_after)

    verified = openmash(restored, "audit", "verify", checkpoints=checkpoints)
    assert verified.returncode == 0, verified.stderr
    assert "Audit trail intact" in verified.stdout
    receiver.close()


def _backup_of_the_test_database(tmp_path: Path) -> Path:
    backup = tmp_path / "backup.sqlite3"
    call_command("backup", out=backup)
    return backup


def _restore(tmp_path: Path, backup: Path, *extra: str, database: Path | None = None):
    database = database or tmp_path / "live" / "openmash.sqlite3"
    database.parent.mkdir(exist_ok=True)
    return openmash(
        database, "restore", str(backup), *extra, checkpoints=tmp_path / "live" / "checkpoints.jsonl"
    )


def test_the_backup_is_checked_and_described_and_audited(transactional_db, committed_cast, tmp_path):
    backup = _backup_of_the_test_database(tmp_path)
    manifest = json.loads(manifest_path(backup).read_text())
    assert manifest["integrity_check"] == "ok"
    assert (
        manifest["audit_chain_head"]["sequence"]
        == _rows(backup, "SELECT max(sequence) FROM audit_auditentry")[0][0]
    )
    assert _rows(backup, "PRAGMA journal_mode") == [("delete",)], "one self-contained file"
    entry = AuditEntry.objects.filter(object_type="database-backup").get()
    assert entry.action == "export" and entry.detail["sha256"] == manifest["sha256"]
    assert not backup.with_name(backup.name + ".partial").exists()


def test_it_refuses_to_restore_over_a_database_in_use(transactional_db, committed_cast, tmp_path):
    backup = _backup_of_the_test_database(tmp_path)
    live = tmp_path / "live" / "openmash.sqlite3"
    assert _restore(tmp_path, backup).returncode == 0
    service = sqlite3.connect(live)  # an app server's connection, idle between requests
    service.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        refused = _restore(tmp_path, backup)
        assert refused.returncode == 1
        assert "is in use" in refused.stderr and "--force" in refused.stderr
        forced = _restore(tmp_path, backup, "--force")
        assert forced.returncode == 0, forced.stderr
    finally:
        service.close()


def test_it_refuses_a_backup_changed_since_it_was_taken(transactional_db, committed_cast, tmp_path):
    backup = _backup_of_the_test_database(tmp_path)
    with sqlite3.connect(backup) as db:
        db.execute("UPDATE people_person SET given_name = 'Changed'")
    refused = _restore(tmp_path, backup)
    assert refused.returncode == 1
    assert "does not match its manifest's checksum" in refused.stderr
    assert not (tmp_path / "live" / "openmash.sqlite3").exists() or _rows(
        tmp_path / "live" / "openmash.sqlite3", "SELECT count(*) FROM sqlite_master"
    ) == [(0,)]


def test_it_refuses_a_backup_from_a_newer_version_and_migrates_one_from_an_older(
    transactional_db,
    committed_cast,
    tmp_path,
):
    backup = _backup_of_the_test_database(tmp_path)
    manifest_path(backup).unlink()
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(backup, newer)
    with sqlite3.connect(newer) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('people', '9999_future', '2030-01-01')"
        )
    refused = _restore(tmp_path, newer)
    assert refused.returncode == 1 and "people.9999_future" in refused.stderr

    with sqlite3.connect(backup) as db:  # as if taken before the retention app existed
        tables = db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'retention_%'"
        ).fetchall()
        for (table,) in tables:
            db.execute(f"DROP TABLE {table}")
        db.execute("DELETE FROM django_migrations WHERE app = 'retention'")
    migrated = _restore(tmp_path, backup)
    assert migrated.returncode == 0, migrated.stderr
    assert "1 migrations applied" in migrated.stdout and "had no manifest" in migrated.stdout
    live = tmp_path / "live" / "openmash.sqlite3"
    assert _rows(live, "SELECT count(*) FROM django_migrations WHERE app = 'retention'") == [(1,)]
