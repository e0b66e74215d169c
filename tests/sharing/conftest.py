import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind, SubjectRole
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def officer(cast):
    return actor_for_user(cast.users["police.officer"])


def incident_at_amelias_home(cast, **changes) -> EventInput:
    """A domestic abuse incident at Amelia's home: Amelia (10, at the demo school) and a toddler present."""
    values = dict(
        kind=EventKind.DOMESTIC_ABUSE,
        reference="CLE-26-1001",
        occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON),
        reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=LONDON),
        location="12 Rowan Street",
        postcode="TS18 1AA",
        risk_level="medium",
        summary="Argument between adults; neighbours called police.",
        people=[
            PersonInput(
                role=SubjectRole.CHILD,
                person_id=cast.people["Amelia Hart"].pk,
                details={"present": True, "saw_heard": "Heard shouting", "child_words": "I hid upstairs"},
            ),
            PersonInput(
                role=SubjectRole.CHILD,
                given_name="Ivy",
                family_name="Hart",
                date_of_birth=dt.date(2024, 6, 1),
                details={"present": True},
            ),
            PersonInput(role=SubjectRole.ADULT, person_id=cast.people["Sarah Hart"].pk),
        ],
    )
    values.update(changes)
    return EventInput(**values)


@pytest.fixture
def incident_input(cast):
    def make(**changes):
        return incident_at_amelias_home(cast, **changes)

    return make


@pytest.fixture
def record_incident(officer, incident_input):
    def record(**changes):
        return event_record(actor=officer, data=incident_input(**changes))

    return record
