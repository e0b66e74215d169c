"""The audit trail: every write and read recorded, hash-chained, tampering found."""

import datetime as dt
import hashlib
import hmac
import json
import sqlite3
import subprocess
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.accounts.actors import actor_for_user
from openmash.audit.checkpoints import checkpoint_append
from openmash.audit.models import AppendOnlyError, AuditAction, AuditChainHead, AuditEntry
from openmash.audit.services import (
    _PLANNED_NAMES,
    GENESIS_HASH,
    AuditInput,
    _canonical,
    _hashed_fields,
    audit_checkpoint,
    audit_entries,
    audit_record,
    audit_verify,
)


def _table() -> str:
    return AuditEntry._meta.db_table


def _write_entries(cast, count=5):
    actor = actor_for_user(cast.users["social.worker"])
    person = cast.people["Amelia Hart"]
    with transaction.atomic():
        return [
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="person",
                object_id=person.pk,
                person_id=person.pk,
                reason=f"test {i}",
            )
            for i in range(count)
        ]


def test_chain_of_real_activity_verifies(cast):
    _write_entries(cast)
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == AuditEntry.objects.count()
    assert result.checked > 5


def test_changed_entry_is_found(cast):
    entries = _write_entries(cast)
    target = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET reason = %s WHERE sequence = %s", ["nothing to see", target.sequence]
        )
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_sequence == target.sequence
    assert "changed" in result.problem


def test_removed_entry_is_found(cast):
    entries = _write_entries(cast)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE sequence = %s", [entries[1].sequence])
    result = audit_verify()
    assert result.first_broken_sequence == entries[1].sequence
    assert "missing" in result.problem


def test_removed_last_entry_is_found_through_the_head(cast):
    entries = _write_entries(cast)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE sequence = %s", [entries[-1].sequence])
    result = audit_verify()
    assert result.first_broken_sequence == entries[-1].sequence


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link(cast):
    entries = _write_entries(cast)
    target = entries[1]
    from openmash.audit.services import _hashed_fields, entry_hash

    target.reason = "forged"
    forged = entry_hash(previous_hash=target.previous_hash, fields=_hashed_fields(target))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET reason = %s, entry_hash = %s WHERE sequence = %s",
            ["forged", forged, target.sequence],
        )
    result = audit_verify()
    assert result.first_broken_sequence == entries[2].sequence


def test_verify_command_reports_first_broken_link(cast, capsys):
    entries = _write_entries(cast)
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET actor_label = %s WHERE sequence = %s",
            ["someone else", entries[3].sequence],
        )
    with pytest.raises(CommandError, match=f"#{entries[3].sequence}"):
        call_command("audit", "verify")


