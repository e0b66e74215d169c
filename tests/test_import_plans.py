"""An import's foreign-key checks find the referenced row by its index however small the table was when the
session first checked it (PostgreSQL). The server plans each foreign-key check once a session and keeps the
plan: planned on a nearly empty table it was a sequential scan, which every later check of a 10,000-row import
then ran against the whole growing table (130,000 scans, 17 of the import's 24 seconds)."""

import pytest
from django.db import connection

from openmash.database import write_transaction
from openmash.people.models import PersonName

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the server's plans of PostgreSQL"),
]


def _scans_of_people() -> int:
    """Sequential scans of the people table in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_numscans('people_person'::regclass)")
        return cursor.fetchone()[0]


def _name_three_times(person) -> int:
    """Scans of the people table made by checking three new names' person (checked as each is written)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _scans_of_people()
    for given in ("Ann", "Anne", "Annie"):
        PersonName.objects.create(person=person, given_name=given, family_name="Example", search_key="x")
    return _scans_of_people() - before


def test_an_imports_foreign_key_checks_read_the_index(cast):
    person = next(iter(cast.people.values()))
    # The people table's statistics taken while it is small (as autovacuum takes them on a new database): a
    # check planned as usual now reads it whole (what the fix is for; were the server ever to plan otherwise,
    # this would say so rather than let the test pass blind).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
        cursor.execute("DISCARD PLANS")
    with write_transaction():
        assert _name_three_times(person) > 0
    # An import's transaction: the plan kept above is planned again, by the index.
    with write_transaction(many_rows=True):
        assert _name_three_times(person) == 0
