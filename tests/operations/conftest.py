import datetime as dt

import pytest
from django.utils import timezone

from openmash.operations.checks import migrations_forget
from openmash.worker.models import Heartbeat


@pytest.fixture(autouse=True)
def migrations_checked_afresh():
    migrations_forget()
    yield
    migrations_forget()


@pytest.fixture
def worker_beat(db):
    """A worker that beat ``ago`` (a timedelta) ago."""

    def beat(ago: dt.timedelta = dt.timedelta(seconds=1)) -> Heartbeat:
        at = timezone.now() - ago
        return Heartbeat.objects.create(worker=f"test:{ago.total_seconds()}", started_at=at, beat_at=at)

    return beat
