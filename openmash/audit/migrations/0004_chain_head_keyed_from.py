"""Entries from here on are hashed with the audit key (HMAC-SHA256); the chain head records where that began.

A database that already has entries keeps them as they are (the table is append-only): they stay plain
SHA-256, and the first entry keyed is the one after the head. Only the head's table changes, so the audit
entries' table and its append-only triggers are untouched on both databases.
"""

from django.db import migrations, models


def keyed_from_the_next_entry(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    for head in AuditChainHead.objects.all():
        head.keyed_from = head.last_sequence + 1
        head.save(update_fields=["keyed_from"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_entry_hash_not_unique")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead", name="keyed_from", field=models.BigIntegerField(default=1)
        ),
        # Going back drops the column; keyed entries written since then no longer verify with the old code.
        migrations.RunPython(keyed_from_the_next_entry, migrations.RunPython.noop),
    ]
