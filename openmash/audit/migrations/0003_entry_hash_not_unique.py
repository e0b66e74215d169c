"""Drop the unique index on entry_hash (see AuditEntry.entry_hash).

SQLite cannot drop an inline unique constraint: Django rebuilds the table, and the append-only triggers of
0002 go with the old table, so they are installed again on the new one straight after. PostgreSQL drops the
constraint in place and keeps its triggers.
"""

from importlib import import_module

from django.db import migrations, models

append_only = import_module("openmash.audit.migrations.0002_audit_entries_append_only")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        append_only.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_entries_append_only")]

    operations = [
        migrations.AlterField(
            model_name="auditentry", name="entry_hash", field=models.CharField(max_length=64)
        ),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
