"""A vetting officer sees vetting work (the council's questions about people the police know of), not the
force's other casework."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from openmash.access import policy
from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.meetings import selectors as meeting_selectors
from openmash.people import selectors as people_selectors
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.delivery import run_once
from tests.sharing.conftest import incident_at_amelias_home

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def vetting_request(cast):
    """The council asks the police what they know of a man moving in with a family."""
    recorded = event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=LONDON),
            people=[
                PersonInput(
                    role="adult", given_name="Rob", family_name="Vane", date_of_birth=dt.date(1988, 1, 2)
                )
            ],
            summary="Please tell us what you know of Rob Vane, moving in with a family we support.",
            added_recipients=[cast.organisations["police"]],
        ),
    )
    incident = event_record(
        actor=actor_for_user(cast.users["police.officer"]), data=incident_at_amelias_home(cast)
    )
    run_once("test")
    return recorded, incident


def test_a_vetting_officer_sees_the_vetting_request_not_the_forces_incidents(cast, vetting_request):
    recorded, incident = vetting_request
    vetting = actor_for_user(cast.users["vetting.officer"])
    officer = actor_for_user(cast.users["police.officer"])
    assert policy.vetting_only(vetting) and not policy.vetting_only(officer)
    assert policy.may_see_event(vetting, recorded.event)
    assert not policy.may_see_event(vetting, incident.event)
    assert policy.may_see_event(officer, incident.event)
    rob = recorded.event.subjects.get().person
    amelia = cast.people["Amelia Hart"]
    assert set(people_selectors.visible_people(vetting)) == {rob}
    assert people_selectors.reason_to_see(vetting, rob.pk) == "named in a vetting request"
    assert people_selectors.reason_to_see(vetting, amelia.pk) is None
    assert people_selectors.reason_to_see(officer, amelia.pk) is not None
    assert not meeting_selectors.visible_meetings(vetting).exists()


def test_the_vetting_officers_pages_show_only_vetting_work(signed_in, cast, vetting_request):
    recorded, incident = vetting_request
    client = signed_in("vetting.officer")
    inbox = client.get(reverse("sharing:inbox")).text
    assert "Rob Vane" in inbox and "Amelia" not in inbox
    amelia = cast.people["Amelia Hart"]
    assert client.get(reverse("people:record", args=[amelia.pk])).status_code == 404
    assert client.get(reverse("chronology:chronology", args=[amelia.pk])).status_code == 404
    incident_share = incident.event.shares.filter(recipient=cast.organisations["council"]).first()
    if incident_share is not None:
        assert client.get(reverse("sharing:share", args=[incident_share.pk])).status_code == 404
    link = reverse("people:record", args=[amelia.pk])
    assert link in signed_in("police.officer").get(reverse("people:search"), {"name": "Amelia Hart"}).text
    assert link not in client.get(reverse("people:search"), {"name": "Amelia Hart"}).text
    rob = recorded.event.subjects.get().person
    assert client.get(reverse("people:record", args=[rob.pk])).status_code == 200
    share = recorded.event.shares.get(recipient=cast.organisations["police"])
    assert client.get(reverse("sharing:share", args=[share.pk])).status_code == 200
    # The force's officer still sees the force's casework.
    assert signed_in("police.officer").get(reverse("people:record", args=[amelia.pk])).status_code == 200
