from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "openmash.organisations"
    verbose_name = "Organisations"
