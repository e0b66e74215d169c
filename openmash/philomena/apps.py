from django.apps import AppConfig


class PhilomenaConfig(AppConfig):
    name = "openmash.philomena"
    verbose_name = "Philomena profiles"

    def ready(self) -> None:
        # A missing report releases the child's profile to the police in the report's own transaction.
        from openmash.events import followups
        from openmash.events.models import EventKind
        from openmash.philomena.services import profile_release_on_missing_report

        followups.register(EventKind.MISSING, profile_release_on_missing_report)
