"""The missing import writes a chunk of episodes together (in rounds, through the missing services' many forms):
how many episodes a chunk holds changes nothing it writes. The same varied file imported one episode a chunk
and at the default chunk writes the same rows, with the same values, ids and "now" aside."""

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import pytest
from django.db import models, transaction
from django.utils import timezone

from openmash.access.models import AccessReason
from openmash.accounts.actors import import_actor
from openmash.audit.models import AuditEntry
from openmash.clocks.models import Clock
from openmash.events.models import Event, EventSubject
from openmash.matching.models import MatchKey, MatchProfile
from openmash.missing import importing
from openmash.missing.importing import import_missing
from openmash.missing.models import MissingEpisode, ReturnInterview, RiskGrading
from openmash.people.models import Person, PersonIdentifier, PersonName
from openmash.sharing.models import Delivery, ImportedAs, Share
from tests.missing.test_import import _at, _file, _row

TABLES: list[type[models.Model]] = [
    Event,
    EventSubject,
    Share,
    Share.people.through,
    Delivery,
    Clock,
    AccessReason,
    AuditEntry,
    MissingEpisode,
    RiskGrading,
    ReturnInterview,
    Person,
    PersonName,
    PersonIdentifier,
    MatchProfile,
    MatchKey,
]
# Columns that are the database's or the moment's, not what the import decided.
GENERATED = {"id", "sequence", "previous_hash", "entry_hash", "message_id"}
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _varied_file(tmp_path: Path) -> Path:
    """Missing and away, found and not, interviews held (independent or not), offered only, or none; a child
    missing three times (a repeat by the third), one named by NHS number twice, and Leo Marsh (on record,
    looked after by Stockton and placed at Oak House, a children's home) by name and date of birth."""
    not_found = {
        "found_at": "",
        "return_interview_offered_at": "",
        "return_interview_held_at": "",
        "return_interview_independent": "",
    }
    no_offer = {
        "return_interview_offered_at": "",
        "return_interview_held_at": "",
        "return_interview_independent": "",
    }
    rows = [
        _row("CH-01"),
        _row("CH-02", child_given_name="Mia", child_family_name="Stone", category="away", **not_found),
        _row(
            "CH-03",
            last_seen_at=_at(10),
            reported_at=_at(9.9),
            council_told_at="",
            found_at=_at(9),
            **no_offer,
        ),
        _row(
            "CH-04",
            child_given_name="Ruby",
            child_family_name="Lane",
            child_nhs_number="9434765919",
            return_interview_independent="no",
        ),
        _row(
            "CH-05",
            child_given_name="Leo",
            child_family_name="Marsh",
            child_date_of_birth="2011-11-03",
            child_nhs_number="",
            council="E06000004",
            last_seen_at=_at(3),
            reported_at=_at(2.9),
            council_told_at=_at(2.8),
            found_at=_at(2.5),
            return_interview_offered_at=_at(1),
            return_interview_held_at="",
            return_interview_independent="",
        ),
        _row(
            "CH-06",
            last_seen_at=_at(5),
            reported_at=_at(4.9),
            council_told_at=_at(4.8),
            found_at=_at(4.5),
            return_interview_offered_at=_at(4),
            return_interview_held_at=_at(3.5),
        ),
        _row(
            "CH-07",
            child_given_name="Ruby",
            child_family_name="Lane",
            child_nhs_number="9434765919",
            last_seen_at=_at(6),
            reported_at=_at(5.9),
            council_told_at=_at(5.8),
            found_at=_at(5),
            **no_offer,
        ),
        _row(
            "CH-08",
            child_given_name="Tom",
            child_family_name="Hale",
            council="E06000002",
            looked_after="no",
            risk_level="high",
            **not_found,
        ),
        _row(
            "CH-09",
            child_given_name="Mia",
            child_family_name="Stone",
            last_seen_at=_at(2),
            reported_at=_at(1.9),
            council_told_at=_at(1.8),
            found_at=_at(1.5),
            **no_offer,
        ),
    ]
    return _file(tmp_path, rows)


def _rows(since: dt.datetime) -> dict[str, list[str]]:
    """Every row of the tables the import writes, as text with ids replaced by what they stand for (an event
    by its kind and reference, an episode by its reference, a person by their name and date of birth) and the
    times of now (on or after ``since``) left out."""
    names: dict[str, str] = {
        str(pk): f"person {given} {family} {born}"
        for pk, given, family, born in Person.objects.values_list(
            "pk", "given_name", "family_name", "date_of_birth"
        )
    }
    for pk, kind, reference in Event.objects.values_list("pk", "kind", "reference"):
        names[str(pk)] = f"event {kind} {reference}"
    for pk, reference in MissingEpisode.objects.values_list("pk", "reference"):
        names[str(pk)] = f"episode {reference}"
    for pk, event, recipient, route in Share.objects.values_list("pk", "event_id", "recipient_id", "route"):
        names[str(pk)] = f"share of {names[str(event)]} to {recipient} ({route})"
    for pk, episode in ReturnInterview.objects.values_list("pk", "episode_id"):
        names[f"interview {pk}"] = f"interview of {names[str(episode)]}"

    def named(value: object) -> object:
        if isinstance(value, uuid.UUID):
            value = str(value)
        if isinstance(value, dt.datetime) and value >= since:
            return "now"
        if isinstance(value, str):
            return UUID_TEXT.sub(lambda found: names.get(found.group(), found.group()), value)
        if isinstance(value, dict | list):
            return named(json.dumps(value, sort_keys=True, default=str))
        return value

    found: dict[str, list[str]] = {}
    for model in TABLES:
        rows = []
        for row in model.objects.values():
            if model is AuditEntry and row["object_type"] == "return-interview":
                row["object_id"] = names[f"interview {row['object_id']}"]
            rows.append(
                repr(sorted((name, named(value)) for name, value in row.items() if name not in GENERATED))
            )
        found[model._meta.label] = sorted(rows)
    return found


@pytest.mark.parametrize("imported_as", [ImportedAs.HISTORY, ImportedAs.LIVE])
def test_one_episode_a_chunk_and_the_default_chunk_write_the_same_rows(
    cast, tmp_path, monkeypatch, imported_as
):
    assert importing.WRITE_CHUNK >= 9  # the whole file in one chunk: every round of the chunk planner
    path = _varied_file(tmp_path)
    police = import_actor(cast.organisations["police"])
    since = timezone.now()
    with transaction.atomic():
        monkeypatch.setattr(importing, "WRITE_CHUNK", 1)
        import_missing(actor=police, path=path, imported_as=imported_as)
        one_a_chunk = _rows(since)
        transaction.set_rollback(True)
    monkeypatch.undo()
    assert not MissingEpisode.objects.exists()
    import_missing(actor=police, path=path, imported_as=imported_as)
    together = _rows(since)
    for table, rows in one_a_chunk.items():
        assert rows == together[table], table
    assert MissingEpisode.objects.count() == 9
    # The file is varied as it says: a repeat, two found not offered, interviews held and offered only.
    assert MissingEpisode.objects.filter(repeat_count__isnull=False).exists()
    assert ReturnInterview.objects.filter(held_at__isnull=True).exists()
    assert ReturnInterview.objects.filter(independent=False).exists()
    assert MissingEpisode.objects.filter(found_at__isnull=True).count() == 2
