from django.db import migrations, models


def organisations_fill(apps, schema_editor):
    """A key stored before this migration belongs to its API client's organisation."""
    ApiClient = apps.get_model("accounts", "ApiClient")
    IdempotentRequest = apps.get_model("sharing", "IdempotentRequest")
    for client in ApiClient.objects.filter(
        pk__in=IdempotentRequest.objects.values("api_client_id")
    ).only("pk", "organisation_id"):
        IdempotentRequest.objects.filter(api_client_id=client.pk).update(organisation_id=client.organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_team"),
        ("sharing", "0005_share_event_covered_by_unique"),
    ]

    # Keys were unique per API client and ignored the URL: the same key on another endpoint (a found report
    # for another child) replayed the first answer. Answers stored before are kept; their path is
    # unknown (left empty), so no later request matches them: a retry in flight across the upgrade records anew.
    operations = [
        migrations.RemoveConstraint(model_name="idempotentrequest", name="idempotency_key_unique"),
        migrations.AddField(
            model_name="idempotentrequest",
            name="organisation_id",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentrequest",
            name="method",
            field=models.CharField(default="POST", max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentrequest",
            name="path",
            field=models.CharField(default="", max_length=300),
            preserve_default=False,
        ),
        migrations.RunPython(organisations_fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="idempotentrequest",
            constraint=models.UniqueConstraint(
                fields=("organisation_id", "method", "path", "key"), name="idempotency_key_unique"
            ),
        ),
    ]
