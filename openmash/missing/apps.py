from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "openmash.missing"
    verbose_name = "Missing children"
    default_auto_field = "django.db.models.BigAutoField"
