"""A hand-made story for the data protection tests (rectification, subject access)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind, SubjectRole
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.delivery import run_once

LONDON = ZoneInfo("Europe/London")


@dataclass
class Story:
    child: Person
    adult: Person


def story_record(cast) -> Story:
    """Hand-made: Cleveland Police record an incident naming Noah Fenwick (new) and his mother, which goes to
    Stockton's front door; Stockton then shares information about Noah with the demo NHS trust. So Noah's
    details were sent by the police and received by Stockton and the trust, and by no one else."""
    police = actor_for_user(cast.users["police.officer"])
    incident = event_record(
        actor=police,
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-7001",
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=LONDON),
            location="3 Larch Close",
            postcode="TS18 1AA",
            risk_level="medium",
            summary="Shouting heard by neighbours.",
            people=[
                PersonInput(
                    role=SubjectRole.CHILD,
                    given_name="Noah",
                    family_name="Fenwick",
                    date_of_birth=dt.date(2023, 3, 1),
                    details={"present": True},
                ),
                PersonInput(
                    role=SubjectRole.ADULT,
                    given_name="Tara",
                    family_name="Fenwick",
                    date_of_birth=dt.date(1994, 7, 9),
                ),
            ],
        ),
    )
    child = Person.objects.get(event_subjects__event=incident.event, given_name="Noah")
    adult = Person.objects.get(event_subjects__event=incident.event, given_name="Tara")
    council = actor_for_user(cast.users["social.worker"])
    event_record(
        actor=council,
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON),
            summary="Health visitor to check in with the family.",
            people=[PersonInput(role=SubjectRole.CHILD, person_id=child.pk)],
            added_recipients=[cast.organisations["health"]],
        ),
    )
    while run_once("test-worker"):
        pass
    return Story(child=child, adult=adult)
