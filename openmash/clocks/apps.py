from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "openmash.clocks"
    label = "clocks"
    verbose_name = "Statutory clocks"
