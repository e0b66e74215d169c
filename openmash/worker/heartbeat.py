"""The worker's heartbeat (worker.models.Heartbeat): written by the loop, read by the readiness check and the
metrics (openmash.operations)."""

import datetime as dt

from django.utils import timezone

from openmash.database import write_transaction
from openmash.worker.models import Heartbeat

# How often a running worker stamps its row. Readiness allows a minute (OPENMASH_READY_WORKER_SECONDS), so a
# worker busy with one long batch (a slow webhook, at most its timeout) is not taken for a stopped one.
BEAT_SECONDS = 10.0
# Rows of workers not heard from in this long are removed (a host renamed, a process that was killed).
FORGET_AFTER = dt.timedelta(days=1)


def heartbeat_beat(worker: str) -> None:
    """Stamp this worker's row (one short write transaction every BEAT_SECONDS)."""
    now = timezone.now()
    with write_transaction():
        updated = Heartbeat.objects.filter(worker=worker).update(beat_at=now)
        if not updated:
            Heartbeat.objects.create(worker=worker, started_at=now, beat_at=now)
            Heartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def heartbeat_latest() -> dt.datetime | None:
    """When any worker last beat, or None if none ever has."""
    return Heartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
