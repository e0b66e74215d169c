from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """Recording an event and acting on a share: the write path that calls routing, deadlines, delivery
    planning and clock starts, so it sits above sharing and clocks (docs/decisions/0013-app-layers.md).
    It has no models of its own: it writes the events, sharing and clocks apps' rows."""

    name = "openmash.recording"
