"""The worker's lease finds the pending deliveries by an index of pending deliveries only, whatever the server
thinks of the table: after an import the deliveries are mostly history, and a walk of all of them by id took
about a second a lease on PostgreSQL (the letter-2016 scenario ran for tens of minutes)."""

import datetime as dt

import pytest
from django.db import connection

from openmash.sharing.outbox import _CLAIM

pytestmark = pytest.mark.django_db


def test_the_lease_reads_the_index_of_pending_deliveries():
    now = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table of a few rows would be read whole, whatever the indexes; the plan for a large one is
            # what is checked.
            # Nor, here, a sort of the pending ones found by status: what is left is a walk by id, and the
            # test is that it is the walk of the pending ones, not of every delivery.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(
                "EXPLAIN " + _CLAIM.format(lock="FOR UPDATE SKIP LOCKED"), [at, "worker", at, at, 50]
            )
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + _CLAIM.format(lock=""), [at, "worker", at, at, 50])
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert "delivery_pending_idx" in plan
    else:
        # SQLite takes the pending ones by status (then sorts the few): never every delivery.
        assert "delivery_pending_idx" in plan or "delivery_due_idx (status=?" in plan
        assert "SCAN d" not in plan
