"""An inspection's access runs between two times, the later after the earlier; the days go."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0004_inspection_times_from_days")]

    operations = [
        migrations.RemoveConstraint(model_name="inspection", name="inspection_dates"),
        migrations.RemoveField(model_name="inspection", name="starts_on"),
        migrations.RemoveField(model_name="inspection", name="ends_on"),
        migrations.AlterField(model_name="inspection", name="starts_at", field=models.DateTimeField()),
        migrations.AlterField(model_name="inspection", name="ends_at", field=models.DateTimeField()),
        migrations.AlterModelOptions(name="inspection", options={"ordering": ["-starts_at"]}),
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="inspection_access_times"
            ),
        ),
    ]
