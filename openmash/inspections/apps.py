from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    """Inspection access (issue 16): an area's administrators grant a named inspection team time-limited access
    to the area; while it runs the team reads the area's measures, downloads the lists inspectors ask for
    (Annex A 5, 7, 8) and opens a random sample of cases drawn by the product; the area sees who looked at what.
    It reads insight's measures and the apps below, so it sits above insight (docs/decisions/0013). The grants
    themselves, and who may do what, are access's (``access.models.Inspection``, ``access.policy``)."""

    name = "openmash.inspections"