def test_model_refuses_change_and_removal(cast):
    entry = _write_entries(cast, 1)[0]
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_database_refuses_change_and_removal_once_the_triggers_are_installed(cast):
    from importlib import import_module

    migration = import_module("openmash.audit.migrations.0002_audit_entries_append_only")
    entry = _write_entries(cast, 1)[0]
    statements = {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRESQL}[connection.vendor]
    with connection.cursor() as cursor:
        for create, _drop in statements:
            cursor.execute(create)
    try:
        for sql in (
            f"UPDATE {_table()} SET reason = 'x' WHERE sequence = %s",
            f"DELETE FROM {_table()} WHERE sequence = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [entry.sequence])
    finally:
        with connection.cursor() as cursor:
            for _create, drop in reversed(statements):
                cursor.execute(drop)


def test_concurrent_style_appends_keep_one_unbroken_chain(cast):
    _write_entries(cast, 50)
    head = AuditChainHead.objects.get(id=1)
    last = AuditEntry.objects.order_by("-sequence").first()
    assert head.last_sequence == last.sequence and head.last_hash == last.entry_hash
    assert audit_verify().ok


def test_person_page_shows_who_has_looked(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    signed_in("police.officer").get(reverse("people:record", args=[amelia.pk]))
    response = signed_in("social.worker").get(reverse("people:record", args=[amelia.pk]))
    panel = response.text.split("Who has looked at this record", 1)[1]
    assert "Priya Shah (police.officer)" in panel
    assert "Cleveland Police" in panel and "E23000013" not in panel  # names, not codes
    assert "Dev Patel (social.worker)" in panel


def test_every_write_is_audited(cast):
    before = AuditEntry.objects.count()
    from openmash.people.services import person_create

    person_create(actor=actor_for_user(cast.users["social.worker"]), given_name="Ava", family_name="Stone")
    created = AuditEntry.objects.filter(sequence__gt=before, action=AuditAction.CREATE, object_type="person")
    assert created.count() == 1


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    label=_text,
    code=_text,
    action=_text,
    object_type=_text,
    object_id=_text,
    reason=_text,
    detail=st.dictionaries(_text, _json, max_size=4),
    actor_id=st.none() | st.integers(min_value=0),
    person=st.none() | st.uuids(),
    sequence=st.integers(min_value=1, max_value=10**12),
)
def test_planned_entry_hashes_exactly_as_verify_recomputes(
    label, code, action, object_type, object_id, reason, detail, actor_id, person, sequence
):
    """The chain hashes an entry from two pieces of JSON made before the lock and the time and sequence
    given under it; ``audit verify`` hashes the whole entry afresh. Both must give the same text."""
    actor = SimpleNamespace(id=actor_id, label=label, organisation_code=code)
    # Two entries sharing an actor and a detail, as an event's entries do (each is put in form once).
    given = [
        AuditInput(action, object_type, object_id, person, reason, detail),
        AuditInput(action, object_type, object_id + "2", None, reason, detail),
    ]
    at = dt.datetime(2026, 12, 2, 5, 1, 2, 345678, tzinfo=dt.UTC)
    stamp = f',"at":"{at.isoformat(timespec="microseconds")}",'
    for planned in audit_entries([(actor, item) for item in given]):
        entry = AuditEntry(**dict(zip(_PLANNED_NAMES, planned.values, strict=True)), sequence=sequence, at=at)
        assert f'{planned.head}{stamp}{planned.tail},"sequence":{sequence}}}' == _canonical(
            _hashed_fields(entry)
        )


def test_a_migrated_embedded_database_still_refuses_changes_to_the_trail(tmp_path):
    """Migration 0003 rebuilds the audit table on SQLite (to drop a unique index), which takes the triggers
    with it; it must install them again. A fresh database migrated by the real command, as an operator would."""
    from tests.test_settings_and_cli import OPENMASH, ROOT, _cli_env

    env = {**_cli_env(tmp_path), "OPENMASH_AUDIT_TRIGGERS": "true"}
    subprocess.run([OPENMASH, "migrate", "--no-input"], env=env, cwd=ROOT, check=True, capture_output=True)
    database = sqlite3.connect(tmp_path / "openmash.sqlite3")
    try:
        triggers = {
            name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {"audit_entry_no_update", "audit_entry_no_delete"} <= triggers
        database.execute(
            "INSERT INTO audit_auditentry (sequence, at, actor_label, organisation_code, action, object_type,"
            " object_id, reason, detail, previous_hash, entry_hash)"
            " VALUES (1, '2026-12-02 05:00:00', 'a', 'X', 'view', 'person', '', '', '{}', 'p', 'h')"
        )
        for sql in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                database.execute(sql)
    finally:
        database.close()


# Forgery by someone with the database: drop the triggers (the test settings have none), change an entry,
# hash the chain again and move the head, exactly as an attacker would. Before keyed hashes (decision 0011)
# the first of these passed `audit verify`.


def _plain_sha256(previous: str, fields: dict) -> str:
    """The hash as the code before decision 0011 made it, which anyone with the source can recompute."""
    return hashlib.sha256(f"{previous}|{_canonical(fields)}".encode()).hexdigest()


def _guessed_key(previous: str, fields: dict) -> str:
    message = f"{previous}|{_canonical(fields)}".encode()
    return hmac.new(b"a-guess-at-the-audit-key-0123456789abcdef", message, hashlib.sha256).hexdigest()


def _rehash_from(sequence: int, hashing, *, up_to: int | None = None) -> None:
    """Hash every entry from ``sequence`` (to ``up_to``) again with ``hashing`` and point the head at the end."""
    before = AuditEntry.objects.filter(sequence=sequence - 1).first()
    previous = before.entry_hash if before else GENESIS_HASH
    entries = AuditEntry.objects.filter(sequence__gte=sequence).order_by("sequence")
    if up_to is not None:
        entries = entries.filter(sequence__lte=up_to)
    rows, last = [], sequence - 1
    for entry in entries:
        digest = hashing(previous, _hashed_fields(entry))
        rows.append([previous, digest, entry.sequence])
        previous, last = digest, entry.sequence
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_table()} SET previous_hash = %s, entry_hash = %s WHERE sequence = %s", rows
        )
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            [last, previous],
        )


