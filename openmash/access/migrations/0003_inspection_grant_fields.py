"""An inspection becomes an area's grant of access to a named inspection team: times rather than days, who
granted it and why, an early end, the team, and who drew each sampled case. The times are filled from the
days in the next migration, then required."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_without_indexes_covered_by_composites"),
        ("accounts", "0003_carer_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The days may be empty from here until they go (0005), so that going back fills them again (0004).
        migrations.AlterField(model_name="inspection", name="starts_on", field=models.DateField(null=True)),
        migrations.AlterField(model_name="inspection", name="ends_on", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="inspection", name="starts_at", field=models.DateTimeField(null=True)
        ),
        migrations.AddField(model_name="inspection", name="ends_at", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="inspection", name="reason", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="inspection",
            name="granted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="granted_by_label",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="inspection", name="granted_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="inspection", name="revoked_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="inspection",
            name="revoked_by_label",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="inspection", name="revoked_reason", field=models.TextField(blank=True)
        ),
        migrations.CreateModel(
            name="InspectionTeamMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="access.inspection",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("inspection", "user"), name="inspection_team_member_unique")
                ],
            },
        ),
        migrations.AddField(
            model_name="inspection",
            name="team",
            field=models.ManyToManyField(
                related_name="inspections_in", through="access.InspectionTeamMember", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="inspectionsample",
            name="drawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="inspectionsample",
            name="drawn_by_label",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="inspectionsample", name="seed", field=models.BigIntegerField(blank=True, null=True)
        ),
    ]
