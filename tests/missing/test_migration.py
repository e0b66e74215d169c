"""Missing and found reports recorded before episodes existed become episodes (migration 0002)."""

import importlib

from django.apps import apps

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.missing.models import MissingEpisode
from openmash.recording.services import EventInput, PersonInput, event_record

from .conftest import ago

migration = importlib.import_module("openmash.missing.migrations.0002_episodes_from_reports")


def test_reports_recorded_before_episodes_become_episodes(cast):
    officer = actor_for_user(cast.users["police.officer"])
    amelia = cast.people["Amelia Hart"]
    # As the service recorded them before: events only, no episode.
    missing = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=ago(hours=10),
            reported_at=ago(hours=9),
            location="Rowan Street",
            details={"risk": "high", "episode": "A"},
            people=[PersonInput(person_id=amelia.pk)],
        ),
    ).event
    found = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.FOUND,
            occurred_at=ago(hours=2),
            location="Stockton library",
            related_event_id=missing.pk,
            people=[PersonInput(person_id=amelia.pk)],
        ),
    ).event
    still = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.MISSING, occurred_at=ago(hours=1), people=[PersonInput(person_id=amelia.pk)]
        ),
    ).event
    assert not MissingEpisode.objects.exists()

    migration.episodes_from_reports(apps, None)
    migration.episodes_from_reports(apps, None)  # run twice: nothing doubled

    first = MissingEpisode.objects.get(missing_report=missing)
    assert (first.child, first.category, first.risk, first.last_seen_where) == (
        amelia,
        "A",
        "high",
        "Rowan Street",
    )
    assert first.found_report == found and first.found_at == found.occurred_at
    assert first.council == cast.organisations["council"] and first.council_told_at is not None
    assert [grading.risk for grading in first.gradings.all()] == ["high"]
    second = MissingEpisode.objects.get(missing_report=still)
    assert second.found_at is None and second.risk == "medium"
    assert MissingEpisode.objects.count() == 2
    assert (first.last_seen_at, first.reported_at) == (missing.occurred_at, missing.reported_at)
