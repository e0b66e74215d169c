from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openmash.audit"
