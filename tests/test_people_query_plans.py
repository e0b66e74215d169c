"""How the database finds people asked for by id among those not merged: by their ids, not by reading every
record. SQLite, with no statistics, took an index of every person's `merged_into` for a selective one and read
all of them for "merged_into IS NULL" (an import's chunk read 100,000 people to link 50); the index now holds
merged records only."""

import pytest
from django.db import connection

from openmash.people.models import Person

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table would be read whole anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_people_not_merged_are_found_by_their_ids(cast):
    people = list(cast.people.values())[:3]
    plan = _plan(Person.objects.filter(merged_into__isnull=True, pk__in=[person.pk for person in people]))
    # Neither the old index of every record's merged_into nor the new one of merged records is read.
    assert "people_person_merged_into" not in plan and "person_merged_into_idx" not in plan
    assert (
        ("people_person_1" in plan or "(id=?)" in plan) if connection.vendor == "sqlite" else "pkey" in plan
    )


def test_who_was_merged_into_a_record_is_still_found_by_index(cast):
    kept = next(iter(cast.people.values()))
    plan = _plan(Person.objects.filter(merged_into=kept))
    assert "person_merged_into_idx" in plan
