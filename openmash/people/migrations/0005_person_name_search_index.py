"""Person search by any part of a name, indexed on both databases (docs/performance.md, "Person search").

Every name gets ``search_key`` (lib.names.search_key, worked out in Python on every write path: the ORM's and
the direct inserts of recording). The index differs between the databases:

- PostgreSQL: pg_trgm's trigram GIN index on ``search_key``, which serves ``LIKE '%word%'`` and similarity
  (``%``). pg_trgm is a trusted extension: the database's owner may create it.
- SQLite: an FTS5 table with the trigram tokenizer holding ``search_key`` by the name's row id (an external
  content table, nothing stored twice), kept current by triggers on every insert, update and delete, whatever
  writes the row. A later migration that remakes ``people_personname`` on SQLite drops the triggers with the
  old table: tests/test_person_search.py fails if they are missing.
"""

from django.db import migrations, models

from openmash.lib.names import search_key

CHUNK = 2000

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_name_search_trgm_idx ON people_personname "
    "USING gin (search_key gin_trgm_ops)",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS person_name_search_trgm_idx"]

SQLITE = [
    "CREATE VIRTUAL TABLE people_personname_search USING fts5("
    "search_key, content='people_personname', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER people_personname_search_insert AFTER INSERT ON people_personname BEGIN "
    "INSERT INTO people_personname_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER people_personname_search_delete AFTER DELETE ON people_personname BEGIN "
    "INSERT INTO people_personname_search(people_personname_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER people_personname_search_update AFTER UPDATE ON people_personname BEGIN "
    "INSERT INTO people_personname_search(people_personname_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO people_personname_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "INSERT INTO people_personname_search(people_personname_search) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS people_personname_search_insert",
    "DROP TRIGGER IF EXISTS people_personname_search_delete",
    "DROP TRIGGER IF EXISTS people_personname_search_update",
    "DROP TABLE IF EXISTS people_personname_search",
]


def fill_search_keys(apps, schema_editor):
    PersonName = apps.get_model("people", "PersonName")
    last = 0
    while True:
        names = list(PersonName.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not names:
            return
        for name in names:
            name.search_key = search_key(name.given_name, name.family_name)
        PersonName.objects.bulk_update(names, ["search_key"])
        last = names[-1].pk


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_no_index_on_person_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="personname",
            name="search_key",
            field=models.CharField(default="", max_length=210),
            preserve_default=False,
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
