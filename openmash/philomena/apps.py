from django.apps import AppConfig


class PhilomenaConfig(AppConfig):
    name = "openmash.philomena"
    verbose_name = "Philomena profiles"
    # Its follow-up of a missing report is named in philomena/followups.py, loaded by the events app.
