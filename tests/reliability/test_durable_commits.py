"""Which commits wait for the disk (decisions 0004 and 0015): every commit does, except the staged and held
chunks of an import, which nobody relies on until the import's release commits durably after them."""

import pytest
from django.db import connection

from openmash.database import write_transaction
from openmash.organisations.models import Organisation, OrganisationKind

# What the setting reads when a commit does not wait for the disk. (The test PostgreSQL server runs with
# synchronous_commit off for speed, scripts/postgres.sh: the test sets it on for its session.)
NOT_WAITING = {"sqlite": 1, "postgresql": "off"}  # PRAGMA synchronous: 1 NORMAL, 2 FULL


def _setting() -> object:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous" if connection.vendor == "sqlite" else "SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_only_commits_marked_not_durable_skip_waiting_for_the_disk_and_the_setting_comes_back():
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")  # as a production server runs
    usual = _setting()
    assert usual == {"sqlite": 2, "postgresql": "on"}[connection.vendor]  # SQLite FULL: decision 0004
    with write_transaction():
        assert _setting() == usual
        Organisation.objects.create(name="Durable council", code="E09000901", kind=OrganisationKind.COUNCIL)
    with write_transaction(durable=False):
        assert _setting() == NOT_WAITING[connection.vendor]
        Organisation.objects.create(name="Held council", code="E09000902", kind=OrganisationKind.COUNCIL)
    assert _setting() == usual
    with pytest.raises(RuntimeError), write_transaction(durable=False):
        raise RuntimeError("a chunk that fails")
    assert _setting() == usual
    # Both committed: not waiting for the disk changes when a commit is safe from a power cut, not whether
    # it happens.
    codes = set(
        Organisation.objects.filter(code__in=["E09000901", "E09000902"]).values_list("code", flat=True)
    )
    assert codes == {"E09000901", "E09000902"}


@pytest.mark.django_db
def test_inside_another_transaction_the_outer_one_decides():
    # A caller's own transaction (a test's, or a service that wraps the import) commits as it was set to.
    usual = _setting()
    with write_transaction(durable=False):
        assert _setting() == usual
