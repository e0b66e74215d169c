"""Events recorded through the real recording service for tests that need something on record."""

import datetime as dt

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import delivery


def amelias_incident_delivered(cast, reference: str):
    """A domestic abuse incident naming Amelia Hart, recorded by the demo police officer and delivered by the
    worker: the council has a share of it and a reason to see her."""
    recorded = event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference=reference,
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=dt.UTC),
            reported_at=dt.datetime(2026, 11, 20, 21, 45, tzinfo=dt.UTC),
            postcode="TS18 1AA",
            risk_level="medium",
            people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
        ),
    )
    while delivery.run_once("test"):
        pass
    return recorded
