from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkerConfig(AppConfig):
    """The background worker (``openmash worker``): sharing's deliveries and escalations, clocks' sweeps and
    the audit checkpoint in one loop, so it sits above sharing and clocks; and the periodic jobs the apps above
    it name in their ``jobs`` modules (worker/jobs.py). Its one model is its heartbeat (worker/models.py)."""

    name = "openmash.worker"

    def ready(self) -> None:
        # Each app above with periodic work names it in its own ``jobs`` module (worker/jobs.py explains why):
        # loaded here, once every app's models are ready, as the events app loads ``followups``.
        autodiscover_modules("jobs")
