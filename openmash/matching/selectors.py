"""Reading the match index: the recorded people an arriving record could be."""

import json
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.db import connection

from openmash.lib.sqllists import texts_in, texts_table
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


def candidates_of_many(
    records: Sequence[MatchRecord], probed: Sequence[Iterable[str]] | None = None
) -> list[list[tuple[uuid.UUID, MatchRecord]]]:
    """``candidates`` of several records (the people of a batch being recorded), in two queries for the batch
    (which people hold each key; then the features of those worth scoring): the hot path of recording, where
    an ORM query a person cost more than the matching itself. A record's keys held by more than BROAD_KEY
    people are left out, unless every key of the record is that broad (then its narrowest is kept). ``probed``:
    each record's ``probe_keys`` where the caller has them already."""
    wanted = [set(each) for each in probed] if probed is not None else [probe_keys(r) for r in records]
    every = sorted(set().union(*wanted))
    if not every:
        return [[] for _ in records]
    # Straight SQL: the ORM's building of two queries of many values cost more than running them.
    keys_table = connection.ops.quote_name(MatchKey._meta.db_table)
    profiles_table = connection.ops.quote_name(MatchProfile._meta.db_table)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        # How many people hold each key, counted only up to one past BROAD_KEY: a key held by tens of
        # thousands (a block of flats' postcode and a busy year of birth, at national volume) is broad whatever
        # its count, and counting all of it cost more the more was recorded (a history import slowed row by
        # row as it went).
        table, params = texts_table(every)
        cursor.execute(
            f"WITH probed(key) AS ({table}) "  # noqa: S608
            f"SELECT probed.key, (SELECT count(*) FROM (SELECT 1 FROM {keys_table} held "
            f"WHERE held.key = probed.key LIMIT {BROAD_KEY + 1}) AS bounded) FROM probed",
            params,
        )
        counts = {key: count for key, count in cursor.fetchall() if count}
        # A record whose every key is broad keeps its narrowest: only then are those keys counted in full (rare).
        held_keys = [[key for key in keys if key in counts] for keys in wanted]
        every_broad = sorted(
            {key for keys in held_keys if all(counts[key] > BROAD_KEY for key in keys) for key in keys}
        )
        if every_broad:
            condition, params = texts_in("key", every_broad)
            cursor.execute(
                f"SELECT key, count(*) FROM {keys_table} WHERE {condition} GROUP BY key",  # noqa: S608
                params,
            )
            counts.update(cursor.fetchall())
        chosen_keys: list[set[str]] = []
        for keys in wanted:
            held = sorted((counts[key], key) for key in keys if key in counts)
            chosen_keys.append(
                {key for count, key in held if count <= BROAD_KEY} or {key for _count, key in held[:1]}
            )
        narrow = sorted(set().union(*chosen_keys))
        people: dict[str, list[uuid.UUID]] = {}
        found: dict[uuid.UUID, MatchRecord] = {}
        if narrow:
            condition, params = texts_in("k.key", narrow)
            # The features as text on both databases, decoded here through ``_record_of``.
            text = "p.features::text" if connection.vendor == "postgresql" else "p.features"
            cursor.execute(
                f"SELECT k.key, p.person_id, {text} FROM {keys_table} k "  # noqa: S608
                f"JOIN {profiles_table} p ON p.person_id = k.person_id WHERE {condition}",
                params,
            )
            for key, person, features in cursor.fetchall():
                person_id = person if isinstance(person, uuid.UUID) else uuid.UUID(person)
                people.setdefault(key, []).append(person_id)
                if person_id not in found:
                    found[person_id] = _record_of(features)
    answers = []
    for keys in chosen_keys:
        theirs = dict.fromkeys(person for key in sorted(keys) for person in people.get(key, ()))
        answers.append([(person, found[person]) for person in theirs])
    return answers


@lru_cache(maxsize=20_000)
def _record_of(features: str) -> MatchRecord:
    """A match profile's stored features as a record, remembered by their text: at national volume the
    people of a common name are candidates chunk after chunk, and decoding them again each time was a fifth
    of the matching. The same text always gives the same (immutable) record."""
    return from_json(json.loads(features))