def _change(sequence: int, reason: str = "nothing to see") -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET reason = %s WHERE sequence = %s", [reason, sequence])


def test_entries_are_hashed_with_the_audit_key(cast):
    entry = _write_entries(cast, 1)[0]
    fields = _hashed_fields(entry)
    assert entry.entry_hash != _plain_sha256(entry.previous_hash, fields)
    expected = hmac.new(
        django_settings.AUDIT_KEY, f"{entry.previous_hash}|{_canonical(fields)}".encode(), hashlib.sha256
    )
    assert entry.entry_hash == expected.hexdigest()


def test_a_changed_entry_with_the_chain_and_head_hashed_again_in_sha256_is_found(cast):
    entries = _write_entries(cast)
    target = entries[1]
    _change(target.sequence)
    _rehash_from(target.sequence, _plain_sha256)
    result = audit_verify()
    assert result.first_broken_sequence == target.sequence
    assert "changed" in result.problem


def test_a_chain_hashed_again_without_the_key_is_found(cast):
    entries = _write_entries(cast)
    _change(entries[2].sequence)
    _rehash_from(entries[2].sequence, _guessed_key)
    assert audit_verify().first_broken_sequence == entries[2].sequence


def test_entries_added_at_the_end_without_the_key_are_found(cast):
    entries = _write_entries(cast, 2)
    last = entries[-1]
    extra = AuditEntry(**{name: getattr(last, name) for name in _PLANNED_NAMES}, at=last.at)
    extra.sequence, extra.previous_hash = last.sequence + 1, last.entry_hash
    extra.entry_hash = _plain_sha256(last.entry_hash, _hashed_fields(extra))
    extra.save()
    AuditChainHead.objects.filter(id=1).update(last_sequence=extra.sequence, last_hash=extra.entry_hash)
    assert audit_verify().first_broken_sequence == extra.sequence


def test_an_honest_chain_verifies_with_its_checkpoints(cast, capsys):
    _write_entries(cast)
    first, written = audit_checkpoint()
    assert written and first is not None
    assert audit_checkpoint() == (first, False)  # the head has not moved: nothing written
    _write_entries(cast)
    second, written = audit_checkpoint()
    assert written and second is not None and second.sequence == first.sequence + 5
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checkpoints == 2 and result.newest_checkpoint == second
    call_command("audit", "verify")
    assert f"2 checkpoints agree, the newest at entry #{second.sequence}" in capsys.readouterr().out


