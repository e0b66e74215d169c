"""Keeping the match index in step with people's records."""

import uuid
from collections.abc import Iterable

from django.db import transaction

from openmash.matching.features import MatchRecord, match_record, to_json
from openmash.matching.keys import stored_keys
from openmash.matching.models import MatchKey, MatchProfile
from openmash.people.models import Address, Person


def record_of(person: Person, postcodes: Iterable[str]) -> MatchRecord:
    return match_record(person.given_name, person.family_name, person.date_of_birth, person.sex, postcodes)


def index_people(person_ids: Iterable[uuid.UUID], *, batch_size: int = 2_000) -> int:
    """(Re)build the match profile and keys of these people from their records. Returns how many were indexed."""
    ids = list(person_ids)
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        postcodes: dict[uuid.UUID, list[str]] = {}
        for person_id, postcode in Address.objects.filter(person_id__in=chunk).values_list(
            "person_id", "postcode"
        ):
            postcodes.setdefault(person_id, []).append(postcode)
        profiles: list[MatchProfile] = []
        keys: list[MatchKey] = []
        # A record merged into another is found as that other record: it keeps no keys of its own.
        for person in Person.objects.filter(pk__in=chunk, merged_into__isnull=True).only(
            "id", "given_name", "family_name", "date_of_birth", "sex"
        ):
            record = record_of(person, postcodes.get(person.pk, ()))
            profiles.append(MatchProfile(person_id=person.pk, features=to_json(record)))
            keys.extend(MatchKey(person_id=person.pk, key=key) for key in stored_keys(record))
        with transaction.atomic():
            MatchKey.objects.filter(person_id__in=chunk).delete()
            MatchProfile.objects.filter(person_id__in=chunk).delete()
            MatchProfile.objects.bulk_create(profiles)
            MatchKey.objects.bulk_create(keys)
        done += len(profiles)
    return done
