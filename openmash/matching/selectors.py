"""Reading the match index: the recorded people an arriving record could be."""

import uuid
from collections.abc import Sequence

from openmash.matching.features import MatchRecord, from_json
from openmash.matching.keys import probe_keys
from openmash.matching.models import MatchKey, MatchProfile

# A key shared by more people than this (a very common name born in a busy year) is too broad to help: the
# other keys find the person. Keeps one lookup under a few hundred candidates at national volume.
MOST_CANDIDATES_PER_KEY = 2_000


def candidates(
    record: MatchRecord, *, among: "set[uuid.UUID] | None" = None
) -> list[tuple[uuid.UUID, MatchRecord]]:
    """The recorded people sharing a candidate key with ``record``, with their features.

    Who may *see* a candidate is not decided here: matching finds, the recording service decides what the
    recorder learns (access.policy and decision 0012)."""
    keys = sorted(probe_keys(record))
    if not keys:
        return []
    people = MatchKey.objects.filter(key__in=keys).values("person_id")
    rows = MatchProfile.objects.filter(person_id__in=people).values_list("person_id", "features")
    return [(person, from_json(features)) for person, features in rows if among is None or person in among]


# At intake, a key shared by more people than this (a common family name born in a busy year, at national
# volume) is left out when a narrower key of the same record finds the people worth scoring: scoring every
# Smith born in 2015 would cost more than the rest of recording an event.
BROAD_KEY = 250


def candidates_of_many(records: Sequence[MatchRecord]) -> list[list[tuple[uuid.UUID, MatchRecord]]]:
    """``candidates`` of several records (the people of a batch being recorded), in two queries for the batch
    (which people hold each key; then the features of those worth scoring): the hot path of recording, where
    an ORM query a person cost more than the matching itself. A record's keys held by more than BROAD_KEY
    people are left out, unless every key of the record is that broad (then its narrowest is kept)."""
    wanted = [probe_keys(record) for record in records]
    every = sorted(set().union(*wanted))
    if not every:
        return [[] for _ in records]
    people: dict[str, list[uuid.UUID]] = {}
    for key, person in MatchKey.objects.filter(key__in=every).values_list("key", "person_id"):
        people.setdefault(key, []).append(person)
    chosen: list[list[uuid.UUID]] = []
    for keys in wanted:
        held = sorted((len(people[key]), key) for key in keys if key in people)
        narrow = [key for count, key in held if count <= BROAD_KEY] or [key for _count, key in held[:1]]
        chosen.append(list(dict.fromkeys(person for key in narrow for person in people[key])))
    ids = {person for theirs in chosen for person in theirs}
    found = {
        person: from_json(features)
        for person, features in MatchProfile.objects.filter(person_id__in=ids).values_list(
            "person_id", "features"
        )
    }
    return [[(person, found[person]) for person in theirs if person in found] for theirs in chosen]