def test_removing_entries_back_past_a_checkpoint_is_found(cast, audit_checkpoints_of_this_test):
    entries = _write_entries(cast)
    checkpoint, _ = audit_checkpoint()
    assert checkpoint is not None and checkpoint.sequence == entries[-1].sequence
    # Everything from entries[2] on removed, and the head moved back so that it names the new last entry.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE sequence >= %s", [entries[2].sequence])
    AuditChainHead.objects.filter(id=1).update(
        last_sequence=entries[1].sequence, last_hash=entries[1].entry_hash
    )
    result = audit_verify()
    assert result.first_broken_sequence == entries[2].sequence
    assert f"entries after #{entries[1].sequence} are missing" in result.problem
    assert f"recorded #{checkpoint.sequence}" in result.problem


def test_a_checkpoint_with_a_bad_signature_is_reported(cast, audit_checkpoints_of_this_test):
    _write_entries(cast)
    checkpoint, _ = audit_checkpoint()
    assert checkpoint is not None
    path = audit_checkpoints_of_this_test
    path.write_text(path.read_text().replace(f'"sequence":{checkpoint.sequence}', '"sequence":1'))
    result = audit_verify()
    assert not result.ok
    assert "line 1" in result.problem and "bad signature" in result.problem
    with pytest.raises(CommandError, match="cannot be vouched for: the checkpoint on line 1"):
        call_command("audit", "verify")


def test_a_checkpoint_signed_with_another_key_is_reported(cast, audit_checkpoints_of_this_test):
    entries = _write_entries(cast, 1)
    checkpoint_append(
        audit_checkpoints_of_this_test,
        key=b"a-guess-at-the-audit-key-0123456789abcdef",
        sequence=entries[0].sequence,
        entry_hash=entries[0].entry_hash,
        keyed_from=1,
        at=dt.datetime.now(dt.UTC),
    )
    assert "bad signature" in audit_verify().problem


def _as_before_keyed_hashes() -> int:
    """The chain as a database written before decision 0011 holds it: every entry plain SHA-256, and the
    head keyed from the next entry (what migration 0004 records). The number of the last unkeyed entry."""
    _rehash_from(1, _plain_sha256)
    head = AuditChainHead.objects.get(id=1)
    head.keyed_from = head.last_sequence + 1
    head.save()
    return head.last_sequence


def test_entries_from_before_keyed_hashes_are_vouched_for_by_the_first_checkpoint(cast):
    last_unkeyed = _as_before_keyed_hashes()
    result = audit_verify()
    assert not result.ok and "no checkpoint vouches for them yet" in result.problem
    audit_checkpoint()
    _write_entries(cast, 3)  # keyed, after the unkeyed ones
    assert audit_verify().ok
    assert AuditEntry.objects.get(sequence=last_unkeyed + 1).entry_hash != _plain_sha256(
        AuditEntry.objects.get(sequence=last_unkeyed).entry_hash,
        _hashed_fields(AuditEntry.objects.get(sequence=last_unkeyed + 1)),
    )


def test_entries_from_before_keyed_hashes_rewritten_up_to_a_checkpoint_are_found(cast):
    last_unkeyed = _as_before_keyed_hashes()
    audit_checkpoint()
    _change(last_unkeyed - 3)
    _rehash_from(last_unkeyed - 3, _plain_sha256)
    result = audit_verify()
    assert result.first_broken_sequence == last_unkeyed
    assert f"the chain up to entry #{last_unkeyed} was rewritten" in result.problem


def test_moving_the_switch_to_keyed_hashes_later_is_found(cast):
    """An attacker who cannot key entries says they were written before keys were used, and hashes them
    again in plain SHA-256: the signed checkpoints record where keyed hashes began."""
    _write_entries(cast)
    audit_checkpoint()
    entries = _write_entries(cast)
    _change(entries[0].sequence)
    _rehash_from(entries[0].sequence, _plain_sha256)
    AuditChainHead.objects.filter(id=1).update(keyed_from=entries[-1].sequence + 1)
    result = audit_verify()
    assert not result.ok and "keyed from" in result.problem


