"""Reading the match index: the recorded people an arriving record could be."""

import uuid

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
