"""The candidate keys narrowed by first letters (matching.keys, issue 14's intake cost): every person's keys
made again from the features already in the index. Derived rows only; nothing else changes."""

from django.db import migrations

from openmash.matching.features import from_json
from openmash.matching.keys import stored_keys

CHUNK = 5_000


def rekey(apps, schema_editor):
    profiles = apps.get_model("matching", "MatchProfile")
    keys = apps.get_model("matching", "MatchKey")
    keys.objects.all().delete()
    batch = []
    for person_id, features in profiles.objects.values_list("person_id", "features").iterator(CHUNK):
        batch += [keys(person_id=person_id, key=key) for key in sorted(stored_keys(from_json(features)))]
        if len(batch) >= CHUNK:
            keys.objects.bulk_create(batch)
            batch = []
    keys.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
