"""Reads sent to a PostgreSQL read replica, where one server is not enough (issue 16; docs/deployment.md).

The measures of an area read a year of shares, clocks, meetings and episodes: heavy reads that need not be to
the second (a replica runs a moment behind) and should not compete with recording on the primary. With
``OPENMASH_REPLICA_URL`` set, code inside ``replica_reads()`` reads from the replica; everything else, and every
write (the audit of who looked included), goes to the primary as before. Without it, the block reads from the
primary: the same answers, one server.

A context variable rather than a thread-local, so that it holds for the one request or command that set it
(also under ASGI) and for nothing else.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("openmash_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside the block, the ORM's reads go to the replica when one is configured."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS): reads inside ``replica_reads`` to the replica;
    every write, relation and migration to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied: a row read from the replica is the primary's row

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the replica is migrated by replication, never directly
