import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from openmash.accounts.actors import actor_for_user
from openmash.casework import services
from openmash.events.models import EventKind, SubjectRole
from openmash.people.models import ChildStatusKind
from openmash.people.services import child_status_record
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def actors(cast):
    """Each persona as an actor: actors["social.worker"], actors["police.ppu"], ..."""
    return {username: actor_for_user(user) for username, user in cast.users.items()}


@pytest.fixture
def amelia(cast):
    return cast.people["Amelia Hart"]


@pytest.fixture
def request_visit(actors, amelia):
    def request(**changes):
        values = dict(
            actor=actors["social.worker"],
            person=amelia,
            planned_for=timezone.now() + dt.timedelta(days=1),
            police_needed_because=["risk", "removal"],
            purpose="Check on Amelia after threats made to staff",
            address="12 Rowan Street",
        )
        values.update(changes)
        return services.joint_visit_request(**values)

    return request


@pytest.fixture
def record_protection(actors, amelia):
    """Cleveland Police take Amelia into police protection in Stockton (the hook starts the 72-hour clock)."""

    def record(*, taken_at=None, alternatives_discussed=True):
        return event_record(
            actor=actors["police.designated"],
            data=EventInput(
                kind=EventKind.POLICE_PROTECTION,
                occurred_at=taken_at or timezone.now() - dt.timedelta(hours=2),
                postcode="TS18 1AA",
                summary="Found alone at home at night",
                details={
                    "designated_officer": "Insp Grace Oduya",
                    "reasons": "Child alone, parent intoxicated",
                    "alternatives_discussed": alternatives_discussed,
                    "alternatives_discussed_with": "Ruth Okafor" if alternatives_discussed else "",
                },
                people=[PersonInput(role=SubjectRole.CHILD, person_id=amelia.pk)],
            ),
        ).event

    return record


@pytest.fixture
def on_plan(actors, amelia):
    return child_status_record(
        actor=actors["social.worker"],
        person=amelia,
        council=amelia.addresses.first().council,
        status=ChildStatusKind.PROTECTION_PLAN,
        start_date=dt.date(2026, 1, 5),
    )


@pytest.fixture
def propose_closure(actors, amelia):
    def propose(**changes):
        values = dict(
            actor=actors["police.ppu"],
            person=amelia,
            police_reference="CLE-26-7001",
            reasons="No further evidence; parents deny",
            under_s47_enquiry=False,
            injuries_recorded=False,
        )
        values.update(changes)
        return services.investigation_closure_propose(**values)

    return propose
