from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class EventsConfig(AppConfig):
    name = "openmash.events"

    def ready(self) -> None:
        # Each app above that writes something with a kind of event names it in its own ``followups`` module
        # (events/followups.py explains why): loaded here, once every app's models are ready, as Django loads
        # each app's admin module.
        autodiscover_modules("followups")
