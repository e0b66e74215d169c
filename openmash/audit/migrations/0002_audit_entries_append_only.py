"""The database itself refuses to change or remove audit entries, whatever code runs against it."""

from django.conf import settings
from django.db import migrations

SQLITE = [
    (
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
        "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    ),
    (
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
        "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
    ),
]
POSTGRESQL = [
    (
        "CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$;",
        "DROP FUNCTION IF EXISTS audit_entry_refuse_change();",
    ),
    (
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();",
        "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;",
    ),
    (
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();",
        "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;",
    ),
]


def _statements(schema_editor):
    if not settings.AUDIT_APPEND_ONLY_TRIGGERS:
        return []
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])


def forwards(apps, schema_editor):
    for create, _drop in _statements(schema_editor):
        schema_editor.execute(create)


def backwards(apps, schema_editor):
    for _create, drop in reversed(_statements(schema_editor)):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
