import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0005_without_indexes_covered_by_composites")]

    # The foreign key had an index of its own that event_subject_unique (event, person) already covers. Only
    # the index is dropped: Django's own AlterField would rebuild the table on SQLite.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="eventsubject",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="events.event",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "events_eventsubject_event_id_f7eeec31"',
                    'CREATE INDEX "events_eventsubject_event_id_f7eeec31" ON "events_eventsubject" ("event_id")',
                ),
            ],
        ),
    ]
