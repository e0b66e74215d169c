"""Measures read from a read replica when one is configured (lib/replica.py; issue 16, docs/deployment.md).

Proved with two SQLite files that differ: the "primary" lacks the council the "replica" has, so ``openmash
inspect`` finds the area only if its reads really go to the replica, and fails without one."""

import shutil
import sqlite3
import subprocess

import pytest

from openmash.lib.replica import REPLICA, ReplicaRouter, replica_reads
from tests.test_settings_and_cli import OPENMASH, ROOT, _cli_env


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_reads_in_the_block_to_a_configured_replica(settings):
    router = ReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    assert router.db_for_read(object) is None
    with replica_reads():
        assert router.db_for_read(object) == REPLICA
        assert (
            router.db_for_write(object) == "default"
        )  # writes (the audit of who looked) stay on the primary
    assert router.db_for_read(object) is None
    assert router.allow_migrate(REPLICA, "people") is False


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_without_a_replica_the_block_reads_from_the_primary(settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != REPLICA}
    with replica_reads():
        assert ReplicaRouter().db_for_read(object) is None


def test_inspect_reads_its_measures_from_the_replica(tmp_path):
    env = _cli_env(tmp_path)
    for step in (["migrate", "--no-input"], ["load-reference"]):
        subprocess.run([OPENMASH, *step], env=env, cwd=ROOT, check=True, capture_output=True)
    primary = tmp_path / "openmash.sqlite3"
    replica = tmp_path / "replica.sqlite3"
    with sqlite3.connect(primary) as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(primary, replica)
    with sqlite3.connect(primary) as database:
        deleted = database.execute("DELETE FROM organisations_organisation WHERE name = 'Bury'").rowcount
    assert deleted == 1
    command = [OPENMASH, "inspect", "--area", "Bury", "--from", "2026-01-01", "--to", "2026-01-31"]
    alone = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert alone.returncode != 0 and "Bury" in alone.stderr
    with_replica = subprocess.run(
        command,
        env={**env, "OPENMASH_REPLICA_URL": f"sqlite:///{replica}"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert with_replica.returncode == 0, with_replica.stderr
    assert '"domestic_abuse_notifications"' in with_replica.stdout
