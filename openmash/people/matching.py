"""People's records in the match index (openmash.matching): rebuilding a person's features and keys from the
record, after a change the fast path did not make (a merge, a correction, a whole rebuild)."""

import uuid
from collections.abc import Iterable

from django.db import transaction

from openmash.matching.features import MatchRecord, match_record
from openmash.matching.services import index_replace
from openmash.people.models import Address, Person


def record_of(person: Person, postcodes: Iterable[str]) -> MatchRecord:
    return match_record(person.given_name, person.family_name, person.date_of_birth, person.sex, postcodes)


def index_people(person_ids: Iterable[uuid.UUID], *, batch_size: int = 2_000) -> int:
    """(Re)build the match index rows of these people from their records. Returns how many were indexed."""
    ids = list(person_ids)
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        postcodes: dict[uuid.UUID, list[str]] = {}
        for person_id, postcode in Address.objects.filter(person_id__in=chunk).values_list(
            "person_id", "postcode"
        ):
            postcodes.setdefault(person_id, []).append(postcode)
        # A record merged into another is found as that other record: it keeps no rows of its own.
        people = Person.objects.filter(pk__in=chunk, merged_into__isnull=True).only(
            "id", "given_name", "family_name", "date_of_birth", "sex"
        )
        with transaction.atomic():
            done += index_replace(chunk, [(p.pk, record_of(p, postcodes.get(p.pk, ()))) for p in people])
    return done
