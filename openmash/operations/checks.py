"""The readiness checks a load balancer asks /readyz for (django-health-check's HealthCheck): the database
answers (the library's own check), every migration is applied, a worker has beaten within a minute, and the
delivery backlog is below its limit. Each raises ServiceUnavailable saying what is wrong; /readyz answers 503
naming it (operations.views)."""

import dataclasses
import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.checks import Database as LibraryDatabase
from health_check.exceptions import ServiceUnavailable

from openmash.operations import selectors


@dataclasses.dataclass
class Database(LibraryDatabase):
    """The database answers ``SELECT 1`` (django-health-check's check, named for the answer)."""

    name = "database"


class _InRequestThread(HealthCheck):
    """A check that reads through the request's own database connection: run in the request's thread
    (asgiref's thread-sensitive call) rather than another, which would open a connection of its own."""

    name = ""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        raise NotImplementedError


# Once every migration is applied in a process it stays so (new migrations come with new code, in a new
# process): remembered, since loading the migration graph costs far more than the other checks.
_migrated = False


@dataclasses.dataclass
class Migrations(_InRequestThread):
    name = "migrations"

    def check(self) -> None:
        global _migrated
        if _migrated:
            return
        try:
            executor = MigrationExecutor(connection)
            waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("could not read the applied migrations") from error
        if waiting:
            raise ServiceUnavailable(f"{len(waiting)} migration(s) not applied: run `openmash migrate`")
        _migrated = True


def migrations_forget() -> None:
    """Check the migrations afresh at the next request (for tests)."""
    global _migrated
    _migrated = False


@dataclasses.dataclass
class Worker(_InRequestThread):
    name = "worker"

    def check(self) -> None:
        most = dt.timedelta(seconds=settings.READY_WORKER_SECONDS)
        silence = selectors.worker_silence()
        if silence is None:
            raise ServiceUnavailable("no worker has ever run: start `openmash worker`")
        if silence > most:
            raise ServiceUnavailable(
                f"no worker heartbeat for {int(silence.total_seconds())} seconds "
                f"(at most {int(most.total_seconds())} allowed)"
            )


@dataclasses.dataclass
class Backlog(_InRequestThread):
    name = "backlog"

    def check(self) -> None:
        most = settings.READY_BACKLOG_MOST
        waiting = selectors.backlog_at_least(most)
        if waiting >= most:
            raise ServiceUnavailable(f"{waiting} or more deliveries waiting (fewer than {most} allowed)")


READINESS = (Database, Migrations, Worker, Backlog)
