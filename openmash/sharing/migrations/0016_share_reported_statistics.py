"""Statistics on a share's reported time (when reported to police, else when it happened), PostgreSQL only.

The measures (insight.measures: domestic-abuse notifications, Operation Encompass) choose shares by
``COALESCE(reported_at, occurred_at)`` within a period. Without statistics on that expression PostgreSQL guessed
a period's year held 0.1% of the shares, and joined 1.5 million of them to their events one index look-up at a
time (8 s at a national year); with them it hashes the join (4 s; docs/performance.md, issue 16). Statistics are
gathered by ANALYZE (autovacuum), never on insert: recording pays nothing. SQLite has no such thing.
"""

from django.db import migrations

CREATE = "CREATE STATISTICS IF NOT EXISTS share_reported_stats ON (COALESCE(reported_at, occurred_at)) FROM sharing_share"
DROP = "DROP STATISTICS IF EXISTS share_reported_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE sharing_share")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0015_route_received_the_details")]

    operations = [migrations.RunPython(create, drop)]
