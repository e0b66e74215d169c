"""The worker process: stamp its heartbeat (worker/heartbeat.py), deliver what is due (sharing/delivery.py), escalate shares past their deadline
(sharing.services.escalate_overdue), record clocks that ran out (clocks.services.clocks_sweep_breaches),
append the audit trail's checkpoint, and start the periodic jobs of the apps above it that have fallen due, each
on its own thread (worker/jobs.py: the dashboard's national comparison); then wait for more. It runs sharing's and clocks' work, so it sits above
both (docs/decisions/0013-app-layers.md); ``openmash worker`` is its command (worker/management/commands).
"""

import logging
import os
import select
import socket
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection

from openmash.audit.services import audit_checkpoint
from openmash.clocks.services import clocks_sweep_breaches
from openmash.lib.requestid import request_id
from openmash.sharing.delivery import BATCH_SIZE, run_once
from openmash.sharing.outbox import WAKE_CHANNEL
from openmash.sharing.services import escalate_overdue
from openmash.worker.heartbeat import BEAT_SECONDS, heartbeat_beat
from openmash.worker.jobs import JobRunner
from openmash.worker.metrics import worker_metrics_serve

logger = logging.getLogger(__name__)

# How often an idle worker on SQLite checks whether another process has committed.
SQLITE_CHECK_SECONDS = 0.003
# How long a busy worker lets the next batch gather (see run_worker).
GATHER_SECONDS_EACH = 0.001
GATHER_SECONDS_MOST = 0.05
# How long a stopping worker lets a periodic job still running finish (worker/jobs.py).
JOB_WAIT_SECONDS = 60.0


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Waiter:
    """Sleeps until there may be work: a PostgreSQL NOTIFY, or a short poll on SQLite."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self._listening_on: object = None
        self._woken = False

    def _on_notify(self, _notification: object) -> None:
        self._woken = True

    def wait(self) -> None:
        if connection.vendor == "sqlite":
            self._wait_sqlite()
            return
        if connection.vendor != "postgresql":
            time.sleep(self.poll_seconds)
            return
        connection.ensure_connection()
        raw = connection.connection
        if self._listening_on is not raw:  # first time, or the connection was replaced
            # Notifications that arrive during other queries reach the handler, so none is missed.
            raw.add_notify_handler(self._on_notify)
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {WAKE_CHANNEL}")
            self._listening_on = raw
        if not self._woken:
            # Wait on the socket; retries and deadlines still come round every second at most.
            select.select([raw.fileno()], [], [], max(self.poll_seconds, 1.0))
            for _notification in raw.notifies(timeout=0, stop_after=1000):
                pass
        self._woken = False

    def _wait_sqlite(self) -> None:
        """Until another connection commits (PRAGMA data_version changes) or the poll interval ends. A few
        microseconds a check, so a share recorded by the app is picked up within milliseconds."""
        deadline = time.monotonic() + self.poll_seconds
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            seen = cursor.fetchone()[0]
            while time.monotonic() < deadline:
                time.sleep(SQLITE_CHECK_SECONDS)
                cursor.execute("PRAGMA data_version")
                if cursor.fetchone()[0] != seen:
                    return


def _audit_checkpoint(me: str) -> None:
    """Sign and append the audit chain's head if it moved (docs/decisions/0011). Several workers may append
    the same checkpoint, which does no harm; a checkpoint file that cannot be written is logged and does not
    stop deliveries."""
    try:
        audit_checkpoint()
    except OSError:
        logger.exception("Delivery worker %s: could not append to the audit checkpoint file", me)


def run_worker(
    *, poll_seconds: float = 0.05, stop: Callable[[], bool] = lambda: False, batch: bool = False
) -> None:
    """The worker loop: deliver what is due, escalate what is overdue, wait for more."""
    me = worker_id()
    waiter = Waiter(poll_seconds)
    if settings.WORKER_METRICS_PORT and not batch:
        worker_metrics_serve(settings.WORKER_METRICS_ADDRESS, settings.WORKER_METRICS_PORT)
    request_id.set("")  # no request's: each delivery's log lines name the request that recorded its share
    logger.info("Delivery worker %s started", me)
    last_sweep = last_checkpoint = last_beat = -float("inf")
    # Periodic jobs only in a long-running worker: ``--batch`` delivers what is due now and exits.
    jobs = None if batch else JobRunner()
    while not stop():
        try:
            if time.monotonic() - last_beat > BEAT_SECONDS:
                # Before the batch: a worker that beats is one that reaches the database and loops.
                heartbeat_beat(me)
                last_beat = time.monotonic()
            done = run_once(me, BATCH_SIZE)
            if time.monotonic() - last_sweep > 15:
                escalate_overdue()
                clocks_sweep_breaches()
                last_sweep = time.monotonic()
            if time.monotonic() - last_checkpoint > settings.AUDIT_CHECKPOINT_SECONDS:
                _audit_checkpoint(me)
                last_checkpoint = time.monotonic()
            if jobs is not None:
                jobs.start_due()
        except DatabaseError:
            # A busy or unreachable database must not end the worker: what it was doing stays leased or
            # pending and is picked up again once the lease runs out.
            logger.exception("Delivery worker %s: database error; retrying in a second", me)
            connection.close()
            time.sleep(1)
            continue
        if batch and done == 0:
            return
        if done == 0:
            waiter.wait()
        elif done < BATCH_SIZE and not batch:
            # Let the next batch gather for a moment, the longer the busier: a millisecond for each delivery
            # just made, at most 50 ms. Under load one worker transaction then carries many deliveries
            # instead of a few for every commit of the app (and on SQLite each commit costs every other
            # connection its page cache); at a few incidents a second a share still waits only milliseconds.
            time.sleep(min(GATHER_SECONDS_MOST, GATHER_SECONDS_EACH * done))
    if jobs is not None:
        jobs.wait(JOB_WAIT_SECONDS)
