from django.apps import AppConfig


class VettingConfig(AppConfig):
    name = "openmash.vetting"
    verbose_name = "Vetting (DBS) checks"
