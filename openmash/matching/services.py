"""Keeping the match index in step with people's records: the rows for a person's features and keys."""

import uuid
from collections.abc import Iterable, Sequence

from openmash.matching.features import MatchRecord, to_json
from openmash.matching.keys import stored_keys
from openmash.matching.models import MatchKey, MatchProfile


def index_rows(
    people: Iterable[tuple[uuid.UUID, MatchRecord]],
) -> tuple[list[tuple[uuid.UUID, dict[str, object]]], list[tuple[uuid.UUID, str]]]:
    """The profile rows (person_id, features) and key rows (person_id, key) for these people, for the fast
    insert path (the person planner adds them to the batch that records the people)."""
    profiles: list[tuple[uuid.UUID, dict[str, object]]] = []
    keys: list[tuple[uuid.UUID, str]] = []
    for person_id, record in people:
        profiles.append((person_id, to_json(record)))
        keys.extend((person_id, key) for key in sorted(stored_keys(record)))
    return profiles, keys


def index_replace(person_ids: Sequence[uuid.UUID], people: Iterable[tuple[uuid.UUID, MatchRecord]]) -> int:
    """Replace the index rows of ``person_ids`` with those of ``people`` (a person left out, such as a record
    merged into another, keeps none). Call inside a transaction."""
    MatchKey.objects.filter(person_id__in=person_ids).delete()
    MatchProfile.objects.filter(person_id__in=person_ids).delete()
    profiles, keys = index_rows(people)
    MatchProfile.objects.bulk_create(
        MatchProfile(person_id=pk, features=features) for pk, features in profiles
    )
    MatchKey.objects.bulk_create(MatchKey(person_id=pk, key=key) for pk, key in keys)
    return len(profiles)
