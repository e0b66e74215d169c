from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "openmash.merging"
    verbose_name = "Duplicate records"
