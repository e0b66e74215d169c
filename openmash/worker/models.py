"""The worker's heartbeat: each running worker stamps its row every few seconds, so that a load balancer's
readiness check (operations.checks) and the metrics can tell a worker that has stopped from one with nothing
to do."""

from django.db import models


class Heartbeat(models.Model):
    # worker.loop.worker_id(): host, process id and a few random characters.
    worker = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%H:%M:%S}"
