from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """The background worker (``openmash worker``): sharing's deliveries and escalations, clocks' sweeps and
    the audit checkpoint in one loop, so it sits above sharing and clocks. Its one model is its
    heartbeat (worker/models.py)."""

    name = "openmash.worker"
