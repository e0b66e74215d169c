import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from openmash.accounts.actors import actor_for_user
from openmash.clocks.services import forget_area_settings
from openmash.events.models import EventKind
from openmash.recording.services import EventInput, PersonInput, event_record

# The police officer and the incident at Amelia's home, as the sharing tests record it.
from tests.sharing.conftest import incident_input, officer, record_incident  # noqa: F401

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def fresh_area_settings():
    """Each test sees the area settings its own database holds, not a previous test's cached ones."""
    forget_area_settings()
    yield
    forget_area_settings()


@pytest.fixture
def police_protection(cast):
    """Cleveland Police take Amelia Hart (known to them) into police protection in Thornaby (Stockton-on-Tees)."""

    def record(taken_at=None, **details):
        return event_record(
            actor=actor_for_user(cast.users["police.officer"]),
            data=EventInput(
                kind=EventKind.POLICE_PROTECTION,
                reference="CLE-PP-0001",
                occurred_at=taken_at or dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
                postcode="TS17 6AA",
                people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
                details={
                    "designated_officer": "Insp. Grace Oduya",
                    "reasons": "Found alone at night in an unsafe house",
                    "alternatives_discussed": True,
                    "alternatives_discussed_with": "Emergency duty team",
                    **details,
                },
            ),
        )

    return record
