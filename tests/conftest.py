"""Shared fixtures: the reference data and the demo cast, loaded once per test database.

The cast (openmash/demo/cast.py) is built through the real services and gives every test the same
personas: the owning council (Stockton-on-Tees), a partner police force (Cleveland Police, which recorded
an incident about Amelia Hart), an unrelated council (Bury), an inspector (sampled Leo Marsh) and an
administrator.
"""

import pytest
from django.test import Client

from openmash.demo.cast import DEMO_PASSWORD, SIGN_INS, DemoCast, demo_load
from openmash.demo.services import demo_database_mark
from openmash.organisations.models import Organisation
from openmash.organisations.postcodes import forget_councils
from openmash.organisations.selectors import forget_schools
from openmash.organisations.services import reference_load
from openmash.recording.services import _recorder as events_recorder
from openmash.sharing.outbox import forget_endpoints


def load_cast() -> DemoCast:
    # A test database is a throwaway one, whatever DATABASE_URL says.
    demo_database_mark(demo_usernames=[name for name, *_rest in SIGN_INS], database_url_allowed=True)
    if not Organisation.objects.filter(is_reference=True).exists():
        reference_load()
    return demo_load()


@pytest.fixture(autouse=True)
def forget_remembered_reference_data():
    """Each process remembers councils and schools for a minute, and webhook endpoints for a few seconds; a
    test must not see another test's."""
    forget_councils()
    forget_schools()
    forget_endpoints()
    yield
    forget_councils()
    forget_schools()
    forget_endpoints()


@pytest.fixture(autouse=True)
def audit_checkpoints_of_this_test(tmp_path):
    """A checkpoint file of each test's own: checkpoints name one database's chain, and every test (or
    rolled-back test) leaves the chain somewhere else."""
    from django.conf import settings

    before = settings.AUDIT_CHECKPOINTS
    settings.AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"
    yield settings.AUDIT_CHECKPOINTS
    settings.AUDIT_CHECKPOINTS = before


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_cast()
    yield
    # Group commit's writer thread has a connection of its own: close it before the test database is dropped.
    events_recorder.release_connection()


@pytest.fixture
def cast(db) -> DemoCast:
    return load_cast()


@pytest.fixture
def signed_in(cast):
    """A function giving a test client signed in as a demo user."""

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(cast.users[username])
        return client

    return sign_in


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD
