"""The audit trail: every write and read recorded, hash-chained, tampering found."""

import datetime as dt
import sqlite3
import subprocess
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AppendOnlyError, AuditAction, AuditChainHead, AuditEntry
from openmash.audit.services import (
    _PLANNED_NAMES,
    AuditInput,
    _canonical,
    _hashed_fields,
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
