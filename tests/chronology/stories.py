"""Amelia Hart's story, recorded through the real services by four agencies, out of order.

| entry | recorded by | happened | shared with | who sees it |
|---|---|---|---|---|
| information share (health visitor) | Stockton council | 5 July 2026 (summer time) | health trust | council, health |
| domestic abuse incident CLE-26-2001 | Cleveland Police | 10 Nov 2026 21:30 | council (full), school (Encompass) | police, council, school |
| referral | the school | 15 Nov 2026 09:00 | council | school, council |
| missing report | Stockton council | 18 Nov 2026 19:00 | Cleveland Police (covering force) | council, police |

The missing report is recorded first and the information share last, so recording order is not time order.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openmash.accounts.actors import actor_for_user
from openmash.events.models import Event, EventKind
from openmash.recording.services import EventInput, PersonInput, event_record
from tests.sharing.conftest import incident_at_amelias_home

LONDON = ZoneInfo("Europe/London")


@dataclass
class Story:
    information_share: Event
    incident: Event
    referral: Event
    missing: Event

    @property
    def in_time_order(self) -> list[Event]:
        return [self.information_share, self.incident, self.referral, self.missing]


def record_incident(cast, reference: str, occurred_at: dt.datetime) -> Event:
    """Cleveland Police record a domestic abuse incident at Amelia's home, her baby sister and mother there."""
    return event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=incident_at_amelias_home(
            cast,
            reference=reference,
            occurred_at=occurred_at,
            reported_at=occurred_at + dt.timedelta(minutes=10),
            details={"marac_referral": False, "weapons": ["none seen"]},
        ),
    ).event


def record_story(cast) -> Story:
    amelia = cast.people["Amelia Hart"].pk
    council = cast.organisations["council"]
    social_worker = actor_for_user(cast.users["social.worker"])
    missing = event_record(
        actor=social_worker,
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 18, 19, 0, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 18, 20, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=amelia)],
            summary="Did not come home from school",
        ),
    ).event
    incident = record_incident(cast, "CLE-26-2001", dt.datetime(2026, 11, 10, 21, 30, tzinfo=LONDON))
    referral = event_record(
        actor=actor_for_user(cast.users["school.dsl"]),
        data=EventInput(
            kind=EventKind.REFERRAL,
            occurred_at=dt.datetime(2026, 11, 15, 9, 0, tzinfo=LONDON),
            council=council,
            people=[PersonInput(person_id=amelia)],
            summary="Bruise on her arm; says she fell. Third mark this term.",
        ),
    ).event
    information_share = event_record(
        actor=social_worker,
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 7, 5, 10, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=amelia)],
            summary="=HYPERLINK(health visitor concerns: <home conditions> & hygiene)",
            added_recipients=[cast.organisations["health"]],
        ),
    ).event
    return Story(information_share=information_share, incident=incident, referral=referral, missing=missing)
