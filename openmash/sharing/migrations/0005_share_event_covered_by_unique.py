import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sharing", "0004_without_indexes_covered_by_composites")]

    # The foreign key had an index of its own that share_one_per_recipient (event, recipient) already
    # covers. Only the index is dropped: Django's own AlterField would rebuild the table on SQLite.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="share",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="shares",
                        to="events.event",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "sharing_share_event_id_4e8ce392"',
                    'CREATE INDEX "sharing_share_event_id_4e8ce392" ON "sharing_share" ("event_id")',
                ),
            ],
        ),
    ]
