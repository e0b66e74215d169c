"""PostgreSQL is backed up with its own tools: `openmash backup` refuses and says which, and the documented
pg_dump -Fc / pg_restore round trip (docs/deployment.md) gives a database whose waiting deliveries are each
delivered once, whose delivered ones are not sent again, and whose audit trail verifies."""

import collections
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection

from openmash.accounts.actors import actor_for_user
from openmash.audit.services import audit_checkpoint
from openmash.recording.services import event_record
from openmash.sharing.models import Delivery, DeliveryStatus
from openmash.sharing.services import webhook_endpoint_create
from openmash.worker.loop import run_worker
from tests.reliability.conftest import OPENMASH, committed_cast, process_env  # noqa: F401
from tests.sharing.conftest import incident_at_amelias_home
from tests.sharing.receivers import Receiver

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's own tools")


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return str(found)


def test_openmash_backup_refuses_and_points_to_pg_dump(db, tmp_path):
    with pytest.raises(CommandError, match="pg_dump -Fc"):
        call_command("backup", out=tmp_path / "openmash.sqlite3")
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", str(tmp_path / "openmash.sqlite3"))
    assert not (tmp_path / "openmash.sqlite3").exists()


def test_a_pg_dump_restored_delivers_what_was_waiting_once_and_verifies(committed_cast, tmp_path):
    receiver = Receiver()
    officer = actor_for_user(committed_cast.users["police.officer"])
    webhook_endpoint_create(actor=actor_for_user(committed_cast.users["council.admin"]), url=receiver.url)
    for n in range(4):
        event_record(actor=officer, data=incident_at_amelias_home(committed_cast, reference=f"CLE-26-P{n}"))
    run_worker(batch=True)  # these four delivered before the dump
    for n in range(4, 7):
        event_record(actor=officer, data=incident_at_amelias_home(committed_cast, reference=f"CLE-26-P{n}"))
    close_old_connections()
    audit_checkpoint()
    delivered_before = set(receiver_ids(receiver))
    waiting = set(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, channel="webhook").values_list(
            "message_id", flat=True
        )
    )
    assert len(delivered_before) == 4 and len(waiting) == 3

    server = connection.settings_dict
    where = ["-h", server["HOST"], "-p", str(server["PORT"]), "-U", server["USER"]]
    dump = tmp_path / "openmash.dump"
    subprocess.run([_pg_tool("pg_dump"), *where, "-Fc", "-f", str(dump), server["NAME"]], check=True)
    restored = f"openmash_restored_{uuid.uuid4().hex[:8]}"
    subprocess.run([_pg_tool("createdb"), *where, restored], check=True)
    try:
        subprocess.run(
            [_pg_tool("pg_restore"), *where, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            check=True,
        )
        receiver.received.clear()
        url = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/{restored}"
        env = process_env(
            DATABASE_URL=url,
            OPENMASH_AUDIT_KEY=settings.AUDIT_KEY.decode()
            if isinstance(settings.AUDIT_KEY, bytes)
            else settings.AUDIT_KEY,
            OPENMASH_AUDIT_CHECKPOINTS=str(settings.AUDIT_CHECKPOINTS),
            PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        )
        worker = subprocess.run(
            [OPENMASH, "worker", "--batch"], env=env, capture_output=True, text=True, timeout=120
        )
        assert worker.returncode == 0, worker.stderr
        after = collections.Counter(receiver_ids(receiver))
        assert set(after) == waiting and max(after.values()) == 1
        assert not set(after) & delivered_before
        verified = subprocess.run(
            [OPENMASH, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120
        )
        assert verified.returncode == 0, verified.stderr
        assert "Audit trail intact" in verified.stdout
        with psycopg.connect(
            host=server["HOST"], port=server["PORT"], user=server["USER"], dbname=restored
        ) as db:
            rows = db.execute(
                "SELECT d.status, (SELECT count(*) FROM sharing_deliveryattempt a "
                "WHERE a.delivery_id = d.id AND a.succeeded) FROM sharing_delivery d"
            ).fetchall()
        assert rows and set(rows) == {("delivered", 1)}, "every delivery once: none lost, none twice"
    finally:
        receiver.close()
        subprocess.run([_pg_tool("dropdb"), *where, "--force", restored], check=False)


def receiver_ids(receiver: Receiver) -> list[str]:
    return [message["headers"]["webhook-id"] for message in receiver.received]