def test_worker_writes_a_checkpoint_when_the_head_moved(cast, audit_checkpoints_of_this_test):
    from openmash.worker.loop import run_worker

    _write_entries(cast, 1)
    run_worker(batch=True)
    run_worker(batch=True)
    lines = audit_checkpoints_of_this_test.read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["sequence"] == AuditChainHead.objects.get(id=1).last_sequence


def test_checkpoint_commands(cast, tmp_path, capsys):
    call_command("audit", "checkpoint")
    assert "Checkpoint written" in capsys.readouterr().out
    call_command("audit", "checkpoint")
    assert "nothing written" in capsys.readouterr().out
    out = tmp_path / "copy.jsonl"
    call_command("audit", "checkpoints", "--out", str(out))
    assert "1 checkpoints written" in capsys.readouterr().out
    assert audit_verify(checkpoints=out).checkpoints == 1


@pytest.mark.django_db(transaction=True)
def test_migration_0004_keys_entries_after_those_already_written(cast):
    """On the database under test (SQLite or PostgreSQL): a chain written before keyed hashes, the audit app
    migrated back to 0003 and forward again, as an existing database is."""
    from django.db.migrations.executor import MigrationExecutor

    last_unkeyed = _as_before_keyed_hashes()
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0003_entry_hash_not_unique")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("audit", "0004_chain_head_keyed_from")])
    assert AuditChainHead.objects.get(id=1).keyed_from == last_unkeyed + 1
    audit_checkpoint()
    _write_entries(cast, 2)
    assert audit_verify().ok


def test_an_embedded_database_from_before_keyed_hashes_migrates_and_verifies(tmp_path):
    """A real SQLite database, triggers and all, holding entries hashed before decision 0011: migrated by the
    real command, it asks for a checkpoint, then verifies; the table still refuses changes."""
    from tests.test_settings_and_cli import OPENMASH, ROOT, _cli_env

    env = {**_cli_env(tmp_path), "OPENMASH_AUDIT_TRIGGERS": "true"}

    def openmash(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [OPENMASH, *args], env=env, cwd=ROOT, check=check, capture_output=True, text=True
        )

    openmash("migrate", "audit", "0003", "--no-input")
    database = sqlite3.connect(tmp_path / "openmash.sqlite3")
    previous = GENESIS_HASH
    for sequence in (1, 2, 3):
        entry = AuditEntry(
            sequence=sequence,
            at=dt.datetime(2026, 12, 2, 5, 0, sequence, tzinfo=dt.UTC),
            actor_label="a",
            organisation_code="X",
            action="view",
            object_type="person",
        )
        digest = _plain_sha256(previous, _hashed_fields(entry))
        database.execute(
            "INSERT INTO audit_auditentry (sequence, at, actor_label, organisation_code, action, object_type,"
            " object_id, reason, detail, previous_hash, entry_hash)"
            f" VALUES (?, '2026-12-02 05:00:0{sequence}', 'a', 'X', 'view', 'person', '', '', '{{}}', ?, ?)",
            [sequence, previous, digest],
        )
        previous = digest
    database.execute(
        "INSERT INTO audit_auditchainhead (id, last_sequence, last_hash) VALUES (1, 3, ?)", [previous]
    )
    database.commit()
    database.close()

    openmash("migrate", "--no-input")
    refused = openmash("audit", "verify", check=False)
    assert refused.returncode == 1 and "no checkpoint vouches for them yet" in refused.stderr
    assert "Checkpoint written" in openmash("audit", "checkpoint").stdout
    assert "Audit trail intact: 3 entries checked, 1 checkpoints agree" in openmash("audit", "verify").stdout
    database = sqlite3.connect(tmp_path / "openmash.sqlite3")
    try:
        assert database.execute("SELECT keyed_from FROM audit_auditchainhead").fetchone() == (4,)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            database.execute("UPDATE audit_auditentry SET reason = 'x'")
    finally:
        database.close()
