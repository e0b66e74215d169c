from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Measures across an area's cases, for inspectors and those who answer for the area: they read every
    app below (people, clocks, meetings, casework), so they sit above them (docs/decisions/0013-app-layers.md).
    Its one model is the national comparison the worker stores (insight/models.py, insight/jobs.py)."""

    name = "openmash.insight"
