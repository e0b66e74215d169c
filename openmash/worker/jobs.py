"""Periodic work the worker runs for the apps above it.

The worker sits below the apps whose work it runs now and then (the national comparison of the partnership
dashboard lives in ``insight``, above it: docs/decisions/0013-app-layers.md), so such an app names its job here
when Django starts (in its own ``jobs`` module, which the worker app loads in its ``AppConfig.ready``), as
``events.followups`` does for recording. The worker loop asks ``JobRunner.start_due`` on each turn; a job that
has fallen due runs on a thread of its own with its own database connection, so a job that reads for seconds
does not hold up deliveries, and one job never runs twice at once in a process. Each job is responsible for being
safe when several workers run it (a claim in the database, or work that does no harm done twice).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float  # how often the worker asks it; the job decides what is due
    run: Callable[[], object]


_JOBS: dict[str, Job] = {}


def register(name: str, *, every_seconds: float, run: Callable[[], object]) -> None:
    """Run ``run`` on a worker thread every ``every_seconds`` (the first time soon after the worker starts).
    Registering a name again replaces its job."""
    _JOBS[name] = Job(name, every_seconds, run)


def registered() -> dict[str, Job]:
    return dict(_JOBS)


def _run(job: Job) -> None:
    try:
        job.run()
    except Exception:
        # A job that fails is logged and tried again at its next turn; it must never end the worker.
        logger.exception("Worker job %s failed; it is tried again at its next turn", job.name)
    finally:
        connection.close()  # the thread's own connection


class JobRunner:
    """Starts each registered job when its time comes, one thread a job at a time."""

    def __init__(self, jobs: Callable[[], dict[str, Job]] = registered) -> None:
        self._jobs = jobs
        self._last: dict[str, float] = {}
        self._threads: dict[str, threading.Thread] = {}

    def start_due(self, now: float | None = None) -> list[threading.Thread]:
        """Start every job whose time has come and that is not still running; the threads started."""
        now = time.monotonic() if now is None else now
        started = []
        for name, job in self._jobs().items():
            running = self._threads.get(name)
            if running is not None and running.is_alive():
                continue
            if now - self._last.get(name, -float("inf")) < job.every_seconds:
                continue
            self._last[name] = now
            thread = threading.Thread(target=_run, args=(job,), name=f"openmash-job-{name}", daemon=True)
            thread.start()
            self._threads[name] = thread
            started.append(thread)
        return started

    def wait(self, timeout: float) -> None:
        """Let the jobs still running finish (each for up to ``timeout`` seconds), as the worker stops."""
        for thread in self._threads.values():
            thread.join(timeout)
