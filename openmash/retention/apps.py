from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """How long each kind of record is kept, an area's own figures, legal holds, and the run that removes or
    anonymises what has passed its date. It reads and changes records of every app below, so it sits beside
    insight (docs/decisions/0013-app-layers.md)."""

    name = "openmash.retention"
